#include "core/sync_polling.hpp"

#include <algorithm>
#include <cassert>
#include <string_view>
#include <unordered_set>

namespace ccteams::sync {

Result<void> validate(const PollConfig& c) {
  if (c.batch_size < 1 || c.batch_size > kMaxPresenceIdsPerCall) {
    return make_error(Errc::invalid_input, "poll: batch_size must be 1-650");
  }
  if (c.target_round <= Millis::zero()) {
    return make_error(Errc::invalid_input, "poll: target_round must be positive");
  }
  if (c.failure_backoff_max <= Millis::zero()) {
    return make_error(Errc::invalid_input, "poll: failure_backoff_max must be positive");
  }
  return ok();
}

std::size_t batch_count(std::size_t users, std::size_t batch_size) {
  assert(batch_size > 0);
  return (users + batch_size - 1) / batch_size;
}

std::vector<std::vector<std::string>> split_batches(const std::vector<std::string>& ids,
                                                    std::size_t batch_size) {
  const std::size_t n = batch_count(ids.size(), batch_size);
  std::vector<std::vector<std::string>> out(n);
  if (n == 0) return out;
  const std::size_t base = ids.size() / n;
  const std::size_t larger = ids.size() % n;  // the first `larger` batches hold one more
  std::size_t pos = 0;
  for (std::size_t b = 0; b < n; ++b) {
    const std::size_t size = base + (b < larger ? 1 : 0);
    out[b].assign(ids.begin() + static_cast<std::ptrdiff_t>(pos),
                  ids.begin() + static_cast<std::ptrdiff_t>(pos + size));
    pos += size;
  }
  return out;
}

PollScheduler::PollScheduler(PollConfig config, PresenceBudget& budget)
    : config_(config), budget_(budget) {
  assert(validate(config_));
}

void PollScheduler::set_users(const std::vector<std::string>& user_ids) {
  std::vector<std::string> unique;
  unique.reserve(user_ids.size());
  std::unordered_set<std::string_view> seen;
  seen.reserve(user_ids.size());
  for (const auto& id : user_ids) {
    if (seen.insert(id).second) unique.push_back(id);
  }
  users_ = unique.size();
  batches_.clear();
  for (auto& b : split_batches(unique, config_.batch_size)) {
    batches_.push_back(std::make_shared<const std::vector<std::string>>(std::move(b)));
  }
  if (cursor_ >= batches_.size()) {
    // The round in progress no longer has a batch at this position: start the next one.
    if (cursor_ != 0) ++round_;
    cursor_ = 0;
  }
}

Millis PollScheduler::spacing(Timestamp now) const {
  const auto n = static_cast<std::int64_t>(std::max<std::size_t>(1, batches_.size()));
  const Millis by_target = config_.target_round / n;
  // Ceil so that read_allowance calls per window is never exceeded by rounding down.
  const auto allowance = static_cast<std::int64_t>(budget_.read_allowance(now));
  const Millis by_budget{(budget_.config().window.count() + allowance - 1) / allowance};
  return std::max(by_target, by_budget);
}

Millis PollScheduler::round_interval(Timestamp now) const {
  return spacing(now) * static_cast<std::int64_t>(std::max<std::size_t>(1, batches_.size()));
}

PollStep PollScheduler::next(Timestamp now) {
  if (batches_.empty() && !retry_) return {std::nullopt, now + config_.target_round};
  if (next_due_ && now < *next_due_) return {std::nullopt, *next_due_};
  if (!budget_.try_take(now)) return {std::nullopt, budget_.next_available(now)};
  PollBatch batch;
  if (retry_) {
    batch = std::move(*retry_);
    retry_.reset();
    batch.retry = true;
  } else {
    batch = PollBatch{round_, cursor_, false, batches_[cursor_]};
    if (++cursor_ == batches_.size()) {
      cursor_ = 0;
      ++round_;
    }
  }
  next_due_ = now + spacing(now);
  return {std::move(batch), *next_due_};
}

void PollScheduler::on_result(Timestamp now, const PollBatch& batch, ReadOutcome outcome,
                              std::optional<Millis> retry_after) {
  switch (outcome) {
    case ReadOutcome::ok:
      consecutive_failures_ = 0;
      budget_.on_success();
      if (batch.index + 1 == batches_.size()) {
        rounds_completed_ = std::max(rounds_completed_, batch.round + 1);
      }
      return;
    case ReadOutcome::throttled:
      // The budget holds every presence call until Retry-After; the batch goes first then.
      budget_.on_throttled(now, retry_after);
      break;
    case ReadOutcome::failed: {
      ++consecutive_failures_;
      const int shift = std::min(consecutive_failures_ - 1, 16);
      const Millis pause =
          std::min(config_.failure_backoff_max, Millis{1'000} * (std::int64_t{1} << shift));
      const Timestamp due = now + pause;
      next_due_ = next_due_ ? std::max(*next_due_, due) : due;
      break;
    }
  }
  // Keep the oldest pending failure: a later one is read again in the next round anyway.
  if (!retry_) retry_ = batch;
}

}  // namespace ccteams::sync
