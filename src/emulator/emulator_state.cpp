#include "emulator/emulator_state.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "adapters/http/json_io.hpp"
#include "emulator/encoding.hpp"

namespace ccteams::emulator {

namespace json = boost::json;

namespace {

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

EmulatorOptions with_defaults(EmulatorOptions o) {
  if (!o.clock) {
    o.clock = [] {
      return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
    };
  }
  return o;
}

// Tenant 1 keeps the seed as given (the single-tenant emulator's tenant, unchanged); the
// others get well-separated seeds of their own.
std::uint64_t tenant_seed(std::uint64_t seed, int k) {
  return k == 1 ? seed : seed + static_cast<std::uint64_t>(k) * 0x9E3779B97F4A7C15ULL;
}

std::vector<std::unique_ptr<EmulatedTenant>> make_tenants(const EmulatorOptions& o) {
  std::vector<std::unique_ptr<EmulatedTenant>> out;
  const int n = std::max(1, o.tenants);
  for (int k = 1; k <= n; ++k) {
    TenantOptions t;
    t.seed = tenant_seed(o.seed, k);
    t.users = o.users;
    t.domain = tenant_domain(o.domain, k);
    t.register_app = k == 1;
    t.app_id = o.app_id;
    t.app_secret = o.app_secret;
    t.redirect_uris = o.redirect_uris;
    t.group_membership_claims = o.group_membership_claims;
    out.push_back(std::make_unique<EmulatedTenant>(
        TenantModel::generate(t), o.allow_beta_presence_pairs,
        tenant_seed(o.seed, k) ^ 0xAC71B17EULL, o.activity_episodes_per_user_hour));
  }
  return out;
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// "2026-11-24 08:25:35Z", the timestamp format of Entra's error bodies.
std::string entra_timestamp(Timestamp t) {
  auto s = format_iso8601(t);  // 2026-11-24T08:25:35.123Z
  s[10] = ' ';
  return s.substr(0, 19) + "Z";
}

}  // namespace

GraphEmulator::State::State(EmulatorOptions opts)
    : options(with_defaults(std::move(opts))),
      login_base(trim_slash(options.login_base_url.empty() ? options.base_url
                                                           : options.login_base_url)),
      graph_base(trim_slash(options.graph_base_url.empty() ? options.base_url
                                                           : options.graph_base_url)),
      tenants(make_tenants(options)),
      signer(options.signing_key_pem.empty() ? JwtSigner::generate()
                                             : JwtSigner::from_pem(options.signing_key_pem)),
      page_tokens(random_bytes(32)),
      rng(options.seed ^ 0x5EEDF00DULL) {}

EmulatedTenant* GraphEmulator::State::find_tenant(std::string_view id_or_domain) {
  for (auto& t : tenants) {
    if (iequal(t->directory.tenant_id(), id_or_domain) ||
        iequal(t->directory.domain(), id_or_domain)) {
      return t.get();
    }
  }
  return nullptr;
}

EmulatedTenant* GraphEmulator::State::tenant_of_user(std::string_view id_or_upn) {
  for (auto& t : tenants) {
    if (t->directory.find_user(id_or_upn) != nullptr) return t.get();
  }
  return nullptr;
}

bool emits_directory_roles(std::string_view group_membership_claims) {
  return iequal(group_membership_claims, "DirectoryRole") ||
         iequal(group_membership_claims, "All");
}

std::string GraphEmulator::State::random_token(std::size_t bytes) {
  return base64url_encode(random_bytes(bytes));
}

http::Response graph_json(int status, const json::value& body) {
  http::Response r;
  r.status = status;
  r.set_header("Content-Type",
               "application/json;odata.metadata=minimal;odata.streaming=true;"
               "IEEE754Compatible=false;charset=utf-8");
  r.body = json::serialize(body);
  return r;
}

http::Response graph_error_response(State& s, const http::Request& req, const GraphError& e) {
  const std::string request_id = s.new_request_id();
  std::string client_request_id(req.header("client-request-id"));
  if (client_request_id.empty()) client_request_id = request_id;
  json::object inner{{"date", format_iso8601(s.now()).substr(0, 19)},
                     {"request-id", request_id},
                     {"client-request-id", client_request_id}};
  auto r = graph_json(e.status, json::object{{"error", json::object{{"code", e.code},
                                                                    {"message", e.message},
                                                                    {"innerError", inner}}}});
  r.set_header("request-id", request_id);
  r.set_header("client-request-id", client_request_id);
  if (e.retry_after_seconds > 0) r.set_header("Retry-After", std::to_string(e.retry_after_seconds));
  if (e.status == 401) {
    r.set_header("WWW-Authenticate",
                 "Bearer realm=\"\", authorization_uri=\"" + s.login_base +
                     "/common/oauth2/authorize\", client_id=\"" + std::string(kGraphAppId) +
                     "\"");
  }
  return r;
}

http::Response entra_error(State& s, int status, std::string_view error, int aadsts,
                           std::string_view description) {
  const std::string trace = s.new_request_id();
  const std::string correlation = s.new_request_id();
  const std::string ts = entra_timestamp(s.now());
  const std::string text = "AADSTS" + std::to_string(aadsts) + ": " + std::string(description) +
                           "\r\nTrace ID: " + trace + "\r\nCorrelation ID: " + correlation +
                           "\r\nTimestamp: " + ts;
  auto r = http::json_response(
      status, json::object{{"error", error},
                           {"error_description", text},
                           {"error_codes", json::array{aadsts}},
                           {"timestamp", ts},
                           {"trace_id", trace},
                           {"correlation_id", correlation},
                           {"error_uri", s.login_base + "/error?code=" + std::to_string(aadsts)}});
  r.set_header("Cache-Control", "no-store, no-cache");
  return r;
}

http::Response redirect(std::string location) {
  http::Response r;
  r.status = 302;
  r.set_header("Location", std::move(location));
  r.set_header("Cache-Control", "no-store, no-cache");
  return r;
}

GraphResult<Caller> authenticate(State& s, const http::Request& req) {
  const std::string_view auth = req.header("authorization");
  if (auth.empty()) {
    return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.");
  }
  if (auth.size() < 7 || !http::iequals(auth.substr(0, 7), "Bearer ")) {
    return graph_error(401, "InvalidAuthenticationToken",
                       "Access token validation failure. Invalid scheme.");
  }
  auto claims = s.signer.verify(auth.substr(7), s.now());
  if (!claims) return claims.error();
  if (const auto& nb = s.faults.access_tokens_not_before) {
    const auto* iat = claims->if_contains("iat");
    const auto not_before_s = std::chrono::floor<std::chrono::seconds>(*nb).time_since_epoch();
    if (iat == nullptr || !iat->is_int64() || iat->as_int64() < not_before_s.count()) {
      return graph_error(401, "InvalidAuthenticationToken",
                         "Access token has been revoked (injected fault); get a new one.");
    }
  }
  const auto str = [&](std::string_view k) -> std::string {
    const auto* v = claims->if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  const std::string aud = str("aud");
  if (aud != kGraphResource && aud != kGraphAppId) {
    return graph_error(401, "InvalidAuthenticationToken",
                       "Access token validation failure. Invalid audience.");
  }
  Caller c;
  c.tenant_id = str("tid");
  c.app_id = str("appid");
  // Graph serves the token's tenant only: one tenant's token never reaches another's data.
  c.tenant = c.tenant_id.empty() ? nullptr : s.find_tenant(c.tenant_id);
  if (c.tenant == nullptr) {
    return graph_error(401, "InvalidAuthenticationToken",
                       "Access token validation failure. Invalid issuer or tenant.");
  }
  const auto& grant = c.tenant->directory.consent(c.app_id);
  if (str("idtyp") == "user") {
    c.delegated = true;
    c.user_id = str("oid");
    const DirectoryUser* u = c.tenant->directory.find_user(c.user_id);
    if (u == nullptr || !u->account_enabled) {
      return graph_error(401, "InvalidAuthenticationToken",
                         "Access token validation failure. The user account is not usable.");
    }
    std::string scp = str("scp");
    std::size_t pos = 0;
    while (pos < scp.size()) {
      auto sp = scp.find(' ', pos);
      if (sp == std::string::npos) sp = scp.size();
      std::string one = scp.substr(pos, sp - pos);
      auto us = grant.user_scopes.find(c.user_id);
      // A revoked grant takes effect at once in the emulator: stricter than Entra (which
      // lets issued tokens live on), so clients meet the 403 path early.
      if (grant.delegated_scopes.contains(one) ||
          (us != grant.user_scopes.end() && us->second.contains(one))) {
        c.permissions.insert(one);
      }
      pos = sp + 1;
    }
  } else if (const auto* roles = claims->if_contains("roles"); roles && roles->is_array()) {
    for (const auto& r : roles->as_array()) {
      if (r.is_string() && grant.app_roles.contains(std::string(r.as_string()))) {
        c.permissions.insert(std::string(r.as_string()));
      }
    }
  }
  return c;
}

std::optional<GraphError> require_any(const Caller& c, std::initializer_list<std::string_view> app,
                                      std::initializer_list<std::string_view> delegated) {
  for (auto p : c.delegated ? delegated : app) {
    if (c.permissions.contains(std::string(p))) return std::nullopt;
  }
  return graph_error(403, "Authorization_RequestDenied",
                     "Insufficient privileges to complete the operation.");
}

std::optional<http::Response> throttled(State& s, const http::Request& req, const Caller& c,
                                        std::string_view limit_name, const ThrottleLimit& limit,
                                        double cost) {
  const std::string key = std::string(limit_name) + "/" + c.app_id + "/" + c.tenant_id;
  const auto d = s.throttle.take(key, limit, cost, s.now());
  if (d.allowed) return std::nullopt;
  GraphError e = graph_error(429, "TooManyRequests",
                             "Too many requests. Please retry after the time in Retry-After.");
  e.retry_after_seconds = d.retry_after_seconds;
  auto r = graph_error_response(s, req, e);
  r.set_header("x-ms-throttle-scope", "Tenant_Application/ReadWrite/" + c.app_id + "/" +
                                          c.tenant_id);
  r.set_header("x-ms-throttle-information", "ResourceUnitLimitExceeded");
  char pct[16];
  std::snprintf(pct, sizeof pct, "%.1f", std::min(1.8, d.used_fraction));
  r.set_header("x-ms-throttle-limit-percentage", pct);
  return r;
}

http::Handler locked_route(const std::shared_ptr<State>& s,
                           std::function<http::Response(State&, http::Request&)> fn) {
  return [s, fn = std::move(fn)](http::Request& req) -> boost::asio::awaitable<http::Response> {
    std::lock_guard lock(s->mu);
    co_return fn(*s, req);
  };
}

bool is_loopback_address(std::string_view a) {
  if (a.starts_with("::ffff:")) a.remove_prefix(7);  // IPv4-mapped IPv6
  return a.starts_with("127.") || a == "::1" || a == "0:0:0:0:0:0:0:1";
}

http::Handler control_route(const std::shared_ptr<State>& s,
                            std::function<http::Response(State&, http::Request&)> fn) {
  return [s, fn = std::move(fn)](http::Request& req) -> boost::asio::awaitable<http::Response> {
    if (!is_loopback_address(req.remote_address)) {
      co_return http::error_response(make_error(
          Errc::forbidden, "The emulator's control API answers only loopback clients."));
    }
    std::lock_guard lock(s->mu);
    co_return fn(*s, req);
  };
}

EmulatedTenant* control_tenant(State& s, const http::Request& req,
                               std::optional<http::Response>& error) {
  const auto wanted = req.query_param("tenant");
  if (!wanted || wanted->empty()) return &s.home();
  EmulatedTenant* t = s.find_tenant(*wanted);
  if (t == nullptr) {
    error = http::error_response(make_error(Errc::not_found, "no tenant " + *wanted));
  }
  return t;
}

namespace {

// The 429 storm and 5xx faults, else the handler. Called with mu held.
http::Response injected_fault_or(State& s, http::Request& req,
                                 const std::function<http::Response(State&, http::Request&)>& fn) {
  const Faults& f = s.faults;
  if (f.throttle_storm_until && s.now() < *f.throttle_storm_until) {
    GraphError e = graph_error(429, "TooManyRequests", "Too many requests (injected storm).");
    e.retry_after_seconds = f.throttle_storm_retry_after;
    return graph_error_response(s, req, e);
  }
  if (f.status_5xx_rate > 0 && s.rng.chance(f.status_5xx_rate)) {
    GraphError e = graph_error(503, "serviceNotAvailable",
                               "The service is temporarily unavailable (injected fault).");
    e.retry_after_seconds = 2;
    return graph_error_response(s, req, e);
  }
  return fn(s, req);
}

}  // namespace

http::Handler graph_route(const std::shared_ptr<State>& s,
                          std::function<http::Response(State&, http::Request&)> fn) {
  return [s, fn = std::move(fn)](http::Request& req) -> boost::asio::awaitable<http::Response> {
    int latency = 0;
    {
      std::lock_guard lock(s->mu);
      latency = s->faults.latency_ms;
    }
    if (latency > 0) {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
      timer.expires_after(std::chrono::milliseconds(latency));
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    std::lock_guard lock(s->mu);
    http::Response r = injected_fault_or(*s, req, fn);
    const auto retry_after = r.header("retry-after");
    int seconds = 0;
    std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
    s->requests.record(unverified_client_id(req.header("authorization")), "graph", r.status,
                       seconds, s->now());
    co_return r;
  };
}

}  // namespace ccteams::emulator
