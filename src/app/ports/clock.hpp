#pragma once
#include "core/time.hpp"

namespace ccteams {

// Where app code reads the time; tests inject a fake (STYLE.md §2).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

}  // namespace ccteams
