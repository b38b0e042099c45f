// The control API under /_emulator/ (DESIGN.md): what tests and the demo use to drive the
// emulated Microsoft side. Not part of Graph; no authentication, so it answers loopback
// clients only (control_route). Calls act on the home tenant (tenant 1) unless they name
// another with ?tenant={id or domain}.
//   GET  /_emulator/tenants                    every hosted tenant with its accounts
//   GET  /_emulator/tenant                     tenant id, domain, base URLs, accounts
//   GET  /_emulator/apps                       registrations with ids, secrets, consent
//   POST /_emulator/apps                       add or update a registration
//   PATCH /_emulator/app                       the default registration's groupMembershipClaims
//   POST /_emulator/consent/grant              {"clientId"}: admin consent without the UI
//   POST /_emulator/consent/revoke             {"clientId"?, "deleteServicePrincipal"?}
//   POST /_emulator/consent/revoke-permission  {"clientId"?, "permission"}: one app role
//   POST /_emulator/users/{id}/revoke-sign-in-sessions   the user's refresh tokens die (as
//                                              Graph's revokeSignInSessions)
//   GET, POST /_emulator/users/{id}/presence   the user's Teams client state / the aggregate
//   POST /_emulator/presence                   {"changes": [{"id", "availability", "activity"}]}:
//                                              many clients at once (at most 1000; all or none)
//   POST /_emulator/users                      create a user (delta sees it)
//   PATCH, DELETE /_emulator/users/{id}        change or remove (?permanent=true) a user
//   GET, POST, DELETE /_emulator/faults        latency, 5xx rate, 429 storms, notification
//                                              drop/duplicate rates and reordering, token
//                                              endpoint outage, access tokens revoked
//   GET, DELETE /_emulator/requests            requests per client id and endpoint by outcome,
//                                              and those sent before a Retry-After elapsed
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

json::object tenant_json(const State& s, const TenantModel& t) {
  json::array accounts;
  for (const char* local : {"admin", "privadmin", "member"}) {
    const DirectoryUser* u = t.find_user(std::string(local) + "@" + t.domain());
    if (u != nullptr) {
      accounts.push_back(json::object{{"userPrincipalName", u->user_principal_name},
                                      {"id", u->id},
                                      {"wids", strings(u->wids)}});
    }
  }
  return json::object{{"tenantId", t.tenant_id()},
                      {"domain", t.domain()},
                      {"home", &t == &s.home().directory},
                      {"loginBaseUrl", s.login_base},
                      {"graphBaseUrl", s.graph_base},
                      {"users", t.active_user_count()},
                      {"accounts", std::move(accounts)}};
}

http::Response tenant_info(State& s, http::Request& req) {
  std::optional<http::Response> error;
  const EmulatedTenant* t = control_tenant(s, req, error);
  if (t == nullptr) return std::move(*error);
  return http::json_response(200, tenant_json(s, t->directory));
}

http::Response list_tenants(State& s, http::Request&) {
  json::array out;
  for (const auto& t : s.tenants) out.push_back(tenant_json(s, t->directory));
  return http::json_response(200, json::object{{"value", std::move(out)}});
}

// The registration with the app's consent in tenant t.
json::object app_json(const TenantModel& t, const AppRegistration& a) {
  const auto& g = t.consent(a.client_id);
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
          {"groupMembershipClaims", a.group_membership_claims},
          {"tenantId", t.tenant_id()},
          {"consent", std::move(consent)}};
}

http::Response list_apps(State& s, http::Request& req) {
  std::optional<http::Response> error;
  const EmulatedTenant* t = control_tenant(s, req, error);
  if (t == nullptr) return std::move(*error);
  json::array out;
  for (const auto& a : s.home().directory.apps()) out.push_back(app_json(t->directory, a));
  return http::json_response(200, json::object{{"value", std::move(out)}});
}

// groupMembershipClaims as the manifest spells it; null means "None".
std::optional<std::string> membership_claims(const json::object& body, bool& invalid) {
  const auto* v = body.if_contains("groupMembershipClaims");
  if (v == nullptr) return std::nullopt;
  if (v->is_null()) return "None";
  static constexpr std::string_view kAllowed[] = {"None", "SecurityGroup", "DirectoryRole",
                                                  "ApplicationGroup", "All"};
  if (v->is_string()) {
    for (auto a : kAllowed) {
      if (v->as_string() == a) return std::string(a);
    }
  }
  invalid = true;
  return std::nullopt;
}

http::Response upsert_app(State& s, http::Request& req) {
  auto body = http::parse_json_object(req);
  if (!body) return http::error_response(body.error());
  bool invalid = false;
  const auto claims = membership_claims(*body, invalid);
  if (invalid) {
    return http::error_response(make_error(
        Errc::invalid_input,
        "groupMembershipClaims must be None, SecurityGroup, DirectoryRole, ApplicationGroup, "
        "All or null"));
  }
  TenantModel& home = s.home().directory;
  const std::string id = str(*body, "clientId").value_or(s.rng.guid());
  const AppRegistration* existing = home.find_app(id);
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
  if (claims) a.group_membership_claims = *claims;
  const int status = existing ? 200 : 201;
  home.upsert_app(std::move(a));
  return http::json_response(status, app_json(home, *home.find_app(id)));
}

// PATCH /_emulator/app {"groupMembershipClaims": "None"|…|null}: the default registration's
// manifest, as an administrator edits it in the portal (takes effect for the next ID token).
http::Response patch_default_app(State& s, http::Request& req) {
  auto body = http::parse_json_object(req);
  if (!body) return http::error_response(body.error());
  bool invalid = false;
  const auto claims = membership_claims(*body, invalid);
  if (invalid || !claims) {
    return http::error_response(make_error(
        Errc::invalid_input,
        "groupMembershipClaims is required: None, SecurityGroup, DirectoryRole, "
        "ApplicationGroup, All or null"));
  }
  TenantModel& home = s.home().directory;
  AppRegistration a = home.apps().front();
  a.group_membership_claims = *claims;
  home.upsert_app(std::move(a));
  return http::json_response(200, app_json(home, home.apps().front()));
}

// Admin consent in the tenant named by ?tenant (the home tenant by default), as its admin@.
http::Response grant(State& s, http::Request& req) {
  std::optional<http::Response> error;
  EmulatedTenant* t = control_tenant(s, req, error);
  if (t == nullptr) return std::move(*error);
  auto body = http::parse_json_object(req);
  if (!body) return http::error_response(body.error());
  const auto id = str(*body, "clientId").value_or(s.home().directory.apps().front().client_id);
  const AppRegistration* app = s.find_app(id);
  if (app == nullptr) return missing("no app registration " + id);
  TenantModel& dir = t->directory;
  const DirectoryUser* admin = dir.find_user("admin@" + dir.domain());
  dir.grant_admin_consent(*app, admin ? admin->id : "", s.now());
  return http::json_response(200, app_json(dir, *app));
}

http::Response revoke(State& s, http::Request& req) {
  std::optional<http::Response> error;
  EmulatedTenant* t = control_tenant(s, req, error);
  if (t == nullptr) return std::move(*error);
  json::object body;
  if (!req.body.empty()) {
    auto parsed = http::parse_json_object(req);
    if (!parsed) return http::error_response(parsed.error());
    body = std::move(*parsed);
  }
  const auto id = str(body, "clientId").value_or(s.home().directory.apps().front().client_id);
  const AppRegistration* app = s.find_app(id);
  if (app == nullptr) return missing("no app registration " + id);
  const auto* del = body.if_contains("deleteServicePrincipal");
  t->directory.revoke_consent(app->client_id, del && del->is_bool() && del->as_bool());
  // Refresh tokens die with the grant (in this tenant only); access tokens are refused by
  // Graph's checks.
  const std::string tid = t->directory.tenant_id();
  std::erase_if(s.refresh_tokens, [&](const auto& kv) {
    return kv.second.client_id == app->client_id && kv.second.tenant_id == tid;
  });
  return http::json_response(200, app_json(t->directory, *app));
}

// An admin removes one application permission from the enterprise app in this tenant (Entra
// admin center > Enterprise applications > Permissions > Revoke permission). Tokens issued
// afterwards lack it in `roles`; Graph checks each call against the token it is given.
http::Response revoke_permission(State& s, http::Request& req) {
  std::optional<http::Response> error;
  EmulatedTenant* t = control_tenant(s, req, error);
  if (t == nullptr) return std::move(*error);
  auto body = http::parse_json_object(req);
  if (!body) return http::error_response(body.error());
  const auto permission = str(*body, "permission");
  if (!permission || permission->empty()) {
    return http::error_response(make_error(Errc::invalid_input, "permission is required"));
  }
  const auto id = str(*body, "clientId").value_or(s.home().directory.apps().front().client_id);
  const AppRegistration* app = s.find_app(id);
  if (app == nullptr) return missing("no app registration " + id);
  if (!t->directory.revoke_app_role(app->client_id, *permission)) {
    return missing(*permission + " is not granted to " + id + " in this tenant");
  }
  return http::json_response(200, app_json(t->directory, *app));
}

// Graph's POST /users/{id}/revokeSignInSessions, done by an administrator: every refresh token
// of the user (for any app) stops working; a new interactive sign-in is needed.
http::Response revoke_sign_in_sessions(State& s, http::Request& req) {
  std::optional<http::Response> error;
  EmulatedTenant* t = control_tenant(s, req, error);
  if (t == nullptr) return std::move(*error);
  const DirectoryUser* u = t->directory.find_user(req.path_param("id"));
  if (u == nullptr) return missing("no user " + std::string(req.path_param("id")));
  const std::string tid = t->directory.tenant_id();
  const std::string uid = u->id;
  std::erase_if(s.refresh_tokens, [&](const auto& kv) {
    return kv.second.user_id == uid && kv.second.tenant_id == tid;
  });
  return http::json_response(200, json::object{{"value", true}});
}

}  // namespace

// Users, presence and faults: control_users.cpp.
void register_control_user_routes(http::Router& router, const std::shared_ptr<State>& s);

void register_control_routes(http::Router& router, const std::shared_ptr<State>& s) {
  router.add("GET", "/_emulator/tenants", control_route(s, list_tenants));
  router.add("GET", "/_emulator/tenant", control_route(s, tenant_info));
  router.add("GET", "/_emulator/apps", control_route(s, list_apps));
  router.add("POST", "/_emulator/apps", control_route(s, upsert_app));
  router.add("PATCH", "/_emulator/app", control_route(s, patch_default_app));
  router.add("POST", "/_emulator/consent/grant", control_route(s, grant));
  router.add("POST", "/_emulator/consent/revoke", control_route(s, revoke));
  router.add("POST", "/_emulator/consent/revoke-permission", control_route(s, revoke_permission));
  router.add("POST", "/_emulator/users/{id}/revoke-sign-in-sessions",
             control_route(s, revoke_sign_in_sessions));
  register_control_user_routes(router, s);
}

}  // namespace ccteams::emulator
