// Entra with several tenants: authorities (/{tenant id}, /{domain}, /common, /organizations),
// per-tenant service principals, the tid of every token, ID token claims and wids, and the
// exact OpenID Connect + admin consent sequence the connector runs against both tenants.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>

#include "emulator/encoding.hpp"
#include "emulator/harness_test.hpp"
#include "emulator/jwt.hpp"
#include "emulator/tenant_model.hpp"

namespace ccteams::emulator {
namespace {

using testing::Harness;
using testing::flow_of;
using testing::url_param;
namespace json = boost::json;

constexpr const char* kRedirect = "https://cc.example/api/v1/connectors/msteams/callback";

json::object payload_of(const std::string& jwt) {
  const auto d1 = jwt.find('.');
  const auto d2 = jwt.rfind('.');
  return json::parse(*base64url_decode(jwt.substr(d1 + 1, d2 - d1 - 1))).as_object();
}

json::object header_of(const std::string& jwt) {
  return json::parse(*base64url_decode(jwt.substr(0, jwt.find('.')))).as_object();
}

std::string str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int aadsts(Harness& h, const http::Response& r) {
  return static_cast<int>(h.json(r).at("error_codes").as_array().at(0).as_int64());
}

http::Response client_credentials(Harness& h, const std::string& tenant) {
  return h.post_form("/" + tenant + "/oauth2/v2.0/token",
                     {{"grant_type", "client_credentials"},
                      {"client_id", h.info.app_id},
                      {"client_secret", h.info.app_secret},
                      {"scope", "https://graph.microsoft.com/.default"}});
}

// Signs in with upn on a sign-in page served at authority; accepts a consent page if one
// follows. Returns the final response (a redirect or an error page).
http::Response sign_in_and_accept(Harness& h, const std::string& authority,
                                  const http::Response& page, const std::string& upn) {
  auto next = h.post_form("/" + authority + "/login", {{"flow", flow_of(page)}, {"login", upn}});
  if (next.status == 200 && next.body.find(">Accept</button>") != std::string::npos) {
    next = h.post_form("/" + authority + "/consent",
                       {{"flow", flow_of(next)}, {"decision", "accept"}});
  }
  return next;
}

struct OidcResult {
  std::string id_token;
  std::string access_token;
  std::string refresh_token;
};

// The connector's sign-in: /organizations authorize with openid profile User.Read, PKCE S256
// and a nonce; the code redeemed at /organizations.
OidcResult oidc_sign_in(Harness& h, const std::string& upn, const std::string& nonce,
                        const std::string& scope = "openid profile offline_access User.Read") {
  const std::string verifier = "v-" + nonce + "-0123456789-0123456789-0123456789";
  const std::string challenge = base64url_encode(sha256(verifier));
  auto page = h.get("/organizations/oauth2/v2.0/authorize?client_id=" + h.info.app_id +
                    "&response_type=code&redirect_uri=" + http::percent_encode(kRedirect) +
                    "&scope=" + http::percent_encode(scope) + "&state=st-" + nonce +
                    "&nonce=" + nonce + "&code_challenge=" + challenge +
                    "&code_challenge_method=S256&prompt=select_account");
  EXPECT_EQ(page.status, 200) << page.body;
  auto done = sign_in_and_accept(h, "organizations", page, upn);
  EXPECT_EQ(done.status, 302) << done.body;
  const std::string location(done.header("Location"));
  EXPECT_EQ(url_param(location, "state"), "st-" + nonce);
  const std::string code = url_param(location, "code");
  auto tokens = h.post_form("/organizations/oauth2/v2.0/token",
                            {{"grant_type", "authorization_code"},
                             {"client_id", h.info.app_id},
                             {"client_secret", h.info.app_secret},
                             {"code", code},
                             {"redirect_uri", kRedirect},
                             {"code_verifier", verifier}});
  EXPECT_EQ(tokens.status, 200) << tokens.body;
  auto body = h.json(tokens);
  return {str(body, "id_token"), str(body, "access_token"), str(body, "refresh_token")};
}

TEST(EntraTenants, EachTenantHasItsOwnIdDomainAndAccounts) {
  Harness h(20, 9, 3);
  ASSERT_EQ(h.info.tenants.size(), 3u);
  EXPECT_EQ(h.info.tenants[0].domain, "contoso.example");
  EXPECT_EQ(h.info.tenants[1].domain, "contoso2.example");
  EXPECT_EQ(h.info.tenants[2].domain, "contoso3.example");
  EXPECT_EQ(h.info.tenants[1].accounts.at(0), "admin@contoso2.example");
  EXPECT_NE(h.info.tenants[0].tenant_id, h.info.tenants[1].tenant_id);
  EXPECT_NE(h.info.tenants[1].tenant_id, h.info.tenants[2].tenant_id);
  EXPECT_NE(h.info.tenants[0].sample_user_ids, h.info.tenants[1].sample_user_ids);
  // Tenant 1 is exactly the single-tenant emulator's tenant (back compatibility).
  Harness single(20, 9);
  EXPECT_EQ(single.info.tenants.size(), 1u);
  EXPECT_EQ(h.info.tenant_id, single.info.tenant_id);
  EXPECT_EQ(h.info.sample_user_ids, single.info.sample_user_ids);
  // Deterministic from the seed.
  Harness again(20, 9, 3);
  EXPECT_EQ(again.info.tenants[1].tenant_id, h.info.tenants[1].tenant_id);
  EXPECT_EQ(again.info.tenants[1].sample_user_ids, h.info.tenants[1].sample_user_ids);

  auto list = h.json(h.get("/_emulator/tenants"));
  ASSERT_EQ(list.at("value").as_array().size(), 3u);
  const auto& second = list.at("value").as_array().at(1).as_object();
  EXPECT_EQ(second.at("tenantId").as_string(), h.info.tenants[1].tenant_id);
  EXPECT_FALSE(second.at("home").as_bool());
  EXPECT_EQ(second.at("accounts").as_array().size(), 3u);
}

TEST(EntraTenants, ClientCredentialsNeedThatTenantsServicePrincipal) {
  Harness h(10, 9, 2);
  const std::string t2 = h.info.tenants[1].tenant_id;
  // Consent in tenant 1 creates nothing in tenant 2.
  ASSERT_EQ(h.post_json("/_emulator/consent/grant", json::object{}).status, 200);
  EXPECT_EQ(client_credentials(h, h.info.tenant_id).status, 200);
  auto refused = client_credentials(h, t2);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(h.json(refused).at("error").as_string(), "unauthorized_client");
  EXPECT_EQ(aadsts(h, refused), 700016);
  EXPECT_NE(refused.body.find("was not found in the directory 'contoso2.example'"),
            std::string::npos);
  auto unknown = client_credentials(h, "00000000-1111-2222-3333-444444444444");
  EXPECT_EQ(h.json(unknown).at("error").as_string(), "invalid_request");
  EXPECT_EQ(aadsts(h, unknown), 90002);
  // An app token needs a tenant.
  EXPECT_EQ(aadsts(h, client_credentials(h, "organizations")), 50059);

  ASSERT_EQ(h.post_json("/_emulator/consent/grant?tenant=contoso2.example", json::object{}).status,
            200);
  auto ok = client_credentials(h, "contoso2.example");  // the domain names the tenant too
  ASSERT_EQ(ok.status, 200) << ok.body;
  const auto claims = payload_of(str(h.json(ok), "access_token"));
  EXPECT_EQ(str(claims, "tid"), t2);
  EXPECT_EQ(str(claims, "iss"), "https://sts.windows.net/" + t2 + "/");
  EXPECT_EQ(str(claims, "idtyp"), "app");

  // Revoking is per tenant: tenant 1 keeps its service principal.
  ASSERT_EQ(h.post_json("/_emulator/consent/revoke?tenant=" + t2,
                        json::object{{"deleteServicePrincipal", true}})
                .status,
            200);
  EXPECT_EQ(aadsts(h, client_credentials(h, t2)), 700016);
  EXPECT_EQ(client_credentials(h, h.info.tenant_id).status, 200);
  auto apps2 = h.json(h.get("/_emulator/apps?tenant=" + t2));
  EXPECT_FALSE(apps2.at("value").as_array().at(0).at("consent").at("servicePrincipal").as_bool());
  auto apps1 = h.json(h.get("/_emulator/apps"));
  EXPECT_TRUE(apps1.at("value").as_array().at(0).at("consent").at("servicePrincipal").as_bool());
}

TEST(EntraTenants, AdminConsentAtOrganizationsConsentsInTheAdminsOwnTenant) {
  Harness h(10, 9, 2);
  const std::string t2 = h.info.tenants[1].tenant_id;
  for (const bool v2 : {false, true}) {
    std::string url = std::string("/organizations") + (v2 ? "/v2.0" : "") +
                      "/adminconsent?client_id=" + h.info.app_id + "&state=s&redirect_uri=" +
                      http::percent_encode(kRedirect);
    if (v2) url += "&scope=" + http::percent_encode("https://graph.microsoft.com/.default");
    auto page = h.get(url);
    ASSERT_EQ(page.status, 200) << page.body;
    auto done = sign_in_and_accept(h, "organizations", page, "admin@contoso2.example");
    ASSERT_EQ(done.status, 302) << done.body;
    const std::string location(done.header("Location"));
    EXPECT_EQ(url_param(location, "admin_consent"), "True");
    EXPECT_EQ(url_param(location, "tenant"), t2);
  }
  EXPECT_EQ(client_credentials(h, t2).status, 200);
  EXPECT_EQ(aadsts(h, client_credentials(h, h.info.tenant_id)), 700016);  // tenant 1 untouched
}

TEST(EntraTenants, TenantSpecificAuthorityRefusesAnotherTenantsUser) {
  Harness h(10, 9, 2);
  auto page = h.get("/" + h.info.tenant_id + "/v2.0/adminconsent?client_id=" + h.info.app_id +
                    "&scope=" + http::percent_encode("https://graph.microsoft.com/.default") +
                    "&state=s&redirect_uri=" + http::percent_encode(kRedirect));
  ASSERT_EQ(page.status, 200);
  auto refused = h.post_form("/" + h.info.tenant_id + "/login",
                             {{"flow", flow_of(page)}, {"login", "admin@contoso2.example"}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("AADSTS50020"), std::string::npos) << refused.body;
  EXPECT_TRUE(refused.header("Location").empty());  // nothing reaches the redirect URI
  // The flow is over: the same page cannot be reused by a user of the right tenant.
  auto again = h.post_form("/" + h.info.tenant_id + "/login",
                           {{"flow", flow_of(page)}, {"login", "admin@contoso.example"}});
  EXPECT_NE(again.body.find("AADSTS50058"), std::string::npos);
  EXPECT_EQ(aadsts(h, client_credentials(h, h.info.tenants[1].tenant_id)), 700016);
  EXPECT_EQ(aadsts(h, client_credentials(h, h.info.tenant_id)), 700016);

  // A domain authority is tenant-specific as well; authorize there refuses the same way.
  auto auth = h.get("/contoso2.example/oauth2/v2.0/authorize?client_id=" + h.info.app_id +
                    "&response_type=code&scope=openid&redirect_uri=" +
                    http::percent_encode(kRedirect));
  auto other = h.post_form("/contoso2.example/login",
                           {{"flow", flow_of(auth)}, {"login", "member@contoso.example"}});
  EXPECT_NE(other.body.find("AADSTS50020"), std::string::npos);
}

TEST(EntraTenants, IdTokenCarriesTheDocumentedClaimsOfTheUsersTenant) {
  Harness h(10, 9, 2);
  const std::string t2 = h.info.tenants[1].tenant_id;
  const auto r = oidc_sign_in(h, "admin@contoso2.example", "n-0S6_WzA2Mj");
  ASSERT_FALSE(r.id_token.empty());
  const auto header = header_of(r.id_token);
  EXPECT_EQ(str(header, "alg"), "RS256");
  EXPECT_EQ(str(header, "typ"), "JWT");
  const auto c = payload_of(r.id_token);
  EXPECT_EQ(str(c, "aud"), h.info.app_id);
  EXPECT_EQ(str(c, "iss"), "https://emu.test/" + t2 + "/v2.0");
  EXPECT_EQ(str(c, "tid"), t2);
  EXPECT_EQ(str(c, "nonce"), "n-0S6_WzA2Mj");
  EXPECT_EQ(str(c, "ver"), "2.0");
  EXPECT_EQ(str(c, "preferred_username"), "admin@contoso2.example");
  EXPECT_EQ(str(c, "name"), "Adele Vance");
  EXPECT_FALSE(str(c, "sub").empty());
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       h.now->time_since_epoch()).count();
  EXPECT_EQ(c.at("iat").as_int64(), now);
  EXPECT_EQ(c.at("nbf").as_int64(), now);
  EXPECT_GT(c.at("exp").as_int64(), now);
  // oid is the Graph user id in tenant 2.
  ASSERT_EQ(h.post_json("/_emulator/consent/grant?tenant=" + t2, json::object{}).status, 200);
  auto app = str(h.json(client_credentials(h, t2)), "access_token");
  auto me = h.json(h.get("/v1.0/users/admin@contoso2.example", app));
  EXPECT_EQ(str(c, "oid"), str(me, "id"));
  // The access token (for Graph) is a token of the same tenant.
  EXPECT_EQ(str(payload_of(r.access_token), "tid"), t2);
  // The refresh grant stays in the user's tenant, and a tenant-specific authority refuses a
  // refresh token of another tenant.
  auto wrong = h.post_form("/" + h.info.tenant_id + "/oauth2/v2.0/token",
                           {{"grant_type", "refresh_token"}, {"client_id", h.info.app_id},
                            {"client_secret", h.info.app_secret},
                            {"refresh_token", r.refresh_token}});
  EXPECT_EQ(aadsts(h, wrong), 700005);
  auto refreshed = h.post_form("/" + t2 + "/oauth2/v2.0/token",
                               {{"grant_type", "refresh_token"}, {"client_id", h.info.app_id},
                                {"client_secret", h.info.app_secret},
                                {"refresh_token", r.refresh_token}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_EQ(str(payload_of(str(h.json(refreshed), "id_token")), "tid"), t2);
}

TEST(EntraTenants, WidsOnlyWhenTheRegistrationAsksForDirectoryRoles) {
  Harness h(10, 9, 2);
  auto with_default = payload_of(oidc_sign_in(h, "admin@contoso.example", "a").id_token);
  ASSERT_TRUE(with_default.contains("wids"));  // the emulator's default: DirectoryRole
  const auto& wids = with_default.at("wids").as_array();
  EXPECT_NE(std::find(wids.begin(), wids.end(), json::value(kGlobalAdministratorRole)),
            wids.end());

  auto none = h.call("PATCH", "/_emulator/app", {{"content-type", "application/json"}},
                     R"({"groupMembershipClaims":"None"})");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(str(h.json(none), "groupMembershipClaims"), "None");
  EXPECT_FALSE(payload_of(oidc_sign_in(h, "admin@contoso.example", "b").id_token).contains("wids"));
  // null is the manifest's spelling of None; SecurityGroup does not include roles either.
  h.call("PATCH", "/_emulator/app", {{"content-type", "application/json"}},
         R"({"groupMembershipClaims":"SecurityGroup"})");
  EXPECT_FALSE(
      payload_of(oidc_sign_in(h, "privadmin@contoso2.example", "c").id_token).contains("wids"));
  h.call("PATCH", "/_emulator/app", {{"content-type", "application/json"}},
         R"({"groupMembershipClaims":"All"})");
  auto all = payload_of(oidc_sign_in(h, "privadmin@contoso2.example", "d").id_token);
  ASSERT_TRUE(all.contains("wids"));
  EXPECT_EQ(all.at("wids").as_array().at(0).as_string(), kPrivilegedRoleAdministratorRole);
  EXPECT_EQ(h.call("PATCH", "/_emulator/app", {{"content-type", "application/json"}},
                   R"({"groupMembershipClaims":"Everything"})")
                .status,
            400);

  // As an emulator option.
  EmulatorOptions o;
  o.users = 5;
  o.group_membership_claims = "None";
  o.signing_key_pem = JwtSigner::generate().private_key_pem();
  GraphEmulator e(o);
  EXPECT_EQ(e.info().tenants.size(), 1u);
}

TEST(EntraTenants, DiscoveryAndKeysForEveryAuthority) {
  Harness h(10, 9, 2);
  const std::string t2 = h.info.tenants[1].tenant_id;
  for (const std::string authority : {"common", "organizations"}) {
    auto doc = h.json(h.get("/" + authority + "/v2.0/.well-known/openid-configuration"));
    EXPECT_EQ(str(doc, "issuer"), "https://emu.test/{tenantid}/v2.0");
    EXPECT_EQ(str(doc, "jwks_uri"), "https://emu.test/" + authority + "/discovery/v2.0/keys");
    auto keys = h.json(h.get("/" + authority + "/discovery/v2.0/keys"));
    EXPECT_EQ(str(keys.at("keys").as_array().at(0).as_object(), "issuer"),
              "https://emu.test/{tenantid}/v2.0");
  }
  for (const std::string& authority : {t2, std::string("contoso2.example")}) {
    auto doc = h.json(h.get("/" + authority + "/v2.0/.well-known/openid-configuration"));
    EXPECT_EQ(str(doc, "issuer"), "https://emu.test/" + t2 + "/v2.0");
    EXPECT_EQ(str(doc, "authorization_endpoint"),
              "https://emu.test/" + authority + "/oauth2/v2.0/authorize");
    auto keys = h.get("/" + authority + "/discovery/v2.0/keys");
    ASSERT_EQ(keys.status, 200);
    EXPECT_EQ(str(h.json(keys).at("keys").as_array().at(0).as_object(), "issuer"),
              "https://emu.test/" + t2 + "/v2.0");
  }
  EXPECT_EQ(h.get("/fabrikam.example/discovery/v2.0/keys").status, 400);
  EXPECT_EQ(h.get("/fabrikam.example/v2.0/.well-known/openid-configuration").status, 400);
}

// Exactly what the connector does (issue 23): OpenID Connect sign-in at /organizations with
// PKCE S256 and a nonce, the ID token verified against /common/discovery/v2.0/keys, the roles
// read from /me/memberOf, then admin consent sent to /{tid}/v2.0/adminconsent and the app
// token's tid checked. For both tenants, neither touching the other.
TEST(EntraTenants, ConnectorSequenceWorksForBothTenants) {
  Harness h(10, 9, 2);
  const auto jwks = h.json(h.get("/common/discovery/v2.0/keys"));
  for (const auto& tenant : h.info.tenants) {
    SCOPED_TRACE(tenant.domain);
    const std::string nonce = "nonce-" + tenant.domain;
    const auto r = oidc_sign_in(h, "admin@" + tenant.domain, nonce, "openid profile User.Read");
    ASSERT_FALSE(r.id_token.empty());
    EXPECT_TRUE(r.refresh_token.empty());  // no offline_access asked
    // Signature: the kid is published at /common and the key verifies the token.
    const std::string kid = str(header_of(r.id_token), "kid");
    EXPECT_EQ(str(jwks.at("keys").as_array().at(0).as_object(), "kid"), kid);
    auto verified = JwtSigner::from_pem(testing::harness_signing_key()).verify(r.id_token, *h.now);
    ASSERT_TRUE(verified);
    const std::string tid = str(*verified, "tid");
    EXPECT_EQ(tid, tenant.tenant_id);
    EXPECT_EQ(str(*verified, "iss"), "https://emu.test/" + tid + "/v2.0");
    EXPECT_EQ(str(*verified, "nonce"), nonce);
    EXPECT_EQ(str(*verified, "aud"), h.info.app_id);

    auto roles = h.get("/v1.0/me/memberOf", r.access_token);
    ASSERT_EQ(roles.status, 200) << roles.body;
    const auto roles_body = h.json(roles);
    const auto& value = roles_body.at("value").as_array();
    ASSERT_EQ(value.size(), 1u);
    EXPECT_EQ(str(value.at(0).as_object(), "roleTemplateId"), kGlobalAdministratorRole);

    auto page = h.get("/" + tid + "/v2.0/adminconsent?client_id=" + h.info.app_id +
                      "&scope=" + http::percent_encode("https://graph.microsoft.com/.default") +
                      "&state=consent-" + tid + "&redirect_uri=" + http::percent_encode(kRedirect));
    ASSERT_EQ(page.status, 200);
    auto done = sign_in_and_accept(h, tid, page, "admin@" + tenant.domain);
    ASSERT_EQ(done.status, 302) << done.body;
    const std::string location(done.header("Location"));
    EXPECT_TRUE(url_param(location, "error").empty()) << location;
    EXPECT_EQ(url_param(location, "tenant"), tid);
    EXPECT_EQ(url_param(location, "state"), "consent-" + tid);

    auto app = client_credentials(h, tid);
    ASSERT_EQ(app.status, 200) << app.body;
    EXPECT_EQ(str(payload_of(str(h.json(app), "access_token")), "tid"), tid);
  }
}

}  // namespace
}  // namespace ccteams::emulator
