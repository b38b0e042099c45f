#pragma once
// The one retry policy of the Graph client (graph-protocol.md §5), as pure logic: the caller
// passes the attempt that just failed, what came back, the time and a random number, and gets
// "retry after this delay" or "stop". No clock, no randomness, no I/O inside.
//
//  * 429 and 503 honour Retry-After (delta-seconds or an HTTP-date); a Retry-After longer than
//    max_retry_after is not waited for inside the call: the policy stops and reports it, so the
//    caller (e.g. the budget) can park the work instead of holding a request open.
//    Without Retry-After they back off like other transient errors (some identity resources
//    send none).
//  * 500, 502, 504 and transport failures (status 0: connection refused/reset, timeout) back off
//    exponentially with full jitter: delay = random × min(max_delay, base × 2^(attempt−1)).
//    Not for non-idempotent requests (a subscription POST may have been applied).
//  * Every other status (other 4xx, 2xx, 3xx) is not retried.
//  * At most max_attempts attempts in all.
// Thread-safety: pure functions over values.

#include <chrono>
#include <optional>
#include <string_view>

#include "core/time.hpp"

namespace ccteams::graph {

struct RetryConfig {
  int max_attempts = 4;  // including the first
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{std::chrono::seconds{20}};
  std::chrono::seconds max_retry_after{std::chrono::seconds{60}};
};

struct RetryInput {
  int attempt = 1;  // 1-based number of the attempt that just failed
  int status = 0;   // HTTP status; 0 = no HTTP answer (connect failure, reset, timeout)
  std::string_view retry_after;  // the Retry-After header value, "" when absent
  Timestamp now{};               // to resolve an HTTP-date Retry-After
  double random = 0.0;           // uniform in [0, 1), for the jitter
  bool idempotent = true;        // false for POST /subscriptions and the like
};

struct RetryDecision {
  bool retry = false;
  std::chrono::milliseconds delay{0};  // wait this long before the next attempt (retry only)
  // Parsed Retry-After in whole seconds (rounded up), 0 when absent; reported even when the
  // decision is to stop, so the error can carry it.
  int retry_after_seconds = 0;
};

RetryDecision decide_retry(const RetryConfig& config, const RetryInput& input);

// True for statuses the policy may retry: 429, 500, 502, 503, 504 and 0 (transport).
bool is_transient_status(int status);

// Retry-After: delta-seconds ("120") or an IMF-fixdate ("Wed, 21 Oct 2026 07:28:00 GMT"),
// relative to now (a date in the past gives 0). nullopt when absent or unreadable.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, Timestamp now);

}  // namespace ccteams::graph
