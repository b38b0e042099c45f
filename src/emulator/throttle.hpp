#pragma once
// Graph's throttling (graph-protocol.md §5) as token buckets: a bucket per (limit, app,
// tenant) refills continuously to its quota over its window; a request takes its cost.
// Usage keeps accruing while throttled (as the docs warn), so a client that hammers through
// 429s digs itself deeper, down to one full window of debt.
// Pure: time passed in. Thread-safety: none; the owner serialises.

#include <chrono>
#include <map>
#include <string>

#include "emulator/graph_time.hpp"

namespace ccteams::emulator {

struct ThrottleLimit {
  double quota = 0;               // units per window
  std::chrono::milliseconds window{0};
};

struct ThrottleDecision {
  bool allowed = true;
  int retry_after_seconds = 0;  // > 0 when refused
  double used_fraction = 0;     // of the quota after this request (x-ms-throttle-limit-percentage)
};

class Throttle {
 public:
  ThrottleDecision take(const std::string& key, const ThrottleLimit& limit, double cost,
                        Timestamp now);
  void reset() { buckets_.clear(); }

 private:
  struct Bucket {
    double level = 0;  // units available; negative is debt
    Timestamp last{};
  };
  std::map<std::string, Bucket> buckets_;
};

// Identity and access RU quota for an app + tenant pair by tenant size (S < 50 users,
// M 50..500, L > 500): 3,500 / 5,000 / 8,000 RU per 10 s.
ThrottleLimit identity_limit(std::size_t tenant_users);
// Presence: 1,500 requests per 30 s per app per tenant.
ThrottleLimit presence_limit();
// RU cost of a GET on users: base 2, -1 with $select, -1 with $top < 20, +1 with $expand, min 1.
double users_request_cost(bool has_select, bool small_top, bool has_expand);

}  // namespace ccteams::emulator
