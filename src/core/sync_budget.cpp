#include "core/sync_budget.hpp"

#include <algorithm>
#include <cassert>
#include <string>

namespace ccteams::sync {

Result<void> validate(const PresenceBudgetConfig& c) {
  auto bad = [](const char* field, const char* rule) {
    return make_error(Errc::invalid_input, std::string("presence budget: ") + field + " " + rule);
  };
  if (c.graph_limit <= 0) return bad("graph_limit", "must be positive");
  if (c.window <= Millis::zero()) return bad("window", "must be positive");
  if (c.share_percent < 1 || c.share_percent > 100) return bad("share_percent", "must be 1-100");
  if (c.write_reserve_percent < 0 || c.write_reserve_percent > 90) {
    return bad("write_reserve_percent", "must be 0-90");
  }
  if (c.min_rate_divisor < 1) return bad("min_rate_divisor", "must be at least 1");
  if (c.recovery_interval <= Millis::zero()) return bad("recovery_interval", "must be positive");
  if (c.max_backoff <= Millis::zero()) return bad("max_backoff", "must be positive");
  return ok();
}

PresenceBudget::PresenceBudget(PresenceBudgetConfig config)
    : config_(config),
      share_(std::max(1, static_cast<int>(static_cast<std::int64_t>(config.graph_limit) *
                                          config.share_percent / 100))) {
  assert(validate(config_));
}

int PresenceBudget::rate_divisor(Timestamp now) const {
  if (!blocked_until_ || divisor_at_unblock_ <= 1) return 1;
  if (now < *blocked_until_) return divisor_at_unblock_;
  const auto steps = (now - *blocked_until_) / config_.recovery_interval;
  int divisor = divisor_at_unblock_;
  for (std::int64_t i = 0; i < steps && divisor > 1; ++i) divisor /= 2;
  return std::max(1, divisor);
}

int PresenceBudget::allowance(Timestamp now) const {
  return std::max(1, share_ / rate_divisor(now));
}

int PresenceBudget::read_allowance(Timestamp now) const {
  const int a = allowance(now);
  return std::max(1, static_cast<int>(static_cast<std::int64_t>(a) *
                                      (100 - config_.write_reserve_percent) / 100));
}

void PresenceBudget::expire(Timestamp now) {
  while (!grants_.empty() && grants_.front() <= now - config_.window) grants_.pop_front();
}

int PresenceBudget::used(Timestamp now) const {
  const auto first = std::upper_bound(grants_.begin(), grants_.end(), now - config_.window);
  const auto last = std::upper_bound(grants_.begin(), grants_.end(), now);
  return static_cast<int>(last - first);
}

bool PresenceBudget::try_take(Timestamp now) {
  if (blocked_until_ && now < *blocked_until_) return false;
  expire(now);
  if (used(now) >= allowance(now)) return false;
  // A caller's clock may step back a little; keep the log sorted so the window stays exact.
  grants_.insert(std::upper_bound(grants_.begin(), grants_.end(), now), now);
  return true;
}

Timestamp PresenceBudget::next_available(Timestamp now) const {
  Timestamp t = now;
  if (blocked_until_ && t < *blocked_until_) t = *blocked_until_;
  const auto first = std::upper_bound(grants_.begin(), grants_.end(), t - config_.window);
  const int in_window = static_cast<int>(grants_.end() - first);
  const int allowed = allowance(t);
  if (in_window < allowed) return t;
  // Enough of the oldest grants must leave the window to bring the count under the allowance.
  Timestamp when = *(first + (in_window - allowed)) + config_.window;
  // While the rate recovers, the allowance grows at each step; a step may come sooner.
  if (blocked_until_ && rate_divisor(t) > 1 && t >= *blocked_until_) {
    const auto steps = (t - *blocked_until_) / config_.recovery_interval;
    when = std::min(when, *blocked_until_ + (steps + 1) * config_.recovery_interval);
  }
  return std::max(when, t);
}

void PresenceBudget::on_throttled(Timestamp now, std::optional<Millis> retry_after) {
  const int current = rate_divisor(now);
  Millis wait{};
  if (retry_after && *retry_after > Millis::zero()) {
    wait = *retry_after;
  } else {
    // No Retry-After: exponential backoff from 1 s, capped.
    const int shift = std::min(consecutive_throttles_, 16);
    wait = std::min(config_.max_backoff, Millis{1'000} * (std::int64_t{1} << shift));
  }
  ++consecutive_throttles_;
  const Timestamp until = now + wait;
  blocked_until_ = blocked_until_ ? std::max(*blocked_until_, until) : until;
  divisor_at_unblock_ = std::min(config_.min_rate_divisor, std::max(1, current * 2));
}

void PresenceBudget::on_success() { consecutive_throttles_ = 0; }

}  // namespace ccteams::sync
