#include "app/presence/owned_graph.hpp"

#include <spdlog/spdlog.h>

namespace ccteams::presence {

bool OwnedGraph::gone(const char* call) {
  if (ownership_.serves(org_)) return false;
  ++skipped_;
  spdlog::info("presence sync: org {}: {} not sent: this instance no longer serves the "
               "organisation",
               org_.value, call);
  return true;
}

GraphError OwnedGraph::not_sent() const {
  GraphError e;
  e.kind = GraphErrorKind::transport;  // transient: nothing is concluded from it
  e.code = std::string(kOrgElsewhereCode);
  e.message = "not sent: this instance no longer serves organisation " +
              std::to_string(org_.value);
  return e;
}

// Each call: the check, then the inner role. Parameters by value (coroutines).

GraphAsync<std::vector<GraphPresence>> OwnedGraph::get_presences(
    std::string tenant, std::vector<std::string> user_ids) {
  if (gone("a presence read")) co_return not_sent();
  co_return co_await inner_.reads.get_presences(std::move(tenant), std::move(user_ids));
}

GraphAsync<void> OwnedGraph::set_presence(std::string tenant, SetPresenceRequest request) {
  if (gone("a setPresence")) co_return not_sent();
  co_return co_await inner_.writes.set_presence(std::move(tenant), std::move(request));
}

GraphAsync<void> OwnedGraph::clear_presence(std::string tenant, std::string user_id,
                                            std::string session_id) {
  if (gone("a clearPresence")) co_return not_sent();
  co_return co_await inner_.writes.clear_presence(std::move(tenant), std::move(user_id),
                                                  std::move(session_id));
}

GraphAsync<Subscription> OwnedGraph::create_subscription(std::string tenant,
                                                         std::string access_token,
                                                         SubscriptionRequest request) {
  if (gone("a subscription's creation")) co_return not_sent();
  co_return co_await inner_.subscriptions.create_subscription(
      std::move(tenant), std::move(access_token), std::move(request));
}

GraphAsync<Subscription> OwnedGraph::get_subscription(std::string tenant,
                                                      std::string access_token, std::string id) {
  if (gone("a subscription's read")) co_return not_sent();
  co_return co_await inner_.subscriptions.get_subscription(std::move(tenant),
                                                           std::move(access_token), std::move(id));
}

GraphAsync<SubscriptionsPage> OwnedGraph::list_subscriptions(std::string tenant,
                                                             std::string access_token) {
  if (gone("a subscription list")) co_return not_sent();
  co_return co_await inner_.subscriptions.list_subscriptions(std::move(tenant),
                                                             std::move(access_token));
}

GraphAsync<Subscription> OwnedGraph::renew_subscription(std::string tenant,
                                                        std::string access_token, std::string id,
                                                        SubscriptionRenewal renewal) {
  if (gone("a subscription's renewal")) co_return not_sent();
  co_return co_await inner_.subscriptions.renew_subscription(
      std::move(tenant), std::move(access_token), std::move(id), std::move(renewal));
}

GraphAsync<void> OwnedGraph::reauthorize_subscription(std::string tenant,
                                                      std::string access_token, std::string id) {
  if (gone("a subscription's reauthorization")) co_return not_sent();
  co_return co_await inner_.subscriptions.reauthorize_subscription(
      std::move(tenant), std::move(access_token), std::move(id));
}

GraphAsync<void> OwnedGraph::delete_subscription(std::string tenant, std::string access_token,
                                                 std::string id) {
  if (gone("a subscription's deletion")) co_return not_sent();
  co_return co_await inner_.subscriptions.delete_subscription(
      std::move(tenant), std::move(access_token), std::move(id));
}

}  // namespace ccteams::presence
