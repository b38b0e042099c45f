#pragma once
// The production Clock: the system's wall clock in milliseconds.
#include <chrono>

#include "app/ports/clock.hpp"

namespace ccteams {

class SystemClock final : public Clock {
 public:
  Timestamp now() const override {
    return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  }
};

}  // namespace ccteams
