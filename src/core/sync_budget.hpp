#pragma once
// The org's share of Graph's presence request budget, shared by every presence call we make:
// bulk reads (poller and coalesced notification reads) and outbound setPresence/clearPresence.
// Pure: time comes in as a value.
//
// Graph's limit (graph-protocol.md §3.4, §5): "1500 API requests in a 30 second period, per
// application per tenant" on the presence pages; the current limits page says 10,000 / 30 s. We
// plan for 1,500 and use a configurable share of it (default 50 %), so that other presence users
// of the same app (directory presence for the agents' search) and a second instance taking over
// a lease never push the tenant over the limit.
//
// Why one budget for reads and writes although §5 says Graph throttles them separately: the
// presence pages state one figure per app per tenant, and sharing is the conservative reading.
// Writes are few (one per contact start/end and renewal) and latency-sensitive, so the reads'
// cadence is computed from the share minus a write reserve (read_allowance()), while a write
// may take any token left in the window.
//
// The window is exact (a sliding log of grant times), not a token bucket: a bucket with a burst
// lets up to burst + rate x window through in one window, which would break "never over the
// share".
//
// Throttling: on_throttled() (Graph answered 429) blocks every grant until Retry-After has
// passed (exponential 1 s, 2 s, 4 s... up to 60 s when Graph sends none), halves the allowed
// rate, and the rate then doubles back every recovery_interval without a new 429 ("resume
// gradually": a full stop then an immediate full rate would meet the same limit again).
//
// Thread-safety: none; one owner (the org's presence-sync strand) drives it.

#include <cstdint>
#include <deque>
#include <optional>

#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams::sync {

struct PresenceBudgetConfig {
  int graph_limit = 1'500;  // Graph's presence requests per window
  Millis window{30'000};
  int share_percent = 50;            // how much of graph_limit this org's sync may use
  int write_reserve_percent = 10;    // part of the share the reads leave to writes
  int min_rate_divisor = 8;          // after 429s the rate never drops below share / 8
  Millis recovery_interval{10'000};  // the rate doubles back this often after a 429
  Millis max_backoff{60'000};        // cap of the backoff when no Retry-After is sent
};

// invalid_input when a figure is out of range (limits > 0, percents 1..100 and 0..90, divisor
// >= 1, durations > 0); the message names the field.
Result<void> validate(const PresenceBudgetConfig& config);

class PresenceBudget {
 public:
  // config must be valid (validate()); an invalid one is a bug (assert).
  explicit PresenceBudget(PresenceBudgetConfig config);

  // Takes one request token at `now` when the window and the throttling state allow it.
  // false: nothing is recorded; ask next_available() when to try again.
  bool try_take(Timestamp now);

  // The earliest time >= now at which try_take can succeed (now when it can right away).
  Timestamp next_available(Timestamp now) const;

  // Graph answered 429 (or 503 with Retry-After) to a presence call. retry_after: the header's
  // value when sent. Grants stop until then and the rate halves (see the file comment).
  void on_throttled(Timestamp now, std::optional<Millis> retry_after);
  // A presence call succeeded: the next 429 without Retry-After starts its backoff at 1 s again.
  void on_success();

  // Requests per window allowed at `now`: the share, reduced after throttling.
  int allowance(Timestamp now) const;
  // The part of allowance() the bulk reads plan their cadence on (at least 1).
  int read_allowance(Timestamp now) const;
  int share() const { return share_; }
  const PresenceBudgetConfig& config() const { return config_; }
  // Grants recorded in the window ending at now (for metrics).
  int used(Timestamp now) const;
  std::optional<Timestamp> blocked_until() const { return blocked_until_; }

 private:
  void expire(Timestamp now);
  int rate_divisor(Timestamp now) const;  // 1 = full rate; 2, 4, 8... after throttling

  PresenceBudgetConfig config_;
  int share_;
  std::deque<Timestamp> grants_;  // grant times, oldest first, pruned on try_take
  std::optional<Timestamp> blocked_until_;
  int divisor_at_unblock_ = 1;  // rate divisor in force when the block ends
  int consecutive_throttles_ = 0;
};

}  // namespace ccteams::sync
