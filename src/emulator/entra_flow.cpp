// The interactive steps of admin consent and authorize (graph-protocol.md §1.1, 1.2):
// who may consent, the documented success and error redirects (the v2 error still carries
// admin_consent=True), and the authorization code that ends a sign-in.
#include "emulator/entra_flow.hpp"

#include <algorithm>

#include "emulator/entra_pages.hpp"
#include "emulator/entra_scopes.hpp"

namespace ccteams::emulator {

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;
constexpr auto kCodeLifetime = std::chrono::minutes(10);

std::string form_value(const Params& form, std::string_view name) {
  for (const auto& [k, v] : form) {
    if (k == name) return v;
  }
  return {};
}

Params with_state(Params p, const Interaction& f) {
  if (!f.state.empty()) p.emplace_back("state", f.state);
  return p;
}

bool is_admin_flow(const Interaction& f) { return f.kind != Interaction::Kind::authorize; }

// The documented error redirect of each flow.
http::Response flow_error(const Interaction& f, std::string error, std::string description) {
  Params p;
  // v2 admin consent keeps admin_consent=True even on errors: clients must check error first.
  if (f.kind == Interaction::Kind::admin_consent_v2) p.emplace_back("admin_consent", "True");
  p.emplace_back("error", std::move(error));
  p.emplace_back("error_description", std::move(description));
  return finish_flow(f, with_state(std::move(p), f));
}

http::Response issue_code(State& s, const Interaction& f) {
  AuthCode c;
  c.client_id = f.client_id;
  c.tenant_id = f.user_tenant_id;
  c.user_id = f.user_id;
  c.redirect_uri = f.redirect_uri;
  c.scopes = f.scopes;
  c.code_challenge = f.code_challenge;
  c.code_challenge_method = f.code_challenge_method;
  c.nonce = f.nonce;
  c.expires_at = s.now() + kCodeLifetime;
  const std::string code = "1.AQ" + s.random_token(48);
  s.codes[code] = std::move(c);
  return finish_flow(f, with_state({{"code", code}}, f));
}

// The signed-in administrator's own tenant gets the service principal (also at
// /organizations and /common), and the redirect names that tenant, as Entra's does.
http::Response admin_consent_granted(State& s, const Interaction& f) {
  EmulatedTenant* t = s.find_tenant(f.user_tenant_id);
  const AppRegistration* app = s.find_app(f.client_id);
  if (t != nullptr && app != nullptr) t->directory.grant_admin_consent(*app, f.user_id, s.now());
  Params p{{"admin_consent", "True"}, {"tenant", f.user_tenant_id}};
  if (f.kind == Interaction::Kind::admin_consent_v2) {
    p.emplace_back("scope", scope_string(f.scopes));
  }
  return finish_flow(f, with_state(std::move(p), f));
}

// Resource scopes the user has not consented to yet (OIDC scopes need no consent).
std::vector<std::string> missing_consent(const TenantModel& t, const Interaction& f) {
  const auto& grant = t.consent(f.client_id);
  auto us = grant.user_scopes.find(f.user_id);
  std::vector<std::string> missing;
  for (const auto& scope : f.scopes) {
    if (is_oidc_scope(scope) || grant.delegated_scopes.contains(scope)) continue;
    if (us != grant.user_scopes.end() && us->second.contains(scope)) continue;
    missing.push_back(scope);
  }
  return missing;
}

std::vector<std::string> permission_lines(const State& s, const Interaction& f) {
  std::vector<std::string> lines;
  if (is_admin_flow(f)) {
    const AppRegistration* app = s.find_app(f.client_id);
    for (const auto& p : app->application_permissions) lines.push_back(p + " (application)");
    for (const auto& p : app->delegated_permissions) lines.push_back(p + " (delegated)");
    return lines;
  }
  for (const auto& scope : f.scopes) {
    if (scope == "openid") lines.emplace_back("Sign you in");
    else if (scope == "offline_access") lines.emplace_back("Maintain access to data you have given it access to");
    else if (scope == "profile" || scope == "email") lines.emplace_back("View your basic profile");
    else lines.push_back(scope);
  }
  return lines;
}

}  // namespace

http::Response sign_in_submit(State& s, http::Request& req) {
  const auto form = http::parse_form(req.body);
  const std::string flow = form_value(form, "flow");
  auto it = s.interactions.find(flow);
  if (it == s.interactions.end()) {
    return error_page(400, 50058, "The sign-in session has expired. Start again.");
  }
  Interaction& f = it->second;
  const std::string login = form_value(form, "login");
  EmulatedTenant* home = s.tenant_of_user(login);
  const DirectoryUser* user = home ? home->directory.find_user(login) : nullptr;
  const std::string action = "/" + std::string(req.path_param("tenant")) + "/login";
  if (user == nullptr) {
    return sign_in_page(action, flow, login,
                        "This username may be incorrect. Make sure you typed it correctly.");
  }
  // A tenant-specific authority admits its own users only (no guests in the emulator).
  if (!f.authority_tenant_id.empty() && home->directory.tenant_id() != f.authority_tenant_id) {
    const EmulatedTenant* authority = s.find_tenant(f.authority_tenant_id);
    const AppRegistration* app = s.find_app(f.client_id);
    const std::string message =
        "User account '" + user->user_principal_name + "' from identity provider "
        "'https://sts.windows.net/" + home->directory.tenant_id() + "/' does not exist in "
        "tenant '" + (authority ? authority->directory.domain() : f.authority_tenant_id) +
        "' and cannot access the application '" + f.client_id + "'(" +
        (app ? app->display_name : std::string()) + ") in that tenant. The account needs to "
        "be added as an external user in the tenant first. Sign out and sign in again with a "
        "different Azure Active Directory user account.";
    s.interactions.erase(it);
    return error_page(400, 50020, message);
  }
  if (!user->account_enabled) {
    return error_page(400, 50057, "The user account is disabled.");
  }
  f.user_id = user->id;
  f.user_tenant_id = home->directory.tenant_id();
  const AppRegistration* app = s.find_app(f.client_id);
  const std::string consent_action = "/" + std::string(req.path_param("tenant")) + "/consent";
  if (is_admin_flow(f)) {
    if (!TenantModel::can_grant_admin_consent(*user)) {
      Interaction done = f;
      s.interactions.erase(it);
      return flow_error(done, "access_denied",
                        "AADSTS90094: Admin consent is required for the permissions requested "
                        "by this application. Only a Global Administrator or a Privileged Role "
                        "Administrator can grant it.");
    }
    return consent_page(consent_action, flow, app->display_name, user->user_principal_name,
                        permission_lines(s, f), true, false);
  }
  // ".default" asks for everything the registration lists.
  if (std::find(f.scopes.begin(), f.scopes.end(), ".default") != f.scopes.end()) {
    std::erase(f.scopes, std::string(".default"));
    for (const auto& p : app->delegated_permissions) {
      if (std::find(f.scopes.begin(), f.scopes.end(), p) == f.scopes.end()) f.scopes.push_back(p);
    }
  }
  const auto missing = missing_consent(home->directory, f);
  if (missing.empty() && f.prompt != "consent") {
    Interaction done = f;
    s.interactions.erase(it);
    return issue_code(s, done);
  }
  const bool admin = TenantModel::can_grant_admin_consent(*user);
  const bool needs_admin = std::any_of(missing.begin(), missing.end(),
                                       [](const std::string& m) { return is_admin_restricted(m); });
  if (needs_admin && !admin) {
    Interaction done = f;
    s.interactions.erase(it);
    return flow_error(done, "access_denied",
                      "AADSTS65001: The user or administrator has not consented to use the "
                      "application. An administrator must grant consent for this app.");
  }
  return consent_page(consent_action, flow, app->display_name, user->user_principal_name,
                      permission_lines(s, f), false, admin);
}

http::Response consent_submit(State& s, http::Request& req) {
  const auto form = http::parse_form(req.body);
  auto it = s.interactions.find(form_value(form, "flow"));
  if (it == s.interactions.end() || it->second.user_id.empty()) {
    return error_page(400, 50058, "The sign-in session has expired. Start again.");
  }
  const Interaction f = it->second;
  s.interactions.erase(it);  // one decision per flow
  const bool accept = form_value(form, "decision") == "accept";
  if (!accept) {
    switch (f.kind) {
      case Interaction::Kind::admin_consent_v1:
        return flow_error(f, "permission_denied", "The admin canceled the request");
      case Interaction::Kind::admin_consent_v2:
        return flow_error(f, "consent_required",
                          "AADSTS65004: The resource owner or authorization server denied the "
                          "request.");
      case Interaction::Kind::authorize:
        return flow_error(f, "access_denied",
                          "AADSTS65004: User declined to consent to access the app.");
    }
  }
  if (is_admin_flow(f)) return admin_consent_granted(s, f);
  std::set<std::string> scopes;
  for (const auto& sc : f.scopes) {
    if (!is_oidc_scope(sc)) scopes.insert(sc);
  }
  EmulatedTenant* home = s.find_tenant(f.user_tenant_id);
  const AppRegistration* app = s.find_app(f.client_id);
  if (home == nullptr || app == nullptr) {
    return error_page(400, 50058, "The sign-in session has expired. Start again.");
  }
  const DirectoryUser* user = home->directory.find_user(f.user_id);
  if (form_value(form, "consent_for_org") == "true" && user != nullptr &&
      TenantModel::can_grant_admin_consent(*user)) {
    home->directory.grant_admin_consent(*app, f.user_id, s.now());
  }
  home->directory.grant_user_consent(app->client_id, f.user_id, scopes);
  return issue_code(s, f);
}

}  // namespace ccteams::emulator
