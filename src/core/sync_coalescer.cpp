#include "core/sync_coalescer.hpp"

#include <cassert>

namespace ccteams::sync {

Result<void> validate(const CoalescerConfig& c) {
  if (c.window < Millis::zero()) {
    return make_error(Errc::invalid_input, "coalescer: window must not be negative");
  }
  if (c.max_ids < 1 || c.max_ids > 650) {
    return make_error(Errc::invalid_input, "coalescer: max_ids must be 1-650");
  }
  return ok();
}

NotificationCoalescer::NotificationCoalescer(CoalescerConfig config) : config_(config) {
  assert(validate(config_));
}

bool NotificationCoalescer::add(std::string_view user_id, Timestamp now) {
  if (queued_.contains(user_id)) return false;
  if (batches_.empty() || batches_.back().ids.size() >= config_.max_ids) {
    batches_.push_back(Batch{now, {}});
    batches_.back().ids.reserve(config_.max_ids);
  }
  auto& ids = batches_.back().ids;
  ids.emplace_back(user_id);
  queued_.insert(ids.back());
  return true;
}

std::optional<Timestamp> NotificationCoalescer::due_at() const {
  if (batches_.empty()) return std::nullopt;
  const Batch& b = batches_.front();
  if (b.ids.size() >= config_.max_ids) return b.first_at;
  return b.first_at + config_.window;
}

std::vector<std::string> NotificationCoalescer::pop_front() {
  for (const auto& id : batches_.front().ids) queued_.erase(id);  // before the strings move
  std::vector<std::string> ids = std::move(batches_.front().ids);
  batches_.pop_front();
  return ids;
}

std::optional<std::vector<std::string>> NotificationCoalescer::take(Timestamp now) {
  const auto due = due_at();
  if (!due || now < *due) return std::nullopt;
  return pop_front();
}

std::optional<std::vector<std::string>> NotificationCoalescer::take_now() {
  if (batches_.empty()) return std::nullopt;
  return pop_front();
}

}  // namespace ccteams::sync
