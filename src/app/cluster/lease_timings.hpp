#pragma once
// The timings of the organisation leases (docs/postgresql.md, "Leases and fencing"), apart from
// the LeaseKeeper so that the configuration reader can check them without Asio.

#include <optional>
#include <string>

#include "core/time.hpp"

namespace ccteams {

struct LeaseTimings {
  Millis ttl{6000};          // a lease not renewed lapses this long after its last renewal
  Millis renew_every{2000};  // TTL / 3: two renewals may fail without losing the lease
  Millis scan_every{1000};   // how often free and expired leases are looked for
  Millis margin{1000};       // stop acting this long before the TTL ends, measured locally
};

// Why the timings cannot work, or nullopt: margin and renew_every must leave room in the TTL.
std::optional<std::string> invalid_lease_timings(const LeaseTimings& t);

}  // namespace ccteams
