#pragma once
// PresenceSubscriptionStore and PresenceInbox in memory, for presence-sync unit tests.
// fail_next_* makes the next call of that kind fail (unavailable). Not thread-safe.

#include <map>

#include "app/ports/presence_sync_store.hpp"

namespace ccteams::testing {

class InMemoryPresenceStore final : public PresenceSubscriptionStore, public PresenceInbox {
 public:
  // ---- scripting
  std::int64_t add(OrgId org, Timestamp received_at, std::vector<std::string> users) {
    InboxEntry e;
    e.seq = ++seq_;
    e.org = org;
    e.received_at = received_at;
    for (auto& u : users) {
      ChangeNotification n;
      n.subscription_id = "sub";
      n.resource = "communications/presences/" + u;
      n.user = u;
      e.batch.notifications.push_back(std::move(n));
    }
    entries_[e.seq] = e;
    return e.seq;
  }
  bool has(std::int64_t seq) const { return entries_.contains(seq); }
  std::size_t entries() const { return entries_.size(); }
  const std::map<std::string, PresenceSubscriptionRecord>& records() const { return subs_; }
  bool fail_next_remove = false;
  bool fail_next_put = false;

  // ---- PresenceSubscriptionStore
  Result<void> put_subscription(const PresenceSubscriptionRecord& r) override {
    if (fail_next_put) {
      fail_next_put = false;
      return make_error(Errc::unavailable, "fake store");
    }
    subs_[r.id] = r;
    return ok();
  }
  Result<void> delete_subscription(const std::string& id) override {
    subs_.erase(id);
    return ok();
  }
  Result<std::vector<PresenceSubscriptionRecord>> list_subscriptions(OrgId org) override {
    std::vector<PresenceSubscriptionRecord> out;
    for (const auto& [id, r] : subs_) {
      if (r.org == org) out.push_back(r);
    }
    return out;
  }
  Result<std::vector<PresenceSubscriptionRecord>> list_all_subscriptions() override {
    std::vector<PresenceSubscriptionRecord> out;
    for (const auto& [id, r] : subs_) out.push_back(r);
    return out;
  }

  // ---- PresenceInbox
  boost::asio::awaitable<Result<std::int64_t>> append(InboxEntry entry) override {
    entry.seq = ++seq_;
    entries_[entry.seq] = entry;
    co_return entry.seq;
  }
  Result<std::vector<InboxEntry>> pending(OrgId org, std::size_t limit) override {
    std::vector<InboxEntry> out;
    for (const auto& [seq, e] : entries_) {
      if (e.org == org && out.size() < limit) out.push_back(e);
    }
    return out;
  }
  Result<std::vector<OrgId>> orgs_with_pending() override {
    std::vector<OrgId> out;
    for (const auto& [seq, e] : entries_) out.push_back(e.org);
    return out;
  }
  Result<void> remove(OrgId, const std::vector<std::int64_t>& seqs) override {
    if (fail_next_remove) {
      fail_next_remove = false;
      return make_error(Errc::unavailable, "fake store");
    }
    for (auto s : seqs) entries_.erase(s);
    return ok();
  }
  Result<void> clear(OrgId org) override {
    std::erase_if(entries_, [org](const auto& kv) { return kv.second.org == org; });
    return ok();
  }

 private:
  std::int64_t seq_ = 0;
  std::map<std::int64_t, InboxEntry> entries_;
  std::map<std::string, PresenceSubscriptionRecord> subs_;
};

}  // namespace ccteams::testing
