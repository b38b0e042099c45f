#pragma once
// Live fan-out of contact-center events to subscribers (the WebSocket connections), with the
// visibility rule of issue 5: an agent sees only events about themselves, supervisors and
// admins their whole organisation, nobody another organisation's.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "app/ports/contact_center_store.hpp"

namespace ccteams {

struct CcSubscription {
  OrgId org;
  // Set for an agent-only view: events whose `agent` is this user; unset: the whole org.
  std::optional<UserId> only_agent;
  // Called on the publishing thread, in seq order per org; must not block and must not call
  // back into the hub (WebSocket::send queues and returns).
  std::function<void(const CcEventRecord&)> deliver;
};

// Whether a subscription may see the event (exposed for the replay path and tests).
bool visible_to(const CcSubscription& sub, const CcEventRecord& event);

// Subscribers are indexed by organisation, each organisation with its own lock: publishing an
// event of one organisation visits only that organisation's subscribers and never waits for
// another organisation's delivery (DESIGN.md: whatever crosses organisations hands off).
// Thread-safety: every method may be called from any thread.
class CcEventHub {
 public:
  using Token = std::uint64_t;
  Token subscribe(CcSubscription sub);
  // After unsubscribe returns, deliver is not called again.
  void unsubscribe(Token token);
  void publish(const CcEventRecord& event);
  std::size_t subscriber_count() const;
  std::size_t subscriber_count(OrgId org) const;

 private:
  struct OrgSubscribers {
    std::mutex mu;  // held while delivering: that is what makes unsubscribe's promise hold
    std::map<Token, CcSubscription> subs;
  };
  std::shared_ptr<OrgSubscribers> find(OrgId org) const;

  // Guards the index only, never held while delivering.
  mutable std::mutex mu_;
  Token next_ = 1;
  std::map<OrgId, std::shared_ptr<OrgSubscribers>> orgs_;
  std::map<Token, OrgId> token_org_;
};

}  // namespace ccteams
