#pragma once
// GraphClient over HTTP (adapters/http/http_client.hpp): the production implementation of the
// Graph port (app/ports/graph.hpp), also pointed at the emulator by configuration.
//
// * Base URLs are configuration (login host, Graph root); nothing is relative to a fixed host.
// * App tokens (client credentials) are cached per tenant and fetched again token_refresh_margin
//   before they expire, or at once when Graph answers 401 to a cached one (once per call).
// * Every call runs the one retry policy (retry_policy.hpp) and, per tenant, the request budget
//   (graph_budget.hpp): presence reads and writes share the presence bucket, users list/delta
//   use identity reads, subscription writes their own. A 429 freezes the bucket for its
//   Retry-After. A wait longer than retry.max_retry_after is not held: the call fails throttled.
// * Next links are followed verbatim, but only to the configured Graph origin, so that a
//   forged link can never receive our bearer token.
// * Secrets (client secret, tokens) are never put in error messages or logs.
// Thread-safety: all calls may run concurrently from any executor (caches under a mutex).
// Concurrent refreshes of one tenant's app token may both reach Entra; both results are valid.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/graph/graph_budget.hpp"
#include "adapters/graph/retry_policy.hpp"
#include "adapters/http/http_types.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/graph.hpp"

namespace ccteams {
class HttpClient;
struct ClientResponse;
}  // namespace ccteams

namespace ccteams::graph {

struct GraphClientConfig {
  std::string login_base = "https://login.microsoftonline.com";  // no trailing slash
  std::string graph_base = "https://graph.microsoft.com/v1.0";   // no trailing slash
  std::string client_id;
  std::string client_secret;  // never logged
  std::string app_scope = "https://graph.microsoft.com/.default";
  std::chrono::milliseconds request_timeout{15'000};
  std::chrono::seconds token_refresh_margin{300};
  RetryConfig retry;
  BudgetConfig budget;
  // Uniform in [0, 1) for the backoff jitter; a seeded generator when empty.
  std::function<double()> random;
};

class HttpGraphClient final : public GraphClient {
 public:
  // http and clock are not owned and must outlive the client.
  HttpGraphClient(HttpClient& http, const Clock& clock, GraphClientConfig config);
  ~HttpGraphClient() override;

  // GraphClient
  Async<TokenResponse> app_token(std::string tenant) override;
  Async<TokenResponse> token_by_auth_code(AuthCodeRequest request) override;
  Async<TokenResponse> refresh_token(RefreshRequest request) override;
  Async<DirectoryRoles> my_directory_roles(std::string tenant, std::string access_token) override;
  Async<UsersPage> list_users(std::string tenant, int page_size) override;
  Async<UsersPage> users_page(std::string tenant, std::string link) override;
  Async<UsersPage> users_delta_start(std::string tenant) override;
  Async<std::vector<GraphPresence>> get_presences(std::string tenant,
                                             std::vector<std::string> user_ids) override;
  Async<void> set_presence(std::string tenant, SetPresenceRequest request) override;
  Async<void> clear_presence(std::string tenant, std::string user_id,
                             std::string session_id) override;
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

  // The $select every users call sends (GraphUser's fields).
  static constexpr const char* kUserSelect =
      "id,displayName,givenName,surname,mail,userPrincipalName,jobTitle,department,"
      "businessPhones,accountEnabled";

 private:
  // One Graph or Entra request as execute() runs it.
  struct Call {
    std::string method;
    std::string url;
    std::string body;
    std::string content_type;           // "" for no body
    std::optional<std::string> bearer;  // a delegated token; the tenant's app token when empty
    bool authenticated = true;          // false for the token endpoint
    std::optional<BudgetKind> budget;   // none: not counted (subscription reads, tokens)
    double cost = 1;
    bool idempotent = true;
    std::vector<http::Header> headers;
  };
  struct CachedToken {
    std::string access_token;
    Timestamp refresh_at{};
  };
  // Sends with budget, auth, retries; a 2xx response or the GraphError that remained.
  boost::asio::awaitable<GraphResult<ClientResponse>> execute(const std::string& tenant, Call call);
  Async<TokenResponse> token_request(const std::string& tenant, std::string form, bool idempotent);
  Async<std::string> cached_app_token(const std::string& tenant, bool force);
  // Budget: how long to wait before n units of kind are ours (0 = taken now).
  std::chrono::milliseconds take_budget(const std::string& tenant, BudgetKind kind, double n);
  void freeze_budget(const std::string& tenant, BudgetKind kind, Timestamp until);
  bool same_graph_origin(const std::string& url) const;
  double next_random();

  HttpClient& http_;
  const Clock& clock_;
  GraphClientConfig config_;
  std::mutex mutex_;  // guards tokens_, budgets_ and the default random generator
  std::map<std::string, CachedToken, std::less<>> tokens_;
  std::map<std::string, GraphBudget, std::less<>> budgets_;
  struct Rng;
  std::unique_ptr<Rng> rng_;
};

}  // namespace ccteams::graph
