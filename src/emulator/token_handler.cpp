// POST /{tenant}/oauth2/v2.0/token (graph-protocol.md §1.3, 1.4): client_credentials,
// authorization_code (with PKCE) and refresh_token (rotated on every use), form-encoded,
// with Entra's error JSON and AADSTS codes; RS256 tokens with the documented claims.
#include <boost/json/array.hpp>

#include "adapters/http/json_io.hpp"
#include "emulator/emulator_state.hpp"
#include "emulator/encoding.hpp"
#include "emulator/entra_scopes.hpp"

namespace ccteams::emulator {

namespace json = boost::json;

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;
constexpr auto kRefreshLifetime = std::chrono::hours(24 * 90);

std::string form_value(const Params& form, std::string_view name) {
  for (const auto& [k, v] : form) {
    if (k == name) return v;
  }
  return {};
}

std::int64_t unix_seconds(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// A stable object id for the app's service principal in tenant t.
std::string service_principal_id(const TenantModel& t, std::string_view client_id) {
  return guid_from(std::string(client_id) + "/" + t.tenant_id());
}

// Access tokens for Graph are v1 tokens of the tenant they were issued in (the service
// principal's, or the signed-in user's).
json::object common_claims(State& s, const AppRegistration& app, const TenantModel& t) {
  const auto now = unix_seconds(s.now());
  const std::string tid = t.tenant_id();
  return {{"aud", kGraphResource},
          {"iss", "https://sts.windows.net/" + tid + "/"},
          {"iat", now},
          {"nbf", now},
          {"exp", now + s.options.access_token_lifetime.count()},
          {"app_displayname", app.display_name},
          {"appid", app.client_id},
          {"appidacr", "1"},
          {"idp", "https://sts.windows.net/" + tid + "/"},
          {"tid", tid},
          {"uti", s.random_token(16)},
          {"ver", "1.0"}};
}

std::string app_token(State& s, const AppRegistration& app, const TenantModel& t,
                      const ConsentGrant& grant) {
  auto c = common_claims(s, app, t);
  const std::string oid = service_principal_id(t, app.client_id);
  c["idtyp"] = "app";
  c["oid"] = oid;
  c["sub"] = oid;
  // No granted role, no roles claim: Graph then answers 403 (as after a revoked consent).
  if (!grant.app_roles.empty()) {
    json::array roles;
    for (const auto& r : grant.app_roles) roles.emplace_back(r);
    c["roles"] = std::move(roles);
  }
  return s.signer.sign(c);
}

json::array wids_of(const DirectoryUser& u) {
  json::array w;
  for (const auto& x : u.wids) w.emplace_back(x);
  return w;
}

std::string user_token(State& s, const AppRegistration& app, const TenantModel& t,
                       const DirectoryUser& u, const std::vector<std::string>& scopes) {
  auto c = common_claims(s, app, t);
  std::string scp;
  for (const auto& sc : scopes) {
    if (is_oidc_scope(sc)) continue;
    if (!scp.empty()) scp.push_back(' ');
    scp += sc;
  }
  c["idtyp"] = "user";
  c["oid"] = u.id;
  c["sub"] = base64url_encode(sha256(u.id + "/" + app.client_id)).substr(0, 43);
  c["upn"] = u.user_principal_name;
  c["unique_name"] = u.user_principal_name;
  c["name"] = u.display_name;
  c["given_name"] = u.given_name;
  c["family_name"] = u.surname;
  c["scp"] = scp;
  c["wids"] = wids_of(u);
  c["amr"] = json::array{"pwd"};
  return s.signer.sign(c);
}

// The ID token (graph-protocol.md §1.4): v2, for the app, in the user's tenant. wids only
// when the registration's groupMembershipClaims asks for directory roles, as in Entra.
std::string id_token(State& s, const AppRegistration& app, const TenantModel& t,
                     const DirectoryUser& u, std::string_view nonce) {
  const auto now = unix_seconds(s.now());
  json::object c{{"aud", app.client_id},
                 {"iss", s.login_base + "/" + t.tenant_id() + "/v2.0"},
                 {"iat", now},
                 {"nbf", now},
                 {"exp", now + 3600},
                 {"name", u.display_name},
                 {"oid", u.id},
                 {"preferred_username", u.user_principal_name},
                 {"email", u.mail},
                 {"sub", base64url_encode(sha256(u.id + "/" + app.client_id)).substr(0, 43)},
                 {"tid", t.tenant_id()},
                 {"uti", s.random_token(16)},
                 {"ver", "2.0"}};
  if (emits_directory_roles(app.group_membership_claims)) c["wids"] = wids_of(u);
  if (!nonce.empty()) c["nonce"] = nonce;
  return s.signer.sign(c);
}

http::Response user_tokens(State& s, const AppRegistration& app, const TenantModel& t,
                           const DirectoryUser& u, const std::vector<std::string>& scopes,
                           std::string_view nonce) {
  json::object body{{"token_type", "Bearer"},
                    {"scope", scope_string(scopes)},
                    {"expires_in", s.options.access_token_lifetime.count()},
                    {"ext_expires_in", s.options.access_token_lifetime.count()},
                    {"access_token", user_token(s, app, t, u, scopes)}};
  const auto has = [&](std::string_view sc) {
    return std::find(scopes.begin(), scopes.end(), sc) != scopes.end();
  };
  if (has("offline_access")) {
    const std::string rt = "1.AQ" + s.random_token(64);
    s.refresh_tokens[rt] =
        RefreshToken{app.client_id, t.tenant_id(), u.id, scopes, s.now() + kRefreshLifetime, false};
    body["refresh_token"] = rt;
  }
  if (has("openid")) body["id_token"] = id_token(s, app, t, u, nonce);
  auto r = http::json_response(200, body);
  r.set_header("Cache-Control", "no-store, no-cache");
  return r;
}

// Scopes of the token the user may still have: all must still be consented.
bool still_consented(const TenantModel& t, const std::string& client_id, const std::string& user_id,
                     const std::vector<std::string>& scopes) {
  const auto& g = t.consent(client_id);
  auto us = g.user_scopes.find(user_id);
  return std::all_of(scopes.begin(), scopes.end(), [&](const std::string& sc) {
    return is_oidc_scope(sc) || g.delegated_scopes.contains(sc) ||
           (us != g.user_scopes.end() && us->second.contains(sc));
  });
}

bool pkce_ok(const AuthCode& c, std::string_view verifier) {
  if (c.code_challenge.empty()) return true;
  if (verifier.empty()) return false;
  const std::string expected = c.code_challenge_method == "S256"
                                   ? base64url_encode(sha256(verifier))
                                   : std::string(verifier);
  return constant_time_equal(expected, c.code_challenge);
}

// A code or refresh token redeemed at a tenant-specific authority must belong to that
// tenant; /common and /organizations accept any (the user's tenant decides).
std::optional<http::Response> wrong_tenant(State& s, const EmulatedTenant* authority,
                                           const std::string& tenant_id) {
  if (authority == nullptr || authority->directory.tenant_id() == tenant_id) return std::nullopt;
  return entra_error(s, 400, "invalid_grant", 700005,
                     "Provided Authorization Code is intended to use against other tenant, "
                     "thus rejected.");
}

http::Response token(State& s, http::Request& req) {
  const std::string tenant(req.path_param("tenant"));
  EmulatedTenant* authority = nullptr;
  if (!is_multi_tenant_authority(tenant)) {
    authority = s.find_tenant(tenant);
    if (authority == nullptr) {
      return entra_error(s, 400, "invalid_request", 90002,
                         "Tenant '" + tenant +
                             "' not found. Check to make sure you have the "
                             "correct tenant ID and are signing into the correct cloud.");
    }
  }
  const std::string directory = authority ? authority->directory.domain() : tenant;
  if (req.header("content-type").substr(0, 33) != "application/x-www-form-urlencoded") {
    return entra_error(s, 400, "invalid_request", 900144,
                       "The request body must contain the following parameter: 'grant_type'.");
  }
  const auto form = http::parse_form(req.body);
  std::string client_id = form_value(form, "client_id");
  std::string secret = form_value(form, "client_secret");
  const std::string_view auth = req.header("authorization");
  if (auth.size() > 6 && http::iequals(auth.substr(0, 6), "Basic ")) {  // RFC 6749 §2.3.1
    std::string b64(auth.substr(6));
    for (auto& ch : b64) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
    if (auto raw = base64url_decode(b64); raw && raw->find(':') != std::string::npos) {
      const auto colon = raw->find(':');
      client_id = *http::percent_decode(raw->substr(0, colon), true);
      secret = *http::percent_decode(raw->substr(colon + 1), true);
    }
  }
  const std::string grant_type = form_value(form, "grant_type");
  if (grant_type.empty()) {
    return entra_error(s, 400, "invalid_request", 900144,
                       "The request body must contain the following parameter: 'grant_type'.");
  }
  const AppRegistration* app = s.find_app(client_id);
  if (app == nullptr) {
    return entra_error(s, 400, "unauthorized_client", 700016,
                       "Application with identifier '" + client_id +
                           "' was not found in the directory '" + directory + "'.");
  }
  if (secret.empty()) {
    return entra_error(s, 401, "invalid_client", 7000218,
                       "The request body must contain the following parameter: "
                       "'client_assertion' or 'client_secret'.");
  }
  if (!constant_time_equal(secret, app->client_secret)) {
    return entra_error(s, 401, "invalid_client", 7000215,
                       "Invalid client secret provided. Ensure the secret being sent in the "
                       "request is the client secret value, not the client secret ID.");
  }
  if (grant_type == "client_credentials") {
    const std::string scope = form_value(form, "scope");
    if (scope != "https://graph.microsoft.com/.default" &&
        scope != "00000003-0000-0000-c000-000000000000/.default") {
      return entra_error(s, 400, "invalid_scope", 70011,
                         "The provided request must include a 'scope' input parameter. The "
                         "provided value for the input parameter 'scope' is not valid. The "
                         "scope " +
                             scope + " is not valid.");
    }
    // An app token needs a tenant: the multi-tenant authorities name none.
    if (authority == nullptr) {
      return entra_error(s, 400, "invalid_request", 50059,
                         "No tenant-identifying information found in either the request or "
                         "implied by any provided credentials.");
    }
    const ConsentGrant& grant = authority->directory.consent(app->client_id);
    if (!grant.service_principal) {
      return entra_error(s, 400, "unauthorized_client", 700016,
                         "Application with identifier '" + client_id +
                             "' was not found in the directory '" + directory +
                             "'. This can happen if the application has not been installed "
                             "by the administrator of the tenant.");
    }
    auto r = http::json_response(
        200, json::object{{"token_type", "Bearer"},
                          {"expires_in", s.options.access_token_lifetime.count()},
                          {"ext_expires_in", s.options.access_token_lifetime.count()},
                          {"access_token", app_token(s, *app, authority->directory, grant)}});
    r.set_header("Cache-Control", "no-store, no-cache");
    return r;
  }

  if (grant_type == "authorization_code") {
    auto it = s.codes.find(form_value(form, "code"));
    if (it == s.codes.end() || it->second.expires_at <= s.now()) {
      return entra_error(s, 400, "invalid_grant", 70008,
                         "The provided authorization code or refresh token has expired due to "
                         "inactivity. Send a new interactive authorization request.");
    }
    AuthCode& c = it->second;
    if (c.redeemed) {
      return entra_error(s, 400, "invalid_grant", 54005,
                         "OAuth2 Authorization code was already redeemed, please retry with a "
                         "new valid code or use an existing refresh token.");
    }
    if (c.client_id != app->client_id) {
      return entra_error(s, 400, "invalid_grant", 70000,
                         "The provided authorization code was issued to another client.");
    }
    if (form_value(form, "redirect_uri") != c.redirect_uri) {
      return entra_error(s, 400, "invalid_request", 50011,
                         "The redirect URI specified in the request does not match the "
                         "redirect URI of the authorization request.");
    }
    if (!pkce_ok(c, form_value(form, "code_verifier"))) {
      return entra_error(s, 400, "invalid_grant", 501481,
                         "The Code_Verifier does not match the code_challenge supplied in the "
                         "authorization request.");
    }
    if (auto e = wrong_tenant(s, authority, c.tenant_id)) return std::move(*e);
    c.redeemed = true;
    EmulatedTenant* home = s.find_tenant(c.tenant_id);
    const DirectoryUser* u = home ? home->directory.find_user(c.user_id) : nullptr;
    if (u == nullptr || !u->account_enabled) {
      return entra_error(s, 400, "invalid_grant", 50057, "The user account is disabled.");
    }
    return user_tokens(s, *app, home->directory, *u, c.scopes, c.nonce);
  }

  if (grant_type == "refresh_token") {
    auto it = s.refresh_tokens.find(form_value(form, "refresh_token"));
    if (it == s.refresh_tokens.end() || it->second.rotated || it->second.expires_at <= s.now() ||
        it->second.client_id != app->client_id) {
      return entra_error(s, 400, "invalid_grant", 70008,
                         "The provided authorization code or refresh token has expired due to "
                         "inactivity or was revoked. Send a new interactive authorization "
                         "request.");
    }
    RefreshToken old = it->second;
    if (auto e = wrong_tenant(s, authority, old.tenant_id)) return std::move(*e);
    EmulatedTenant* home = s.find_tenant(old.tenant_id);
    if (home == nullptr) {
      return entra_error(s, 400, "invalid_grant", 70008, "The refresh token was revoked.");
    }
    std::vector<std::string> scopes = old.scopes;
    if (const auto requested = form_value(form, "scope"); !requested.empty()) {
      auto wanted = normalise_scopes(requested);
      const bool subset =
          wanted && std::all_of(wanted->begin(), wanted->end(), [&](auto& w) {
            return std::find(old.scopes.begin(), old.scopes.end(), w) != old.scopes.end();
          });
      if (!subset) {
        return entra_error(s, 400, "invalid_scope", 70011,
                           "The provided value for the input parameter 'scope' is not valid: "
                           "it must be a subset of the original grant.");
      }
      scopes = std::move(*wanted);
      if (std::find(scopes.begin(), scopes.end(), "offline_access") == scopes.end()) {
        scopes.emplace_back("offline_access");  // a refresh grant always yields a new RT
      }
    }
    if (!still_consented(home->directory, app->client_id, old.user_id, scopes)) {
      return entra_error(s, 400, "invalid_grant", 65001,
                         "The user or administrator has not consented to use the application "
                         "with ID '" +
                             app->client_id +
                             "'. Send an interactive authorization "
                             "request for this user and resource.");
    }
    const DirectoryUser* u = home->directory.find_user(old.user_id);
    if (u == nullptr || !u->account_enabled) {
      return entra_error(s, 400, "invalid_grant", 50057, "The user account is disabled.");
    }
    // Rotation: the presented token is spent; clients must store the new one (§1.3).
    it->second.rotated = true;
    return user_tokens(s, *app, home->directory, *u, scopes, "");
  }

  return entra_error(s, 400, "unsupported_grant_type", 70003,
                     "The app requested an unsupported grant type '" + grant_type + "'.");
}

}  // namespace

void register_token_route(http::Router& router, const std::shared_ptr<State>& s) {
  // The token endpoint outage fault, then the handler; every answer is counted per client.
  router.add("POST", "/{tenant}/oauth2/v2.0/token",
             locked_route(s, [](State& st, http::Request& req) {
               const auto& outage = st.faults.token_outage_until;
               http::Response r =
                   outage && st.now() < *outage
                       ? entra_error(st, 503, "temporarily_unavailable", 90033,
                                     "A transient error has occurred. Please try again "
                                     "(injected token endpoint outage).")
                       : token(st, req);
               st.requests.record(form_value(http::parse_form(req.body), "client_id"), "token",
                                  r.status, 0, st.now());
               return r;
             }));
}

}  // namespace ccteams::emulator
