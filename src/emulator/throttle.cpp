#include "emulator/throttle.hpp"

#include <algorithm>
#include <cmath>

namespace ccteams::emulator {

ThrottleDecision Throttle::take(const std::string& key, const ThrottleLimit& limit, double cost,
                                Timestamp now) {
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{limit.quota, now});
  Bucket& b = it->second;
  const double rate = limit.quota / static_cast<double>(limit.window.count());  // per ms
  if (!fresh && now > b.last) {
    b.level = std::min(limit.quota, b.level + rate * static_cast<double>((now - b.last).count()));
  }
  b.last = std::max(b.last, now);
  ThrottleDecision d;
  if (b.level >= cost) {
    b.level -= cost;
    d.used_fraction = 1.0 - b.level / limit.quota;
    return d;
  }
  b.level = std::max(-limit.quota, b.level - cost);
  d.allowed = false;
  const double wait_ms = (cost - b.level) / rate;
  d.retry_after_seconds = std::max(1, static_cast<int>(std::ceil(wait_ms / 1000.0)));
  d.used_fraction = 1.0 - b.level / limit.quota;
  return d;
}

ThrottleLimit identity_limit(std::size_t tenant_users) {
  const double quota = tenant_users < 50 ? 3500 : tenant_users <= 500 ? 5000 : 8000;
  return {quota, std::chrono::seconds(10)};
}

ThrottleLimit presence_limit() { return {1500, std::chrono::seconds(30)}; }

double users_request_cost(bool has_select, bool small_top, bool has_expand) {
  double cost = 2;
  if (has_select) cost -= 1;
  if (small_top) cost -= 1;
  if (has_expand) cost += 1;
  return std::max(1.0, cost);
}

}  // namespace ccteams::emulator
