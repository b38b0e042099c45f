#include "app/cc_event_hub.hpp"

namespace ccteams {

bool visible_to(const CcSubscription& sub, const CcEventRecord& event) {
  if (sub.org != event.org) return false;
  if (!sub.only_agent) return true;
  return event.agent && *event.agent == *sub.only_agent;
}

CcEventHub::Token CcEventHub::subscribe(CcSubscription sub) {
  std::lock_guard lock(mu_);
  const Token t = next_++;
  subs_.emplace(t, std::move(sub));
  return t;
}

void CcEventHub::unsubscribe(Token token) {
  std::lock_guard lock(mu_);
  subs_.erase(token);
}

void CcEventHub::publish(const CcEventRecord& event) {
  // Delivering under the lock is what makes unsubscribe's promise hold; deliver only queues.
  std::lock_guard lock(mu_);
  for (const auto& [_, sub] : subs_) {
    if (visible_to(sub, event)) sub.deliver(event);
  }
}

std::size_t CcEventHub::subscriber_count() const {
  std::lock_guard lock(mu_);
  return subs_.size();
}

}  // namespace ccteams
