#include "app/presence/subscription_gate.hpp"

namespace ccteams::presence {

void SubscriptionGate::load(const std::vector<PresenceSubscriptionRecord>& records) {
  std::lock_guard lock(mu_);
  for (const auto& r : records) gate_[r.id] = Entry{r.org, r.client_state_sha256};
}

void SubscriptionGate::put(const std::string& id, OrgId org, std::string digest) {
  std::lock_guard lock(mu_);
  gate_[id] = Entry{org, std::move(digest)};
}

void SubscriptionGate::erase(const std::string& id) {
  std::lock_guard lock(mu_);
  gate_.erase(id);
}

void SubscriptionGate::creating(const std::string& digest, OrgId org) {
  std::lock_guard lock(mu_);
  pending_[digest] = org;
}

void SubscriptionGate::create_failed(const std::string& digest) {
  std::lock_guard lock(mu_);
  pending_.erase(digest);
}

void SubscriptionGate::created(const std::string& id, OrgId org, const std::string& digest) {
  std::lock_guard lock(mu_);
  pending_.erase(digest);
  gate_[id] = Entry{org, digest};
}

GateDecision SubscriptionGate::decide(std::string_view subscription_id,
                                      std::string_view client_state) const {
  const std::string digest = tokens_.digest(client_state);
  std::lock_guard lock(mu_);
  auto it = gate_.find(std::string(subscription_id));
  if (it != gate_.end()) {
    if (tokens_.equals(digest, it->second.digest)) {
      return GateDecision{it->second.org, GateRejection::unspecified};
    }
    return GateDecision{std::nullopt, GateRejection::client_state};
  }
  // A subscription being created: Graph may notify before our create call has returned.
  if (auto p = pending_.find(digest); p != pending_.end()) {
    return GateDecision{p->second, GateRejection::unspecified};
  }
  return GateDecision{std::nullopt, GateRejection::unknown_subscription};
}

}  // namespace ccteams::presence
