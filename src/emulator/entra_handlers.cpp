// Entra's discovery, keys and interactive endpoints (graph-protocol.md §1.1, 1.2, 1.5):
// /{tenant}/v2.0/.well-known/openid-configuration, /{tenant}/discovery/(v2.0/)keys,
// /{tenant}/adminconsent, /{tenant}/v2.0/adminconsent, /{tenant}/oauth2/v2.0/authorize, and
// the emulator's own form targets /{tenant}/login and /{tenant}/consent behind the pages.
#include <boost/json/array.hpp>

#include "adapters/http/json_io.hpp"
#include "emulator/emulator_state.hpp"
#include "emulator/entra_flow.hpp"
#include "emulator/entra_pages.hpp"
#include "emulator/entra_scopes.hpp"

namespace ccteams::emulator {

namespace json = boost::json;

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

std::string param(const http::Request& req, std::string_view name) {
  return req.query_param(name).value_or("");
}

http::Response tenant_not_found(State& s, const std::string& tenant) {
  return entra_error(s, 400, "invalid_tenant", 90002,
                     "Tenant '" + tenant + "' not found. Check to make sure you have the "
                     "correct tenant ID and are signing into the correct cloud.");
}

// The v2 issuer of an authority: the tenant's own for a tenant, and for /common and
// /organizations the literal template "{tenantid}" (as Microsoft's documents show: the
// client substitutes the token's tid). nullopt for an unknown tenant.
std::optional<std::string> issuer_of(State& s, const std::string& tenant) {
  if (is_multi_tenant_authority(tenant)) return s.login_base + "/{tenantid}/v2.0";
  const EmulatedTenant* t = s.find_tenant(tenant);
  if (t == nullptr) return std::nullopt;
  return s.login_base + "/" + t->directory.tenant_id() + "/v2.0";
}

http::Response openid_configuration(State& s, http::Request& req) {
  const std::string tenant(req.path_param("tenant"));
  const auto issuer = issuer_of(s, tenant);
  if (!issuer) return tenant_not_found(s, tenant);
  const std::string base = s.login_base + "/" + tenant;
  json::object doc{
      {"token_endpoint", base + "/oauth2/v2.0/token"},
      {"token_endpoint_auth_methods_supported",
       json::array{"client_secret_post", "private_key_jwt", "client_secret_basic"}},
      {"jwks_uri", base + "/discovery/v2.0/keys"},
      {"response_modes_supported", json::array{"query", "fragment", "form_post"}},
      {"subject_types_supported", json::array{"pairwise"}},
      {"id_token_signing_alg_values_supported", json::array{"RS256"}},
      {"response_types_supported", json::array{"code", "id_token", "code id_token"}},
      {"scopes_supported", json::array{"openid", "profile", "email", "offline_access"}},
      {"issuer", *issuer},
      {"request_uri_parameter_supported", false},
      {"userinfo_endpoint", s.graph_base + "/oidc/userinfo"},
      {"authorization_endpoint", base + "/oauth2/v2.0/authorize"},
      {"http_logout_supported", true},
      {"frontchannel_logout_supported", true},
      {"end_session_endpoint", base + "/oauth2/v2.0/logout"},
      {"claims_supported", json::array{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce",
                                       "preferred_username", "name", "tid", "ver", "oid",
                                       "email", "wids"}},
      {"tenant_region_scope", "EU"},
      {"cloud_instance_name", "microsoftonline.com"},
      {"code_challenge_methods_supported", json::array{"plain", "S256"}}};
  return http::json_response(200, doc);
}

// One signing key for every tenant (as Entra's keys are shared); its "issuer" names the
// authority's issuer, the template for /common and /organizations.
http::Response keys(State& s, http::Request& req) {
  const std::string tenant(req.path_param("tenant"));
  const auto issuer = issuer_of(s, tenant);
  if (!issuer) return tenant_not_found(s, tenant);
  return http::json_response(200, s.signer.jwks(*issuer));
}

// Where a flow ends: the client's redirect_uri with the result, in the requested mode.
http::Response finish(const Interaction& f, const Params& params) {
  if (f.response_mode == "form_post") return form_post_page(f.redirect_uri, params);
  const char sep = f.response_mode == "fragment" ? '#'
                   : f.redirect_uri.find('?') == std::string::npos ? '?'
                                                                  : '&';
  return redirect(f.redirect_uri + sep + http::encode_form(params));
}

Params with_state(Params p, const Interaction& f) {
  if (!f.state.empty()) p.emplace_back("state", f.state);
  return p;
}

// Validates tenant, client and redirect URI. They are shown on an error page, never
// redirected: an unverified redirect_uri must not receive anything.
std::optional<http::Response> check_client(State& s, const http::Request& req, Interaction& f) {
  const std::string tenant(req.path_param("tenant"));
  std::string directory = tenant;
  if (!is_multi_tenant_authority(tenant)) {
    const EmulatedTenant* t = s.find_tenant(tenant);
    if (t == nullptr) return error_page(400, 90002, "Tenant '" + tenant + "' not found.");
    f.authority_tenant_id = t->directory.tenant_id();
    directory = t->directory.domain();
  }
  f.client_id = param(req, "client_id");
  // A multi-tenant app: its registration (home tenant) is found from every tenant; a tenant
  // without its service principal gets one when an administrator consents.
  const AppRegistration* app = s.find_app(f.client_id);
  if (app == nullptr) {
    return error_page(400, 700016, "Application with identifier '" + f.client_id +
                                       "' was not found in the directory '" + directory + "'.");
  }
  f.redirect_uri = param(req, "redirect_uri");
  if (f.redirect_uri.empty() && !app->redirect_uris.empty()) {
    f.redirect_uri = app->redirect_uris.front();
  }
  if (!redirect_uri_allowed(*app, f.redirect_uri)) {
    return error_page(400, 50011, "The redirect URI '" + f.redirect_uri +
                                      "' specified in the request does not match the redirect "
                                      "URIs configured for the application '" + f.client_id +
                                      "'.");
  }
  f.state = param(req, "state");
  f.login_hint = param(req, "login_hint");
  f.prompt = param(req, "prompt");
  f.created = s.now();
  return std::nullopt;
}

http::Response start(State& s, const http::Request& req, Interaction f) {
  const std::string flow = s.random_token(18);
  const std::string action = "/" + std::string(req.path_param("tenant")) + "/login";
  const std::string hint = f.login_hint;
  s.interactions[flow] = std::move(f);
  return sign_in_page(action, flow, hint, "");
}

http::Response admin_consent(State& s, http::Request& req, bool v2) {
  Interaction f;
  f.kind = v2 ? Interaction::Kind::admin_consent_v2 : Interaction::Kind::admin_consent_v1;
  if (auto e = check_client(s, req, f)) return std::move(*e);
  if (v2) {
    auto scopes = normalise_scopes(param(req, "scope"));
    if (!scopes) {
      return finish(f, with_state({{"admin_consent", "True"},
                                   {"error", "invalid_request"},
                                   {"error_description",
                                    "AADSTS900144: The request body must contain the following "
                                    "parameter: 'scope'."}},
                                  f));
    }
    f.scopes = std::move(*scopes);
  }
  return start(s, req, std::move(f));
}

http::Response authorize(State& s, http::Request& req) {
  Interaction f;
  f.kind = Interaction::Kind::authorize;
  if (auto e = check_client(s, req, f)) return std::move(*e);
  f.response_mode = req.query_param("response_mode").value_or("query");
  if (f.response_mode != "query" && f.response_mode != "fragment" &&
      f.response_mode != "form_post") {
    f.response_mode = "query";
    return finish(f, with_state({{"error", "invalid_request"},
                                 {"error_description", "AADSTS900144: Invalid response_mode."}},
                                f));
  }
  if (param(req, "response_type") != "code") {
    return finish(f, with_state({{"error", "unsupported_response_type"},
                                 {"error_description",
                                  "AADSTS70005: response_type must be 'code' for this app."}},
                                f));
  }
  auto scopes = normalise_scopes(param(req, "scope"));
  if (!scopes) {
    return finish(f, with_state({{"error", "invalid_scope"},
                                 {"error_description",
                                  "AADSTS70011: The provided value for the input parameter "
                                  "'scope' is not valid."}},
                                f));
  }
  f.scopes = std::move(*scopes);
  f.code_challenge = param(req, "code_challenge");
  f.code_challenge_method = req.query_param("code_challenge_method").value_or("plain");
  if (!f.code_challenge.empty() && f.code_challenge_method != "S256" &&
      f.code_challenge_method != "plain") {
    return finish(f, with_state({{"error", "invalid_request"},
                                 {"error_description",
                                  "AADSTS501491: Invalid code_challenge_method."}},
                                f));
  }
  f.nonce = param(req, "nonce");
  // The emulator keeps no browser session, so there is never a silent sign-in.
  if (f.prompt == "none") {
    return finish(f, with_state({{"error", "login_required"},
                                 {"error_description",
                                  "AADSTS50058: A silent sign-in request was sent but no user "
                                  "is signed in."}},
                                f));
  }
  return start(s, req, std::move(f));
}

}  // namespace

void register_entra_routes(http::Router& router, const std::shared_ptr<State>& s) {
  router.add("GET", "/{tenant}/v2.0/.well-known/openid-configuration",
             locked_route(s, openid_configuration));
  router.add("GET", "/{tenant}/.well-known/openid-configuration",
             locked_route(s, openid_configuration));
  router.add("GET", "/{tenant}/discovery/v2.0/keys", locked_route(s, keys));
  router.add("GET", "/{tenant}/discovery/keys", locked_route(s, keys));
  router.add("GET", "/{tenant}/adminconsent", locked_route(s, [](State& st, http::Request& r) {
               return admin_consent(st, r, false);
             }));
  router.add("GET", "/{tenant}/v2.0/adminconsent",
             locked_route(s, [](State& st, http::Request& r) {
               return admin_consent(st, r, true);
             }));
  router.add("GET", "/{tenant}/oauth2/v2.0/authorize", locked_route(s, authorize));
  router.add("POST", "/{tenant}/login", locked_route(s, sign_in_submit));
  router.add("POST", "/{tenant}/consent", locked_route(s, consent_submit));
}

http::Response finish_flow(const Interaction& f, const Params& params) { return finish(f, params); }

}  // namespace ccteams::emulator
