#pragma once
// The bulk-read channel's cadence (DESIGN.md data flow, channel 1): which users the next
// getPresencesByUserId call reads and when. Pure: a scheduler fed with "now".
//
// Cadence. The watched users are split into B = ceil(N / batch_size) batches of balanced size
// (10,000 users: 16 batches of 625, not 15 x 650 + 250, so every call costs Graph about the
// same). One round reads every batch once; the batches of a round are spread evenly over it
// (one call every `spacing`) rather than sent in a burst, so the budget is used smoothly and a
// change waits at most one round plus one call. The spacing is the larger of
//   target_round / B                      (about a second per round when the budget allows) and
//   budget window / read_allowance        (never faster than our share of Graph's limit),
// so 10,000 users with 50 % of 1,500 / 30 s (read allowance 675 / 30 s = 22.5 calls/s) get
// 16 calls/round at 62 ms spacing: a round every 0.99 s. 20,000 users (31 batches) exceed
// it: spacing 45 ms -> 1.4 s per round.
//
// Failures. A throttled read (429) is reported to the budget (which stops every presence call
// until Retry-After and then resumes gradually) and the same batch is read again first. Any
// other failure (5xx, timeout) also retries the batch first, after an exponential pause
// (1 s, 2 s... up to failure_backoff_max) so a Graph outage is not hammered; a success resets it.
//
// Ownership: the scheduler keeps a reference to the budget, which it shares with the outbound
// writer and the notification reads; the budget must outlive it.
// Thread-safety: none; the org's presence-sync strand drives it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/sync_budget.hpp"
#include "core/time.hpp"

namespace ccteams::sync {

inline constexpr std::size_t kMaxPresenceIdsPerCall = 650;  // getPresencesByUserId (§3.4)

struct PollConfig {
  std::size_t batch_size = kMaxPresenceIdsPerCall;  // 1..650
  Millis target_round{1'000};
  Millis failure_backoff_max{30'000};
};

// invalid_input when batch_size is not 1..650 or a duration is not positive.
Result<void> validate(const PollConfig& config);

// How many calls of at most batch_size ids cover `users` ids (0 for none).
std::size_t batch_count(std::size_t users, std::size_t batch_size);
// Splits ids into batch_count() batches whose sizes differ by at most one, in input order.
std::vector<std::vector<std::string>> split_batches(const std::vector<std::string>& ids,
                                                    std::size_t batch_size);

struct PollBatch {
  std::uint64_t round = 0;  // 0 for the first round after start (the first sync)
  std::size_t index = 0;    // position in the round
  bool retry = false;       // this batch failed before and is read again
  // Shared with the scheduler (batches are immutable once built): handing a batch out copies
  // no ids. Never null.
  std::shared_ptr<const std::vector<std::string>> user_ids;
};

struct PollStep {
  // Read these now: a budget token was taken for the call. nullopt: nothing to read yet.
  std::optional<PollBatch> batch;
  // When to call next() again (with a batch: the next slot; without: the earliest useful time).
  Timestamp next_at;
};

enum class ReadOutcome : std::uint8_t { ok, throttled, failed };

class PollScheduler {
 public:
  // config must be valid (validate()). budget: not owned, must outlive the scheduler.
  PollScheduler(PollConfig config, PresenceBudget& budget);

  // Replaces the watched users (duplicates are kept out of the batches). A round in progress
  // goes on with the new batches from the same position; the next due time is kept.
  void set_users(const std::vector<std::string>& user_ids);

  // The next read, if one is due at `now` and the budget gives a token.
  PollStep next(Timestamp now);

  // The result of the call for `batch` (as returned by next()). retry_after: the 429's header.
  void on_result(Timestamp now, const PollBatch& batch, ReadOutcome outcome,
                 std::optional<Millis> retry_after = std::nullopt);

  // The pause between two calls at `now` and the resulting time for a whole round.
  Millis spacing(Timestamp now) const;
  Millis round_interval(Timestamp now) const;
  std::size_t batches() const { return batches_.size(); }
  std::size_t users() const { return users_; }
  // Rounds read in full (every batch answered ok or retried to ok), for the first-sync signal.
  std::uint64_t rounds_completed() const { return rounds_completed_; }

 private:
  PollConfig config_;
  PresenceBudget& budget_;
  std::vector<std::shared_ptr<const std::vector<std::string>>> batches_;
  std::size_t users_ = 0;
  std::size_t cursor_ = 0;  // next batch of the round
  std::uint64_t round_ = 0;
  std::uint64_t rounds_completed_ = 0;
  std::optional<Timestamp> next_due_;
  std::optional<PollBatch> retry_;  // a failed batch, read again before the round goes on
  int consecutive_failures_ = 0;
};

}  // namespace ccteams::sync
