#pragma once
// The webhook's gate over presence subscriptions: subscription id -> (org, clientState digest),
// and the digests of subscriptions being created (Graph may notify before the create call
// returns). Looked up across organisations by subscription id from the webhook's threads, so a
// mutex over these maps only: no organisation state lives behind it.

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "app/ports/presence_sync_store.hpp"
#include "app/ports/token_source.hpp"
#include "core/ids.hpp"

namespace ccteams::presence {

// Thread-safety: every call from any thread.
class SubscriptionGate {
 public:
  explicit SubscriptionGate(const TokenSource& tokens) : tokens_(tokens) {}

  void load(const std::vector<PresenceSubscriptionRecord>& records);
  void put(const std::string& id, OrgId org, std::string digest);
  void erase(const std::string& id);
  // A create in flight: its clientState's digest admits notifications for org meanwhile.
  void creating(const std::string& digest, OrgId org);
  void create_failed(const std::string& digest);
  void created(const std::string& id, OrgId org, const std::string& digest);

  GateDecision decide(std::string_view subscription_id, std::string_view client_state) const;

 private:
  struct Entry {
    OrgId org;
    std::string digest;
  };
  const TokenSource& tokens_;
  mutable std::mutex mu_;                           // guards gate_, pending_
  std::unordered_map<std::string, Entry> gate_;     // subscription id -> org, digest
  std::unordered_map<std::string, OrgId> pending_;  // digest -> org, while creating
};

}  // namespace ccteams::presence
