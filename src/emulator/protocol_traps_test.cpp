// Documented traps of graph-protocol.md that the other emulator tests leave out: scope rules of
// the token endpoint (AADSTS70011), an unknown tenant (90002), a member asking for an
// admin-restricted permission without admin consent (65001), a refresh that widens its scope,
// and setUserPreferredPresence's own six pairs and its "only while a session exists" rule.
#include <gtest/gtest.h>

#include "emulator/encoding.hpp"
#include "emulator/harness_test.hpp"

namespace ccteams::emulator {
namespace {

using testing::Harness;
using testing::flow_of;
using testing::url_param;
namespace json = boost::json;

constexpr std::string_view kRedirect = "http://localhost/callback";

void expect_entra_error(Harness& h, const http::Response& r, int status, std::string_view error,
                        std::int64_t aadsts) {
  EXPECT_EQ(r.status, status) << r.body;
  const auto body = h.json(r);
  EXPECT_EQ(body.at("error").as_string(), error) << r.body;
  EXPECT_EQ(body.at("error_codes").as_array().at(0).as_int64(), aadsts) << r.body;
  EXPECT_EQ(body.at("error_description").as_string().find("AADSTS" + std::to_string(aadsts)),
            0u)
      << r.body;
}

// Starts authorize for scopes and signs in as upn; returns what the sign-in answered.
http::Response authorize_as(Harness& h, const std::string& scopes, const std::string& upn,
                            const std::string& challenge = {}) {
  std::string target = "/" + h.info.tenant_id + "/oauth2/v2.0/authorize?client_id=" +
                       h.info.app_id + "&response_type=code&redirect_uri=" +
                       http::percent_encode(kRedirect) + "&scope=" + http::percent_encode(scopes) +
                       "&state=trap";
  if (!challenge.empty()) target += "&code_challenge_method=S256&code_challenge=" + challenge;
  auto page = h.get(target);
  EXPECT_EQ(page.status, 200) << page.body;
  return h.post_form("/" + h.info.tenant_id + "/login", {{"flow", flow_of(page)}, {"login", upn}});
}

TEST(ProtocolTraps, ClientCredentialsNeedTheDefaultScope) {
  Harness h;
  h.app_token();  // consented
  auto r = h.post_form("/" + h.info.tenant_id + "/oauth2/v2.0/token",
                       {{"grant_type", "client_credentials"},
                        {"client_id", h.info.app_id},
                        {"client_secret", h.info.app_secret},
                        {"scope", "https://graph.microsoft.com/User.Read.All"}});
  expect_entra_error(h, r, 400, "invalid_scope", 70011);
}

TEST(ProtocolTraps, UnknownTenantIsAadsts90002) {
  Harness h;
  auto r = h.post_form("/no-such-tenant.example/oauth2/v2.0/token",
                       {{"grant_type", "client_credentials"},
                        {"client_id", h.info.app_id},
                        {"client_secret", h.info.app_secret},
                        {"scope", "https://graph.microsoft.com/.default"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(h.json(r).at("error_codes").as_array().at(0).as_int64(), 90002) << r.body;
}

TEST(ProtocolTraps, MemberCannotConsentToAnAdminRestrictedPermission) {
  Harness h;  // no admin consent yet
  auto r = authorize_as(h, "openid https://graph.microsoft.com/User.Read.All",
                        "member@" + h.info.domain);
  ASSERT_EQ(r.status, 302) << r.body;
  const std::string location(r.header("Location"));
  EXPECT_EQ(location.rfind(std::string(kRedirect), 0), 0u) << location;
  EXPECT_EQ(url_param(location, "error"), "access_denied");
  EXPECT_NE(url_param(location, "error_description").find("AADSTS65001"), std::string::npos);
  EXPECT_EQ(url_param(location, "code"), "");
  EXPECT_EQ(url_param(location, "state"), "trap");
}

TEST(ProtocolTraps, RefreshMayNarrowButNotWidenTheScope) {
  Harness h;
  h.app_token();  // admin consent covers the delegated permissions: no consent page
  const std::string verifier = "trap-verifier-0123456789-0123456789-0123456789";
  auto r = authorize_as(h, "openid offline_access https://graph.microsoft.com/Presence.Read.All",
                        "member@" + h.info.domain, base64url_encode(sha256(verifier)));
  ASSERT_EQ(r.status, 302) << r.body;
  const std::string code = url_param(std::string(r.header("Location")), "code");
  ASSERT_FALSE(code.empty());
  const std::string token_path = "/" + h.info.tenant_id + "/oauth2/v2.0/token";
  auto tokens = h.post_form(token_path, {{"grant_type", "authorization_code"},
                                         {"client_id", h.info.app_id},
                                         {"client_secret", h.info.app_secret},
                                         {"code", code},
                                         {"redirect_uri", std::string(kRedirect)},
                                         {"code_verifier", verifier}});
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  const std::string refresh(h.json(tokens).at("refresh_token").as_string());
  auto wider = h.post_form(token_path, {{"grant_type", "refresh_token"},
                                        {"client_id", h.info.app_id},
                                        {"client_secret", h.info.app_secret},
                                        {"refresh_token", refresh},
                                        {"scope", "https://graph.microsoft.com/User.Read.All"}});
  expect_entra_error(h, wider, 400, "invalid_scope", 70011);
  // The refused refresh did not spend the token: the same scope still works.
  auto same = h.post_form(token_path,
                          {{"grant_type", "refresh_token"},
                           {"client_id", h.info.app_id},
                           {"client_secret", h.info.app_secret},
                           {"refresh_token", refresh},
                           {"scope", "https://graph.microsoft.com/Presence.Read.All"}});
  EXPECT_EQ(same.status, 200) << same.body;
}

TEST(ProtocolTraps, PreferredPresenceHasItsOwnPairsAndNeedsASession) {
  Harness h;
  const auto token = h.app_token();
  const auto id = h.user_id("member");
  const std::string base = "/v1.0/users/" + id + "/presence/";
  const auto prefer = [&](const char* availability, const char* activity) {
    return h.post_json(base + "setUserPreferredPresence",
                       json::object{{"availability", availability}, {"activity", activity}},
                       token)
        .status;
  };
  // setPresence's pairs are not all preferred pairs, and the other way round.
  EXPECT_EQ(prefer("Busy", "InACall"), 400);
  EXPECT_EQ(prefer("DoNotDisturb", "Presenting"), 400);
  for (const auto& [a, b] : std::vector<std::pair<const char*, const char*>>{
           {"Available", "Available"}, {"Busy", "Busy"}, {"DoNotDisturb", "DoNotDisturb"},
           {"BeRightBack", "BeRightBack"}, {"Away", "Away"}, {"Offline", "OffWork"}}) {
    EXPECT_EQ(prefer(a, b), 200) << a << "/" << b;
  }
  EXPECT_EQ(prefer("DoNotDisturb", "DoNotDisturb"), 200);
  // Without any presence session the preferred state does not show: Offline.
  EXPECT_EQ(h.json(h.get(base.substr(0, base.size() - 1), token)).at("availability").as_string(),
            "Offline");
  ASSERT_EQ(h.post_json(base + "setPresence",
                        json::object{{"sessionId", h.info.app_id},
                                     {"availability", "Available"},
                                     {"activity", "Available"}},
                        token)
                .status,
            200);
  // With a session, the preferred state wins over it.
  const auto shown = h.json(h.get(base.substr(0, base.size() - 1), token));
  EXPECT_EQ(shown.at("availability").as_string(), "DoNotDisturb");
  EXPECT_EQ(shown.at("activity").as_string(), "DoNotDisturb");
  EXPECT_EQ(h.call("POST", base + "clearUserPreferredPresence",
                   {{"authorization", "Bearer " + token}}).status,
            200);
  EXPECT_EQ(h.json(h.get(base.substr(0, base.size() - 1), token)).at("availability").as_string(),
            "Available");
}

}  // namespace
}  // namespace ccteams::emulator
