#pragma once
// The one check before every Graph call presence sync makes for an organisation (reads, the
// presence session's writes, subscriptions): a decorator over the three roles of PresenceGraph
// that asks OrgOwnership first and, when this instance no longer serves the organisation (with
// [cluster]: the lease keeper's local deadline passed, docs/postgresql.md), answers at once
// with a transient error (kind transport, code "org_elsewhere") instead of calling Graph. The
// lease's `lost` stops the organisation's sync soon after; until then its components treat the
// skipped call as a failed one and try again later, which the stopped loop never does.
//
// One per OrgSync (it knows its organisation). Thread-safety: as the roles it wraps.

#include <cstdint>

#include "app/ports/org_ownership.hpp"
#include "app/presence/presence_graph.hpp"

namespace ccteams::presence {

class OwnedGraph final : public GraphPresenceReader,
                         public GraphPresenceWriter,
                         public GraphSubscriptions {
 public:
  template <class T>
  using Async = GraphAsync<T>;  // each base names one; this one is the same

  // inner's roles and ownership must outlive this.
  OwnedGraph(PresenceGraph inner, const OrgOwnership& ownership, OrgId org)
      : inner_(inner), ownership_(ownership), org_(org) {}

  // Calls not made because the organisation was no longer served (tests, logs).
  std::uint64_t skipped() const { return skipped_; }

  // GraphPresenceReader
  Async<std::vector<GraphPresence>> get_presences(std::string tenant,
                                                  std::vector<std::string> user_ids) override;
  // GraphPresenceWriter
  Async<void> set_presence(std::string tenant, SetPresenceRequest request) override;
  Async<void> clear_presence(std::string tenant, std::string user_id,
                             std::string session_id) override;
  // GraphSubscriptions
  Async<Subscription> create_subscription(std::string tenant, std::string access_token,
                                          SubscriptionRequest request) override;
  Async<Subscription> get_subscription(std::string tenant, std::string access_token,
                                       std::string id) override;
  Async<SubscriptionsPage> list_subscriptions(std::string tenant,
                                              std::string access_token) override;
  Async<Subscription> renew_subscription(std::string tenant, std::string access_token,
                                         std::string id, SubscriptionRenewal renewal) override;
  Async<void> reauthorize_subscription(std::string tenant, std::string access_token,
                                       std::string id) override;
  Async<void> delete_subscription(std::string tenant, std::string access_token,
                                  std::string id) override;

 private:
  // Whether org is no longer ours: the call is not made (counted and logged).
  bool gone(const char* call);
  // What a call not made answers.
  GraphError not_sent() const;

  PresenceGraph inner_;
  const OrgOwnership& ownership_;
  OrgId org_;
  std::uint64_t skipped_ = 0;  // on the org's strand, where its components call
};

}  // namespace ccteams::presence
