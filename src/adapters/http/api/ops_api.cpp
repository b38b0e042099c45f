// GET /healthz (the process answers), /readyz (it can serve: store reachable, not draining),
// /metrics (Prometheus text format, for whom MetricsAccess allows).
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>

#include "adapters/http/api/api_context.hpp"
#include "adapters/http/json_io.hpp"
#include "adapters/http/prometheus_text.hpp"
#include "adapters/http/sync_handler.hpp"

namespace ccteams::http {

namespace json = boost::json;

namespace {

bool is_loopback(const std::string& address) {
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(address, ec);
  if (ec) return false;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()).is_loopback();
  }
  return a.is_loopback();
}

// Constant time in the token's length: a scraper's token is a password.
bool bearer_matches(const Request& req, const std::string& token) {
  constexpr std::string_view kScheme = "Bearer ";
  const std::string_view header = req.header("authorization");
  if (header.size() != kScheme.size() + token.size() ||
      !iequals(header.substr(0, kScheme.size()), kScheme)) {
    return false;
  }
  return CRYPTO_memcmp(header.data() + kScheme.size(), token.data(), token.size()) == 0;
}

Result<void> may_read_metrics(const MetricsAccess& access, const Request& req) {
  if (access.open_to_loopback && is_loopback(req.remote_address)) return ok();
  if (!access.bearer_token.empty()) {
    if (bearer_matches(req, access.bearer_token)) return ok();
    return make_error(Errc::unauthenticated,
                      "GET /metrics needs Authorization: Bearer <the [metrics] bearer_token>");
  }
  if (access.open) return ok();
  return make_error(Errc::forbidden,
                    "/metrics is not served on this address: the operator sets [metrics] "
                    "bearer_token or [metrics] listen to enable it");
}

}  // namespace

void register_ops_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/healthz", sync_handler([](Request&) {
               return json_response(200, json::object{{"status", "ok"}});
             }));
  router.add("GET", "/readyz", [&ctx](Request&) -> boost::asio::awaitable<Response> {
    if (ctx.shutting_down.load()) {
      co_return json_response(503, json::object{{"status", "draining"}});
    }
    // The probe runs on the store's executor, like every store call (never on this thread).
    if (auto r = co_await ctx.store.ping(); !r) {
      // Anyone may ask (load balancers do): the reason goes to the log only.
      spdlog::warn("readyz: store unavailable: {}", r.error().message);
      co_return json_response(503,
                              json::object{{"status", "unavailable"}, {"store", "unavailable"}});
    }
    json::object body{{"status", "ready"}, {"schemaVersion", ctx.store.schema_version()}};
    if (auto cluster = ctx.cluster ? ctx.cluster() : std::nullopt) {
      // Ready even when it owns no organisation: it takes over those whose owner stops.
      body["cluster"] = json::object{
          {"owner", cluster->owner},
          {"organisationsOwned", cluster->organisations_owned},
          {"leaseRenewFailures", cluster->renew_failures},
          {"liveInstances", cluster->live_instances},
          {"fairShare", cluster->fair_share},
          {"inboxListener", json::object{{"connected", cluster->inbox_listener_connected},
                                         {"wakes", cluster->inbox_wakes}}}};
    }
    co_return json_response(200, std::move(body));
  });
}

void register_metrics_route(Router& router, Metrics& metrics, MetricsAccess access) {
  router.add("GET", "/metrics", sync_handler([&metrics, access = std::move(access)](Request& req) {
               if (auto allowed = may_read_metrics(access, req); !allowed) {
                 return error_response(allowed.error());
               }
               return text_response(200, "text/plain; version=0.0.4; charset=utf-8",
                                    prometheus_text(metrics));
             }));
}

}  // namespace ccteams::http
