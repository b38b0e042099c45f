// Entra endpoints through the emulator's routes: discovery, token errors, admin consent and
// the authorization code flow with PKCE and refresh-token rotation.
#include <gtest/gtest.h>

#include <algorithm>

#include "emulator/encoding.hpp"
#include "emulator/harness_test.hpp"

namespace ccteams::emulator {
namespace {

using testing::Harness;
using testing::flow_of;
using testing::url_param;
namespace json = boost::json;

// Signs in on the sign-in page; returns the next response (consent page or redirect).
http::Response sign_in(Harness& h, const http::Response& page, const std::string& upn) {
  EXPECT_NE(page.body.find(">Email</label>"), std::string::npos);
  EXPECT_NE(page.body.find(">Next</button>"), std::string::npos);
  return h.post_form("/" + h.info.tenant_id + "/login", {{"flow", flow_of(page)}, {"login", upn}});
}

http::Response decide(Harness& h, const http::Response& consent, const std::string& decision) {
  EXPECT_NE(consent.body.find(">Accept</button>"), std::string::npos) << consent.body;
  EXPECT_NE(consent.body.find(">Cancel</button>"), std::string::npos);
  return h.post_form("/" + h.info.tenant_id + "/consent",
                     {{"flow", flow_of(consent)}, {"decision", decision}});
}

std::string admin_consent_url(const Harness& h, bool v2) {
  std::string u = "/" + h.info.tenant_id + (v2 ? "/v2.0" : "") + "/adminconsent?client_id=" +
                  h.info.app_id + "&state=s1&redirect_uri=" +
                  http::percent_encode("http://localhost:8080/callback");
  if (v2) u += "&scope=" + http::percent_encode("https://graph.microsoft.com/.default");
  return u;
}

http::Response client_credentials(Harness& h, const std::string& secret) {
  return h.post_form("/" + h.info.domain + "/oauth2/v2.0/token",
                     {{"grant_type", "client_credentials"},
                      {"client_id", h.info.app_id},
                      {"client_secret", secret},
                      {"scope", "https://graph.microsoft.com/.default"}});
}

TEST(Entra, DiscoveryDocumentAndKeys) {
  Harness h;
  auto r = h.get("/" + h.info.tenant_id + "/v2.0/.well-known/openid-configuration");
  ASSERT_EQ(r.status, 200);
  auto doc = h.json(r);
  EXPECT_EQ(doc.at("issuer").as_string(), "https://emu.test/" + h.info.tenant_id + "/v2.0");
  EXPECT_EQ(doc.at("jwks_uri").as_string(),
            "https://emu.test/" + h.info.tenant_id + "/discovery/v2.0/keys");
  auto keys = h.json(h.get("/common/discovery/v2.0/keys"));
  EXPECT_EQ(keys.at("keys").as_array().size(), 1u);
  EXPECT_EQ(h.get("/fabrikam.example/v2.0/.well-known/openid-configuration").status, 400);
}

TEST(Entra, ClientCredentialsBeforeConsentAndWithBadSecret) {
  Harness h;
  auto none = client_credentials(h, h.info.app_secret);
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(h.json(none).at("error_codes").as_array().at(0).as_int64(), 700016);
  auto bad = client_credentials(h, "wrong");
  EXPECT_EQ(bad.status, 401);
  auto body = h.json(bad);
  EXPECT_EQ(body.at("error").as_string(), "invalid_client");
  EXPECT_NE(body.at("error_description").as_string().find("AADSTS7000215"), std::string::npos);
  EXPECT_TRUE(body.contains("trace_id"));
}

TEST(Entra, AdminConsentV1ByGlobalAdminThenTokenHasRoles) {
  Harness h;
  auto page = h.get(admin_consent_url(h, false));
  ASSERT_EQ(page.status, 200);
  auto consent = sign_in(h, page, "admin@contoso.example");
  ASSERT_EQ(consent.status, 200);
  EXPECT_NE(consent.body.find("Presence.ReadWrite.All"), std::string::npos);
  auto done = decide(h, consent, "accept");
  ASSERT_EQ(done.status, 302);
  const std::string loc(done.header("Location"));
  EXPECT_EQ(loc.rfind("http://localhost:8080/callback?", 0), 0u) << loc;
  EXPECT_EQ(url_param(loc, "admin_consent"), "True");
  EXPECT_EQ(url_param(loc, "tenant"), h.info.tenant_id);
  EXPECT_EQ(url_param(loc, "state"), "s1");
  auto tok = client_credentials(h, h.info.app_secret);
  ASSERT_EQ(tok.status, 200);
  const std::string at(h.json(tok).at("access_token").as_string());
  auto payload = base64url_decode(at.substr(at.find('.') + 1, at.rfind('.') - at.find('.') - 1));
  ASSERT_TRUE(payload);
  EXPECT_NE(payload->find("\"roles\":["), std::string::npos);
  EXPECT_NE(payload->find("\"tid\":\"" + h.info.tenant_id), std::string::npos);
}

TEST(Entra, PrivilegedRoleAdminMayConsentButMemberGetsTheErrorRedirect) {
  Harness h;
  auto ok = decide(h, sign_in(h, h.get(admin_consent_url(h, false)), "privadmin@contoso.example"),
                   "accept");
  EXPECT_EQ(url_param(std::string(ok.header("Location")), "admin_consent"), "True");

  Harness h2;
  auto denied = sign_in(h2, h2.get(admin_consent_url(h2, false)), "member@contoso.example");
  ASSERT_EQ(denied.status, 302);
  const std::string loc(denied.header("Location"));
  EXPECT_EQ(url_param(loc, "error"), "access_denied");
  EXPECT_TRUE(url_param(loc, "admin_consent").empty());
  EXPECT_FALSE(client_credentials(h2, h2.info.app_secret).status == 200);  // nothing created
}

TEST(Entra, V2ConsentErrorStillCarriesAdminConsentTrue) {
  Harness h;
  auto consent = sign_in(h, h.get(admin_consent_url(h, true)), "admin@contoso.example");
  auto cancelled = decide(h, consent, "cancel");
  ASSERT_EQ(cancelled.status, 302);
  const std::string loc(cancelled.header("Location"));
  EXPECT_EQ(url_param(loc, "admin_consent"), "True");  // the trap: check error first
  EXPECT_EQ(url_param(loc, "error"), "consent_required");
  EXPECT_NE(url_param(loc, "error_description").find("AADSTS65004"), std::string::npos);
  EXPECT_EQ(url_param(loc, "state"), "s1");
}

TEST(Entra, V1CancelIsPermissionDenied) {
  Harness h;
  auto r = decide(h, sign_in(h, h.get(admin_consent_url(h, false)), "admin@contoso.example"),
                  "cancel");
  const std::string loc(r.header("Location"));
  EXPECT_EQ(url_param(loc, "error"), "permission_denied");
  EXPECT_EQ(url_param(loc, "error_description"), "The admin canceled the request");
}

TEST(Entra, UnregisteredRedirectUriIsAnErrorPageNotARedirect) {
  Harness h;
  auto r = h.get("/" + h.info.tenant_id + "/adminconsent?client_id=" + h.info.app_id +
                 "&redirect_uri=" + http::percent_encode("https://evil.example/cb"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("AADSTS50011"), std::string::npos);
}

TEST(Entra, AuthorizationCodeWithPkceRefreshRotationAndRevocation) {
  Harness h;
  const std::string verifier = "verifier-0123456789-0123456789-0123456789-abcdef";
  const std::string challenge = base64url_encode(sha256(verifier));
  const std::string redirect = "https://cc.example/api/v1/connectors/msteams/callback";
  auto page = h.get("/organizations/oauth2/v2.0/authorize?client_id=" + h.info.app_id +
                    "&response_type=code&redirect_uri=" + http::percent_encode(redirect) +
                    "&scope=" +
                    http::percent_encode("openid offline_access "
                                         "https://graph.microsoft.com/Presence.Read.All") +
                    "&state=xyz&code_challenge=" + challenge +
                    "&code_challenge_method=S256&login_hint=member@contoso.example");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("value=\"member@contoso.example\""), std::string::npos);
  auto consent = sign_in(h, page, "member@contoso.example");
  ASSERT_EQ(consent.status, 200) << consent.body;
  auto done = decide(h, consent, "accept");
  ASSERT_EQ(done.status, 302);
  const std::string code = url_param(std::string(done.header("Location")), "code");
  ASSERT_FALSE(code.empty());
  const auto redeem = [&](const std::string& v) {
    return h.post_form("/organizations/oauth2/v2.0/token",
                       {{"grant_type", "authorization_code"}, {"client_id", h.info.app_id},
                        {"client_secret", h.info.app_secret}, {"code", code},
                        {"redirect_uri", redirect}, {"code_verifier", v}});
  };
  auto wrong = redeem("not-the-verifier");
  EXPECT_EQ(h.json(wrong).at("error_codes").as_array().at(0).as_int64(), 501481);
  auto tokens = redeem(verifier);
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  auto body = h.json(tokens);
  EXPECT_TRUE(body.contains("id_token"));
  const std::string rt1(body.at("refresh_token").as_string());
  EXPECT_EQ(h.json(redeem(verifier)).at("error_codes").as_array().at(0).as_int64(), 54005);

  // The delegated token reads presence of another user (Presence.Read.All).
  const std::string at(body.at("access_token").as_string());
  EXPECT_EQ(h.get("/v1.0/users/" + h.user_id("admin") + "/presence", at).status, 200);

  const auto refresh = [&](const std::string& rt) {
    return h.post_form("/organizations/oauth2/v2.0/token",
                       {{"grant_type", "refresh_token"}, {"client_id", h.info.app_id},
                        {"client_secret", h.info.app_secret}, {"refresh_token", rt}});
  };
  auto r2 = refresh(rt1);
  ASSERT_EQ(r2.status, 200);
  const std::string rt2(h.json(r2).at("refresh_token").as_string());
  EXPECT_NE(rt1, rt2);
  EXPECT_EQ(refresh(rt1).status, 400);  // rotated: the old one is spent
  // An administrator revokes the user's sign-in sessions: the refresh token dies at once.
  EXPECT_EQ(h.post_json("/_emulator/users/nobody/revoke-sign-in-sessions", json::object{}).status,
            404);
  ASSERT_EQ(h.post_json("/_emulator/users/" + h.user_id("member") + "/revoke-sign-in-sessions",
                        json::object{})
                .status,
            200);
  auto killed = refresh(rt2);
  EXPECT_EQ(killed.status, 400);
  EXPECT_EQ(h.json(killed).at("error_codes").as_array().at(0).as_int64(), 70008);
  ASSERT_EQ(h.post_json("/_emulator/consent/revoke", json::object{}).status, 200);
  auto revoked = refresh(rt2);
  EXPECT_EQ(revoked.status, 400);
  EXPECT_EQ(h.json(revoked).at("error").as_string(), "invalid_grant");
  EXPECT_EQ(h.get("/v1.0/users/" + h.user_id("admin") + "/presence", at).status, 403);
}

TEST(Entra, RevokedPermissionIsMissingFromTheNextAppToken) {
  Harness h;
  const std::string before = h.app_token();
  EXPECT_EQ(h.get("/v1.0/users?$top=1", before).status, 200);
  auto revoked = h.post_json("/_emulator/consent/revoke-permission",
                             json::object{{"permission", "User.Read.All"}});
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  const auto app = h.json(revoked);
  const auto& roles = app.at("consent").at("appRoles").as_array();
  EXPECT_EQ(std::count(roles.begin(), roles.end(), json::value("User.Read.All")), 0);
  EXPECT_EQ(std::count(roles.begin(), roles.end(), json::value("Presence.ReadWrite.All")), 1);
  // Not granted (any more): 404; no permission named: 400.
  EXPECT_EQ(h.post_json("/_emulator/consent/revoke-permission",
                        json::object{{"permission", "User.Read.All"}})
                .status,
            404);
  EXPECT_EQ(h.post_json("/_emulator/consent/revoke-permission", json::object{}).status, 400);
  const auto token = h.post_form("/" + h.info.tenant_id + "/oauth2/v2.0/token",
                                 {{"grant_type", "client_credentials"},
                                  {"client_id", h.info.app_id},
                                  {"client_secret", h.info.app_secret},
                                  {"scope", "https://graph.microsoft.com/.default"}});
  ASSERT_EQ(token.status, 200) << token.body;
  const std::string after(h.json(token).at("access_token").as_string());
  auto users = h.get("/v1.0/users?$top=1", after);
  EXPECT_EQ(users.status, 403) << users.body;
  EXPECT_EQ(h.get("/v1.0/users/" + h.user_id("admin") + "/presence", after).status, 200);
}

TEST(Entra, PromptNoneWithoutSessionIsLoginRequired) {
  Harness h;
  auto r = h.get("/" + h.info.tenant_id + "/oauth2/v2.0/authorize?client_id=" + h.info.app_id +
                 "&response_type=code&redirect_uri=" +
                 http::percent_encode("http://localhost:5000/callback") +
                 "&scope=openid&prompt=none&state=q");
  ASSERT_EQ(r.status, 302);
  EXPECT_EQ(url_param(std::string(r.header("Location")), "error"), "login_required");
}

}  // namespace
}  // namespace ccteams::emulator
