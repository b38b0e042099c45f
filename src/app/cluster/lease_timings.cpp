#include "app/cluster/lease_timings.hpp"

namespace ccteams {

std::optional<std::string> invalid_lease_timings(const LeaseTimings& t) {
  if (t.ttl <= Millis{0} || t.renew_every <= Millis{0} || t.scan_every <= Millis{0} ||
      t.margin < Millis{0}) {
    return "lease timings must be positive";
  }
  if (t.margin >= t.ttl) return "the lease margin must be shorter than the lease TTL";
  // A renewal must be able to land before the local deadline, with one to spare.
  if (t.renew_every * 2 > t.ttl - t.margin) {
    return "renew_every must be at most half of (ttl - margin): one lost renewal must not lose "
           "the lease";
  }
  return std::nullopt;
}

}  // namespace ccteams
