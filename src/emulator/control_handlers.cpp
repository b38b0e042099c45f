// The control API under /_emulator/ (DESIGN.md): what tests and the demo use to drive the
// emulated Microsoft side. Not part of Graph; no authentication (bind it to loopback).
//   GET  /_emulator/tenant                     tenant id, domain, base URLs, accounts
//   GET  /_emulator/apps                       registrations with ids, secrets, consent
//   POST /_emulator/apps                       add or update a registration
//   POST /_emulator/consent/grant              {"clientId"}: admin consent without the UI
//   POST /_emulator/consent/revoke             {"clientId"?, "deleteServicePrincipal"?}
//   GET, POST /_emulator/users/{id}/presence   the user's Teams client state / the aggregate
//   POST /_emulator/users                      create a user (delta sees it)
//   PATCH, DELETE /_emulator/users/{id}        change or remove (?permanent=true) a user
//   GET, POST, DELETE /_emulator/faults        latency, 5xx rate, 429 storms, notification
//                                              drop/duplicate rates and reordering
//   GET /_emulator/subscriptions, POST /_emulator/subscriptions/{id}/remove and
//   …/{id}/reauthorization-required            see subscription_handlers.cpp
#include <boost/json/array.hpp>

#include "adapters/http/json_io.hpp"
#include "emulator/emulator_state.hpp"

namespace ccteams::emulator {

namespace json = boost::json;

namespace {

http::Response missing(std::string message) {
  return http::error_response(make_error(Errc::not_found, std::move(message)));
}

std::optional<std::string> str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::optional<std::string>(std::string(v->as_string()))
                             : std::nullopt;
}

json::array strings(const std::vector<std::string>& v) { return json::array(v.begin(), v.end()); }
json::array strings(const std::set<std::string>& v) { return json::array(v.begin(), v.end()); }

std::vector<std::string> string_list(const json::object& o, std::string_view key,
                                     std::vector<std::string> fallback) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_array()) return fallback;
  std::vector<std::string> out;
  for (const auto& x : v->as_array()) {
    if (x.is_string()) out.emplace_back(x.as_string());
  }
  return out;
}

http::Response tenant_info(State& s, http::Request&) {
  json::array accounts;
  for (const char* local : {"admin", "privadmin", "member"}) {
    const DirectoryUser* u = s.tenant.find_user(std::string(local) + "@" + s.tenant.domain());
    if (u != nullptr) {
      accounts.push_back(json::object{{"userPrincipalName", u->user_principal_name},
                                      {"id", u->id},
                                      {"wids", strings(u->wids)}});
    }
  }
  return http::json_response(200, json::object{{"tenantId", s.tenant.tenant_id()},
                                               {"domain", s.tenant.domain()},
                                               {"loginBaseUrl", s.login_base},
                                               {"graphBaseUrl", s.graph_base},
                                               {"users", s.tenant.active_user_count()},
                                               {"accounts", std::move(accounts)}});
}

json::object app_json(const State& s, const AppRegistration& a) {
  const auto& g = s.tenant.consent(a.client_id);
  json::object consent{{"servicePrincipal", g.service_principal},
                       {"appRoles", strings(g.app_roles)},
                       {"delegatedScopes", strings(g.delegated_scopes)},
                       {"grantedBy", g.granted_by.empty() ? json::value(nullptr)
                                                          : json::value(g.granted_by)},
                       {"grantedAt", g.granted_at ? json::value(format_iso8601(*g.granted_at))
                                                  : json::value(nullptr)}};
  return {{"clientId", a.client_id},
          {"clientSecret", a.client_secret},
          {"displayName", a.display_name},
          {"redirectUris", strings(a.redirect_uris)},
          {"applicationPermissions", strings(a.application_permissions)},
          {"delegatedPermissions", strings(a.delegated_permissions)},
          {"consent", std::move(consent)}};
}

http::Response list_apps(State& s, http::Request&) {
  json::array out;
  for (const auto& a : s.tenant.apps()) out.push_back(app_json(s, a));
  return http::json_response(200, json::object{{"value", std::move(out)}});
}

http::Response upsert_app(State& s, http::Request& req) {
  auto body = http::parse_json_object(req);
  if (!body) return http::error_response(body.error());
  const std::string id = str(*body, "clientId").value_or(s.rng.guid());
  const AppRegistration* existing = s.tenant.find_app(id);
  AppRegistration a = existing ? *existing : AppRegistration{};
  a.client_id = id;
  a.client_secret = str(*body, "clientSecret").value_or(
      a.client_secret.empty() ? s.random_token(30) : a.client_secret);
  a.display_name = str(*body, "displayName").value_or(
      a.display_name.empty() ? "Test application" : a.display_name);
  a.redirect_uris = string_list(*body, "redirectUris", a.redirect_uris);
  a.application_permissions =
      string_list(*body, "applicationPermissions", a.application_permissions);
  a.delegated_permissions = string_list(*body, "delegatedPermissions", a.delegated_permissions);
  const int status = existing ? 200 : 201;
  s.tenant.upsert_app(std::move(a));
  return http::json_response(status, app_json(s, *s.tenant.find_app(id)));
}

http::Response grant(State& s, http::Request& req) {
  auto body = http::parse_json_object(req);
  if (!body) return http::error_response(body.error());
  const auto id = str(*body, "clientId").value_or(s.tenant.apps().front().client_id);
  if (s.tenant.find_app(id) == nullptr) return missing("no app registration " + id);
  const DirectoryUser* admin = s.tenant.find_user("admin@" + s.tenant.domain());
  s.tenant.grant_admin_consent(id, admin ? admin->id : "", s.now());
  return http::json_response(200, app_json(s, *s.tenant.find_app(id)));
}

http::Response revoke(State& s, http::Request& req) {
  json::object body;
  if (!req.body.empty()) {
    auto parsed = http::parse_json_object(req);
    if (!parsed) return http::error_response(parsed.error());
    body = std::move(*parsed);
  }
  const auto id = str(body, "clientId").value_or(s.tenant.apps().front().client_id);
  if (s.tenant.find_app(id) == nullptr) return missing("no app registration " + id);
  const auto* del = body.if_contains("deleteServicePrincipal");
  s.tenant.revoke_consent(id, del && del->is_bool() && del->as_bool());
  // Refresh tokens die with the grant; access tokens are refused by Graph's checks.
  std::erase_if(s.refresh_tokens, [&](const auto& kv) { return kv.second.client_id == id; });
  return http::json_response(200, app_json(s, *s.tenant.find_app(id)));
}

}  // namespace

// Users, presence and faults: control_users.cpp.
void register_control_user_routes(http::Router& router, const std::shared_ptr<State>& s);

void register_control_routes(http::Router& router, const std::shared_ptr<State>& s) {
  router.add("GET", "/_emulator/tenant", locked_route(s, tenant_info));
  router.add("GET", "/_emulator/apps", locked_route(s, list_apps));
  router.add("POST", "/_emulator/apps", locked_route(s, upsert_app));
  router.add("POST", "/_emulator/consent/grant", locked_route(s, grant));
  router.add("POST", "/_emulator/consent/revoke", locked_route(s, revoke));
  register_control_user_routes(router, s);
}

}  // namespace ccteams::emulator
