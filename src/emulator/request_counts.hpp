#pragma once
// What each client asked of the emulated Microsoft side and what it got: requests per client
// id and endpoint ("graph" or "token") by outcome, and how many arrived while the Retry-After
// of a 429 the emulator had given that client (on that endpoint) was still running. Graph
// throttles per app and tenant, so a 429's Retry-After holds for every request of the client;
// a 503's Retry-After concerns its own request and is not tracked. Served by
// GET /_emulator/requests; fault-storm runs (tests/support/fault_storms.hpp) count "wasted"
// calls from it.
// Pure: time passed in. Thread-safety: none; the owner (State::mu) serialises.

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "emulator/graph_time.hpp"

namespace ccteams::emulator {

struct RequestTally {
  std::uint64_t requests = 0;
  std::uint64_t ok = 0;             // 2xx, 3xx
  std::uint64_t throttled = 0;      // 429
  std::uint64_t unavailable = 0;    // 5xx
  std::uint64_t unauthorized = 0;   // 401, 403
  std::uint64_t other_errors = 0;   // any other 4xx
  // Arrived before the Retry-After of the last 429 given to this client on this endpoint had
  // elapsed (whatever it was answered).
  std::uint64_t before_retry_after = 0;
  // Refused (429, 5xx, 401, 403) or sent before Retry-After elapsed; each request once.
  std::uint64_t wasted = 0;
  Timestamp retry_not_before{};
};

class RequestCounts {
 public:
  // One answered request. retry_after_seconds > 0 when the answer carried Retry-After.
  void record(const std::string& client_id, const std::string& endpoint, int status,
              int retry_after_seconds, Timestamp now);
  const RequestTally* find(const std::string& client_id, const std::string& endpoint) const;
  // {"value":[{"clientId","endpoint","requests","ok","throttled","unavailable","unauthorized",
  //  "otherErrors","beforeRetryAfter","wasted"}]}, ordered by client id then endpoint.
  boost::json::object to_json() const;
  void reset() { tallies_.clear(); }

 private:
  std::map<std::pair<std::string, std::string>, RequestTally> tallies_;
};

// The appid (or azp) claim of a bearer token, read WITHOUT verifying it: counting only, for a
// request the handler may refuse before it looks at the token. "" when there is none.
std::string unverified_client_id(std::string_view authorization_header);

}  // namespace ccteams::emulator
