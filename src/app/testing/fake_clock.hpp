#pragma once
// A Clock for tests: time moves only when the test calls advance() or set().
#include "app/ports/clock.hpp"

namespace ccteams {

// Thread-safety: not synchronised; set it before other threads read it.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start) : now_(start) {}
  Timestamp now() const override { return now_; }
  void advance(Millis d) { now_ += d; }
  void set(Timestamp t) { now_ = t; }

 private:
  Timestamp now_;
};

}  // namespace ccteams
