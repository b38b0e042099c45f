#include "core/login_throttle.hpp"

#include <algorithm>

namespace ccteams {

Millis required_login_wait(int failures, int delay_after, Millis first_delay, Millis max_delay) {
  const int over = failures - std::max(1, delay_after) + 1;
  if (over <= 0 || first_delay <= Millis{0}) return Millis{0};
  Millis wait = first_delay;
  // Doubling stops at the cap; the loop is bounded by it, not by an attacker's failure count.
  for (int i = 1; i < over && wait < max_delay; ++i) wait *= 2;
  return std::min(wait, max_delay);
}

int retry_after_seconds(Millis remaining) {
  return static_cast<int>(std::max<std::int64_t>(1, (remaining.count() + 999) / 1000));
}

}  // namespace ccteams
