#include "adapters/graph/http_graph_client.hpp"


#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <random>

#include "adapters/graph/graph_json.hpp"
#include "adapters/http/http_client.hpp"

namespace ccteams::graph {

namespace asio = boost::asio;
using std::chrono::milliseconds;

struct HttpGraphClient::Rng {
  std::mt19937_64 engine{std::random_device{}()};
};


namespace {

GraphError local_error(GraphErrorKind kind, std::string message) {
  GraphError e;
  e.kind = kind;
  e.message = std::move(message);
  return e;
}

GraphError decode_failure(int status, const Error& error) {
  GraphError e = local_error(GraphErrorKind::decode, "unreadable answer: " + error.message);
  e.http_status = status;
  return e;
}

// Cancellation (shutdown) ends the wait early with false.
asio::awaitable<bool> sleep_for(milliseconds d) {
  if (d.count() <= 0) co_return true;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(d);
  auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return !ec;
}

std::string path_segment(std::string_view s) { return http::percent_encode(s); }

}  // namespace

HttpGraphClient::HttpGraphClient(HttpClient& http, const Clock& clock, GraphClientConfig config)
    : http_(http), clock_(clock), config_(std::move(config)), rng_(std::make_unique<Rng>()) {}

HttpGraphClient::~HttpGraphClient() = default;

double HttpGraphClient::next_random() {
  if (config_.random) return config_.random();
  std::lock_guard lock(mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_->engine);
}

milliseconds HttpGraphClient::take_budget(const std::string& tenant, BudgetKind kind, double n) {
  std::lock_guard lock(mutex_);
  const Timestamp now = clock_.now();
  auto it = budgets_.find(tenant);
  if (it == budgets_.end()) it = budgets_.emplace(tenant, GraphBudget(config_.budget, now)).first;
  if (it->second.try_acquire(kind, now, n)) return milliseconds{0};
  return std::max(milliseconds{1}, it->second.next_available(kind, now, n) - now);
}

void HttpGraphClient::freeze_budget(const std::string& tenant, BudgetKind kind, Timestamp until) {
  std::lock_guard lock(mutex_);
  auto it = budgets_.find(tenant);
  if (it == budgets_.end()) {
    it = budgets_.emplace(tenant, GraphBudget(config_.budget, clock_.now())).first;
  }
  it->second.freeze(kind, until);
}

bool HttpGraphClient::same_graph_origin(const std::string& url) const {
  // Origin = scheme://host[:port] of graph_base; the link must continue with '/' after it.
  const auto scheme_end = config_.graph_base.find("://");
  if (scheme_end == std::string::npos) return false;
  const auto origin_end = config_.graph_base.find('/', scheme_end + 3);
  const std::string origin = config_.graph_base.substr(0, origin_end);
  return url.size() > origin.size() && url.compare(0, origin.size(), origin) == 0 &&
         url[origin.size()] == '/';
}

asio::awaitable<GraphResult<ClientResponse>> HttpGraphClient::execute(const std::string& tenant,
                                                                       Call call) {
  bool token_renewed = false;
  for (int attempt = 1;; ++attempt) {
    if (call.budget) {
      for (;;) {
        const auto wait = take_budget(tenant, *call.budget, call.cost);
        if (wait.count() == 0) break;
        if (wait > config_.retry.max_retry_after) {
          GraphError e = local_error(GraphErrorKind::throttled,
                                     "request budget exhausted for this tenant");
          e.retry_after_seconds = static_cast<int>((wait.count() + 999) / 1000);
          co_return e;
        }
        if (!co_await sleep_for(wait)) {
          co_return local_error(GraphErrorKind::transport, "cancelled");
        }
      }
    }
    ClientRequest req{call.method, call.url, call.headers, call.body, config_.request_timeout};
    if (!call.content_type.empty()) req.headers.push_back({"Content-Type", call.content_type});
    req.headers.push_back({"Accept", "application/json"});
    if (call.authenticated) {
      std::string token;
      if (call.bearer) {
        token = *call.bearer;
      } else {
        auto app = co_await cached_app_token(tenant, false);
        if (!app) co_return std::move(app).error();
        token = std::move(*app);
      }
      req.headers.push_back({"Authorization", "Bearer " + token});
    }
    auto sent = co_await http_.send(std::move(req));
    const int status = sent ? sent->status : 0;
    if (sent && status >= 200 && status < 300) co_return std::move(*sent);

    // A cached app token can be revoked or rotated before its expiry: fetch a new one once.
    if (status == 401 && call.authenticated && !call.bearer && !token_renewed) {
      token_renewed = true;
      auto fresh = co_await cached_app_token(tenant, true);
      if (!fresh) co_return std::move(fresh).error();
      --attempt;  // not counted against the retry budget
      continue;
    }
    const auto now = clock_.now();
    const auto decision = decide_retry(
        config_.retry, {attempt, status, sent ? sent->header("retry-after") : std::string_view{},
                        now, next_random(), call.idempotent});
    if (status == 429 && call.budget) {
      const auto pause = decision.retry ? decision.delay
                                        : milliseconds{decision.retry_after_seconds * 1000};
      freeze_budget(tenant, *call.budget, now + pause);
    }
    if (!decision.retry) {
      if (!sent) {
        co_return local_error(GraphErrorKind::transport, sent.error().message);
      }
      co_return graph_error_from_response(status, sent->body, decision.retry_after_seconds);
    }
    if (!co_await sleep_for(decision.delay)) {
      co_return local_error(GraphErrorKind::transport, "cancelled");
    }
  }
}

// ---- tokens ----

GraphClient::Async<TokenResponse> HttpGraphClient::token_request(const std::string& tenant,
                                                                 std::string form,
                                                                 bool idempotent) {
  Call call;
  call.method = "POST";
  call.url = config_.login_base + "/" + path_segment(tenant) + "/oauth2/v2.0/token";
  call.body = std::move(form);
  call.content_type = "application/x-www-form-urlencoded";
  call.authenticated = false;
  call.idempotent = idempotent;
  auto r = co_await execute(tenant, std::move(call));
  if (!r) co_return std::move(r).error();
  auto token = decode_token_response(r->body);
  if (!token) co_return decode_failure(r->status, token.error());
  co_return std::move(*token);
}

GraphClient::Async<std::string> HttpGraphClient::cached_app_token(const std::string& tenant,
                                                                  bool force) {
  {
    std::lock_guard lock(mutex_);
    auto it = tokens_.find(tenant);
    if (it != tokens_.end() && !force && clock_.now() < it->second.refresh_at) {
      co_return it->second.access_token;
    }
  }
  auto fresh = co_await app_token(tenant);
  if (!fresh) co_return std::move(fresh).error();
  co_return fresh->access_token;
}

GraphClient::Async<TokenResponse> HttpGraphClient::app_token(std::string tenant) {
  auto r = co_await token_request(
      tenant, encode_client_credentials_form(config_.client_id, config_.client_secret,
                                             config_.app_scope),
      true);
  if (!r) co_return r;
  // Refresh a margin before expiry, but never sooner than half the lifetime (short test tokens).
  const auto lifetime = std::chrono::seconds{r->expires_in};
  const auto margin = std::min<std::chrono::seconds>(config_.token_refresh_margin, lifetime / 2);
  std::lock_guard lock(mutex_);
  tokens_[tenant] = CachedToken{r->access_token, clock_.now() + (lifetime - margin)};
  co_return r;
}

GraphClient::Async<TokenResponse> HttpGraphClient::token_by_auth_code(AuthCodeRequest request) {
  // Codes are single-use: a retry after a lost answer would only earn invalid_grant (54005).
  const std::string tenant = request.tenant;
  co_return co_await token_request(
      tenant, encode_auth_code_form(config_.client_id, config_.client_secret, request), false);
}

GraphClient::Async<TokenResponse> HttpGraphClient::refresh_token(RefreshRequest request) {
  // Refresh tokens rotate; resending one whose answer was lost is not safe to assume.
  const std::string tenant = request.tenant;
  co_return co_await token_request(
      tenant, encode_refresh_form(config_.client_id, config_.client_secret, request), false);
}

}  // namespace ccteams::graph
