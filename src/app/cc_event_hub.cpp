#include "app/cc_event_hub.hpp"

namespace ccteams {

bool visible_to(const CcSubscription& sub, const CcEventRecord& event) {
  if (sub.org != event.org) return false;
  if (!sub.only_agent) return true;
  return event.agent && *event.agent == *sub.only_agent;
}

CcEventHub::Token CcEventHub::subscribe(CcSubscription sub) {
  std::shared_ptr<OrgSubscribers> org;
  Token t = 0;
  {
    std::lock_guard lock(mu_);
    t = next_++;
    auto& slot = orgs_[sub.org];
    if (!slot) slot = std::make_shared<OrgSubscribers>();
    org = slot;
    token_org_.emplace(t, sub.org);
  }
  std::lock_guard lock(org->mu);
  org->subs.emplace(t, std::move(sub));
  return t;
}

void CcEventHub::unsubscribe(Token token) {
  std::shared_ptr<OrgSubscribers> org;
  {
    std::lock_guard lock(mu_);
    auto it = token_org_.find(token);
    if (it == token_org_.end()) return;
    auto o = orgs_.find(it->second);
    if (o != orgs_.end()) org = o->second;
    token_org_.erase(it);
  }
  // An organisation's entry stays once created: one per organisation is bounded, and dropping
  // it here would race a subscribe that already holds it.
  if (!org) return;
  std::lock_guard lock(org->mu);
  org->subs.erase(token);
}

std::shared_ptr<CcEventHub::OrgSubscribers> CcEventHub::find(OrgId org) const {
  std::lock_guard lock(mu_);
  auto it = orgs_.find(org);
  return it == orgs_.end() ? nullptr : it->second;
}

void CcEventHub::publish(const CcEventRecord& event) {
  auto org = find(event.org);
  if (!org) return;
  // Delivering under the organisation's lock keeps unsubscribe's promise; deliver only queues.
  std::lock_guard lock(org->mu);
  for (const auto& [_, sub] : org->subs) {
    if (visible_to(sub, event)) sub.deliver(event);
  }
}

std::size_t CcEventHub::subscriber_count() const {
  std::lock_guard lock(mu_);
  return token_org_.size();
}

std::size_t CcEventHub::subscriber_count(OrgId org) const {
  auto o = find(org);
  if (!o) return 0;
  std::lock_guard lock(o->mu);
  return o->subs.size();
}

}  // namespace ccteams
