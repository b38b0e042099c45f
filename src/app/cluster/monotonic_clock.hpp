#pragma once
// A Clock that never steps: the wall time at construction plus the steady clock's time since.
// The lease keeper's local deadlines use it (lease_keeper.hpp), so an NTP step of the system
// clock cannot make an instance act past its lease.
#include <chrono>

#include "app/ports/clock.hpp"

namespace ccteams {

class MonotonicClock final : public Clock {
 public:
  MonotonicClock()
      : wall_start_(std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now())),
        steady_start_(std::chrono::steady_clock::now()) {}
  Timestamp now() const override {
    return wall_start_ +
           std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - steady_start_);
  }

 private:
  Timestamp wall_start_;
  std::chrono::steady_clock::time_point steady_start_;
};

}  // namespace ccteams
