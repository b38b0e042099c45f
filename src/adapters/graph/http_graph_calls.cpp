// HttpGraphClient: the Graph resource calls (users, presence, subscriptions). The transport,
// tokens, retries and budget are in http_graph_client.cpp.

#include "adapters/graph/graph_json.hpp"
#include "adapters/graph/http_graph_client.hpp"
#include "adapters/http/http_client.hpp"

namespace ccteams::graph {

namespace {

std::string segment(std::string_view s) { return http::percent_encode(s); }

template <class T>
GraphResult<T> decoded(const ClientResponse& response, Result<T> r) {
  if (!r) {
    GraphError e;
    e.kind = GraphErrorKind::decode;
    e.http_status = response.status;
    e.message = "unreadable answer: " + r.error().message;
    return e;
  }
  return std::move(*r);
}

}  // namespace

// ---- users ----

GraphClient::Async<UsersPage> HttpGraphClient::list_users(std::string tenant, int page_size) {
  Call call;
  call.method = "GET";
  // $count=true (with ConsistencyLevel: eventual, an advanced query) gives the total for
  // progress reporting of a first sync; $top is capped at Graph's 999.
  const int top = std::clamp(page_size, 1, 999);
  call.url = config_.graph_base + "/users?$select=" + kUserSelect + "&$top=" +
             std::to_string(top) + "&$count=true";
  call.headers.push_back({"ConsistencyLevel", "eventual"});
  call.budget = BudgetKind::identity_read;
  call.cost = 1;  // GET users 2 RU, $select −1
  auto r = co_await execute(tenant, std::move(call));
  if (!r) co_return std::move(r).error();
  co_return decoded(*r, decode_users_page(r->body));
}

GraphClient::Async<UsersPage> HttpGraphClient::users_page(std::string tenant, std::string link) {
  if (!same_graph_origin(link)) {
    GraphError e;
    e.kind = GraphErrorKind::invalid_request;
    e.message = "next/delta link is not on the configured Graph origin";
    co_return e;
  }
  Call call;
  call.method = "GET";
  call.url = std::move(link);
  // Harmless on delta links, needed on list links that carry $count.
  call.headers.push_back({"ConsistencyLevel", "eventual"});
  call.budget = BudgetKind::identity_read;
  auto r = co_await execute(tenant, std::move(call));
  if (!r) co_return std::move(r).error();
  co_return decoded(*r, decode_users_page(r->body));
}

GraphClient::Async<UsersPage> HttpGraphClient::users_delta_start(std::string tenant) {
  Call call;
  call.method = "GET";
  call.url = config_.graph_base + "/users/delta?$select=" + kUserSelect;
  call.budget = BudgetKind::identity_read;
  auto r = co_await execute(tenant, std::move(call));
  if (!r) co_return std::move(r).error();
  co_return decoded(*r, decode_users_page(r->body));
}

GraphClient::Async<DirectoryRoles> HttpGraphClient::my_directory_roles(std::string tenant,
                                                                       std::string access_token) {
  // A person holds a handful of memberships; a bound keeps a hostile nextLink chain finite.
  constexpr int kMaxPages = 20;
  DirectoryRoles out;
  std::string url = config_.graph_base + "/me/memberOf";
  for (int page = 0; page < kMaxPages; ++page) {
    Call call;
    call.method = "GET";
    call.url = url;
    call.bearer = access_token;
    call.budget = BudgetKind::identity_read;
    auto r = co_await execute(tenant, std::move(call));
    if (!r) co_return std::move(r).error();
    auto decoded_page = decoded(*r, decode_directory_roles(r->body));
    if (!decoded_page) co_return std::move(decoded_page).error();
    for (auto& id : decoded_page->roles.template_ids) out.template_ids.push_back(std::move(id));
    out.complete = out.complete && decoded_page->roles.complete;
    if (!decoded_page->next_link) co_return out;
    if (!same_graph_origin(*decoded_page->next_link)) break;
    url = std::move(*decoded_page->next_link);
  }
  GraphError e;
  e.kind = GraphErrorKind::decode;
  e.message = "memberOf pages do not end on the configured Graph origin";
  co_return e;
}

// ---- presence ----

GraphClient::Async<std::vector<GraphPresence>> HttpGraphClient::get_presences(
    std::string tenant, std::vector<std::string> user_ids) {
  if (user_ids.empty() || user_ids.size() > kMaxPresenceIdsPerCall) {
    GraphError e;
    e.kind = GraphErrorKind::invalid_request;
    e.message = "getPresencesByUserId takes 1 to 650 ids, got " + std::to_string(user_ids.size());
    co_return e;
  }
  Call call;
  call.method = "POST";
  call.url = config_.graph_base + "/communications/getPresencesByUserId";
  call.body = encode_presences_by_user_id(user_ids);
  call.content_type = "application/json";
  call.budget = BudgetKind::presence;
  auto r = co_await execute(tenant, std::move(call));
  if (!r) co_return std::move(r).error();
  co_return decoded(*r, decode_presences(r->body));
}

GraphClient::Async<void> HttpGraphClient::set_presence(std::string tenant,
                                                       SetPresenceRequest request) {
  Call call;
  call.method = "POST";
  call.url = config_.graph_base + "/users/" + segment(request.user_id) + "/presence/setPresence";
  call.body = encode_set_presence(request);
  call.content_type = "application/json";
  call.budget = BudgetKind::presence;
  auto r = co_await execute(tenant, std::move(call));
  if (!r) co_return std::move(r).error();
  co_return GraphResult<void>{};
}

GraphClient::Async<void> HttpGraphClient::clear_presence(std::string tenant, std::string user_id,
                                                         std::string session_id) {
  Call call;
  call.method = "POST";
  call.url = config_.graph_base + "/users/" + segment(user_id) + "/presence/clearPresence";
  call.body = encode_clear_presence(session_id);
  call.content_type = "application/json";
  call.budget = BudgetKind::presence;
  auto r = co_await execute(tenant, std::move(call));
  if (!r) co_return std::move(r).error();
  co_return GraphResult<void>{};
}

// ---- subscriptions (delegated) ----

GraphClient::Async<Subscription> HttpGraphClient::create_subscription(
    std::string tenant, std::string access_token, SubscriptionRequest request) {
  Call call;
  call.method = "POST";
  call.url = config_.graph_base + "/subscriptions";
  call.body = encode_subscription_create(request);
  call.content_type = "application/json";
  call.bearer = std::move(access_token);
  call.budget = BudgetKind::subscription_write;
  call.idempotent = false;  // a lost 201 must not become two subscriptions
  auto r = co_await execute(tenant, std::move(call));
  if (!r) co_return std::move(r).error();
  co_return decoded(*r, decode_subscription(r->body));
}

GraphClient::Async<Subscription> HttpGraphClient::get_subscription(std::string tenant,
                                                                   std::string access_token,
                                                                   std::string id) {
  Call call;
  call.method = "GET";
  call.url = config_.graph_base + "/subscriptions/" + segment(id);
  call.bearer = std::move(access_token);
  auto r = co_await execute(tenant, std::move(call));
  if (!r) co_return std::move(r).error();
  co_return decoded(*r, decode_subscription(r->body));
}

GraphClient::Async<SubscriptionsPage> HttpGraphClient::list_subscriptions(
    std::string tenant, std::string access_token) {
  Call call;
  call.method = "GET";
  call.url = config_.graph_base + "/subscriptions";
  call.bearer = std::move(access_token);
  auto r = co_await execute(tenant, std::move(call));
  if (!r) co_return std::move(r).error();
  co_return decoded(*r, decode_subscriptions(r->body));
}

GraphClient::Async<Subscription> HttpGraphClient::renew_subscription(std::string tenant,
                                                                     std::string access_token,
                                                                     std::string id,
                                                                     SubscriptionRenewal renewal) {
  Call call;
  call.method = "PATCH";
  call.url = config_.graph_base + "/subscriptions/" + segment(id);
  call.body = encode_subscription_renew(renewal);
  call.content_type = "application/json";
  call.bearer = std::move(access_token);
  call.budget = BudgetKind::subscription_write;
  auto r = co_await execute(tenant, std::move(call));
  if (!r) co_return std::move(r).error();
  co_return decoded(*r, decode_subscription(r->body));
}

GraphClient::Async<void> HttpGraphClient::reauthorize_subscription(std::string tenant,
                                                                   std::string access_token,
                                                                   std::string id) {
  Call call;
  call.method = "POST";
  call.url = config_.graph_base + "/subscriptions/" + segment(id) + "/reauthorize";
  call.bearer = std::move(access_token);
  call.budget = BudgetKind::subscription_write;
  auto r = co_await execute(tenant, std::move(call));
  if (!r) co_return std::move(r).error();
  co_return GraphResult<void>{};
}

GraphClient::Async<void> HttpGraphClient::delete_subscription(std::string tenant,
                                                              std::string access_token,
                                                              std::string id) {
  Call call;
  call.method = "DELETE";
  call.url = config_.graph_base + "/subscriptions/" + segment(id);
  call.bearer = std::move(access_token);
  call.budget = BudgetKind::subscription_write;
  auto r = co_await execute(tenant, std::move(call));
  if (!r) co_return std::move(r).error();
  co_return GraphResult<void>{};
}

}  // namespace ccteams::graph
