// Issue 4 end to end through the real binary (`ccteams demo`, whose connector points at the
// embedded Graph + Entra emulator over HTTPS): an admin sets the Teams connector up by
// signing in and following the admin-consent URL as a browser would, edits features and mapping,
// deactivates, is refused deleting while Active, deletes, sets up again; the refusals (member@
// may not set up, privadmin@ may; forged and replayed state, a forged tenant, Cancel) leave the
// connector as it was;
// and the client secret never shows in logs, API answers or the database file.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "demo_fixture.hpp"
#include "support/entra_browser.hpp"

namespace ccteams::testing {
namespace {

namespace json = boost::json;

class ConnectorDemo : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(demo_.port(), 0);
    browser_ = emulator_browser(demo_);
    ASSERT_TRUE(browser_);
    auto tenant = browser_->get(browser_->base() + "/_emulator/tenant");
    ASSERT_TRUE(tenant && tenant->status == 200);
    tenant_ = std::string(parse(tenant->body).at("tenantId").as_string());
    domain_ = std::string(parse(tenant->body).at("domain").as_string());
    token_ = demo_.login("admin");
  }

  RawResponse api(const std::string& method, const std::string& path,
                  const std::string& body = {}) {
    auto r = demo_.send(method, path, body, token_);
    responses_ += r.body + "\n";
    return r;
  }
  json::object connector() {
    auto r = api("GET", "/api/v1/connectors/msteams");
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r.body).as_object();
  }
  std::string status() { return std::string(connector().at("status").as_string()); }

  // POST authorize, then the browser's sign-in; returns the callback Location (with a code).
  std::string start_and_sign_in(const std::string& upn) {
    auto start = api("POST", "/api/v1/connectors/msteams/authorize");
    EXPECT_EQ(start.status, 200) << start.body;
    if (start.status != 200) return {};
    const std::string url(parse(start.body).at("authorizationUrl").as_string());
    EXPECT_EQ(url.rfind(browser_->base() + "/organizations/oauth2/v2.0/authorize?", 0), 0u) << url;
    return browser_->consent(url, upn, "accept");
  }
  // The whole Set up in the browser: the sign-in, our callback's redirect to admin consent in
  // the proven tenant, and the consent page answered with decision. Returns the consent's
  // callback Location, or "" when our sign-in callback refused (then refusal holds its page).
  std::string start_and_consent(const std::string& upn, const std::string& decision = "accept") {
    const std::string signed_in = start_and_sign_in(upn);
    EXPECT_EQ(query_value(signed_in, "error"), "") << signed_in;
    refusal_ = callback(signed_in);
    if (refusal_.status != 302) return {};
    const std::string consent_url(refusal_.header("location"));
    EXPECT_EQ(consent_url.rfind(browser_->base() + "/" + tenant_ + "/v2.0/adminconsent?", 0), 0u)
        << consent_url;
    return browser_->consent(consent_url, upn, decision);
  }
  RawResponse callback(const std::string& location) {
    auto r = demo_.get(target_of(location));
    responses_ += r.body + "\n";
    return r;
  }

  DemoProcess demo_;
  std::optional<EntraBrowser> browser_;
  std::string tenant_, domain_, token_;
  std::string responses_;  // every API answer, for the secrets check
  RawResponse refusal_;    // our sign-in callback's answer in the last start_and_consent
};

TEST_F(ConnectorDemo, WholeLifecycleAgainstTheEmulatorAndNoSecretLeaks) {
  auto tab = api("GET", "/api/v1/connectors");
  ASSERT_EQ(tab.status, 200);
  EXPECT_EQ(parse(tab.body).at("items").as_array().at(0).at("status"), "NotConfigured");

  // Set up: Global Administrator consents; the popup page reports Active.
  const std::string location = start_and_consent("admin@" + domain_);
  ASSERT_EQ(location.rfind("http://127.0.0.1", 0), 0u) << location;
  EXPECT_EQ(query_value(location, "admin_consent"), "True");
  auto page = callback(location);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("\"type\":\"ccteams-connector\""), std::string::npos);
  EXPECT_NE(page.body.find("\"status\":\"Active\""), std::string::npos);
  const std::string csp = page.header("content-security-policy");
  EXPECT_NE(csp.find("script-src 'nonce-"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_NE(page.body.find("window.location.origin"), std::string::npos);

  auto c = connector();
  EXPECT_EQ(c.at("status"), "Active");
  EXPECT_EQ(c.at("tenantId"), json::value(tenant_));
  EXPECT_EQ(c.at("authorizedBy").at("username"), "admin");
  EXPECT_EQ(c.at("authorizedByEntra").at("userPrincipalName"), json::value("admin@" + domain_));
  EXPECT_FALSE(c.at("authorizedByEntra").at("objectId").as_string().empty());
  EXPECT_FALSE(c.at("authorizedAt").is_null());
  EXPECT_FALSE(c.at("grantedPermissions").as_array().empty());
  ASSERT_EQ(c.at("presenceMapping").as_array().size(), 4u);
  // The replayed callback changes nothing.
  auto replay = callback(location);
  EXPECT_EQ(replay.status, 409) << replay.body;
  EXPECT_EQ(status(), "Active");

  // Edit features and mapping.
  const auto dnd_code = c.at("presenceMapping").as_array().at(0).at("idleCodeId").as_int64();
  auto patched = api(
      "PATCH", "/api/v1/connectors/msteams",
      R"({"showUserDetails":false,"presenceMapping":[{"availability":"DoNotDisturb","activity":null,"idleCodeId":)" +
          std::to_string(dnd_code) + R"(},{"availability":"Away","idleCodeId":)" +
          std::to_string(dnd_code) + "}]}");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(parse(patched.body).at("showUserDetails"), false);
  EXPECT_EQ(parse(patched.body).at("presenceMapping").as_array().size(), 2u);
  auto bad = api("PATCH", "/api/v1/connectors/msteams",
                 R"({"presenceMapping":[{"availability":"Sleeping","idleCodeId":1}]})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  auto in_use = api("DELETE", "/api/v1/idle-codes/" + std::to_string(dnd_code));
  EXPECT_EQ(in_use.status, 409) << in_use.body;
  EXPECT_NE(in_use.body.find("the Microsoft Teams presence mapping (DoNotDisturb, Away)"),
            std::string::npos)
      << in_use.body;

  // Delete is refused while Active; allowed after deactivating.
  auto refused = api("DELETE", "/api/v1/connectors/msteams");
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("Deactivate"), std::string::npos) << refused.body;
  ASSERT_EQ(api("POST", "/api/v1/connectors/msteams/deactivate").status, 200);
  EXPECT_EQ(status(), "Inactive");
  auto re = api("POST", "/api/v1/connectors/msteams/reactivate");
  ASSERT_EQ(re.status, 200) << re.body;
  EXPECT_EQ(status(), "Active");
  ASSERT_EQ(api("POST", "/api/v1/connectors/msteams/deactivate").status, 200);
  auto deleted = api("DELETE", "/api/v1/connectors/msteams");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(parse(deleted.body).at("message"),
            "The enterprise application stays in Microsoft Entra ID until an administrator "
            "removes it there.");
  EXPECT_EQ(status(), "NotConfigured");

  // Set up again, this time a Privileged Role Administrator consents.
  auto again = callback(start_and_consent("privadmin@" + domain_));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(status(), "Active");

  auto audit = api("GET", "/api/v1/connectors/msteams/audit?limit=100");
  ASSERT_EQ(audit.status, 200);
  std::string actions;
  const auto audit_json = parse(audit.body);  // range-for would not extend a temporary's life
  for (const auto& e : audit_json.at("items").as_array()) {
    actions += std::string(e.at("action").as_string()) + ",";
  }
  EXPECT_EQ(actions,
            // Deleting also removes the sync accounts (their participant records it).
            "callback,sign-in,authorize,delete,sync_account.remove,deactivate,reactivate,"
            "deactivate,delete,update,callback,callback,sign-in,authorize,");

  // Secrets: the client secret is in no log line, API answer or database byte.
  auto apps = browser_->get(browser_->base() + "/_emulator/apps");
  ASSERT_TRUE(apps && apps->status == 200);
  const auto apps_json = parse(apps->body);
  const auto& app = apps_json.at("value").as_array().at(0);
  const std::string secret(app.at("clientSecret").as_string());
  ASSERT_GE(secret.size(), 16u);
  EXPECT_EQ(demo_.process().output().find(secret), std::string::npos);
  EXPECT_EQ(responses_.find(secret), std::string::npos);
  std::string db;
  for (const auto& entry : std::filesystem::directory_iterator(demo_.data())) {
    if (entry.path().filename().string().rfind("ccteams.db", 0) == 0) db += slurp(entry.path());
  }
  ASSERT_FALSE(db.empty());
  EXPECT_EQ(db.find(secret), std::string::npos);
  EXPECT_EQ(db.find("eyJ0eXAi"), std::string::npos);  // no JWT (access token) either
  EXPECT_EQ(db.find("eyJhbGci"), std::string::npos);
}

TEST_F(ConnectorDemo, RefusalsLeaveTheConnectorAsItWas) {
  // A member cannot set up: refused at our sign-in callback (its ID token's wids), a clear
  // message, nothing changes, and no admin consent is even asked for.
  EXPECT_EQ(start_and_consent("member@" + domain_), "");
  EXPECT_EQ(refusal_.status, 403) << refusal_.body;
  EXPECT_NE(refusal_.body.find("not a Global Administrator or Privileged Role Administrator"),
            std::string::npos)
      << refusal_.body;
  EXPECT_NE(refusal_.body.find("\"status\":\"error\""), std::string::npos);
  EXPECT_EQ(status(), "Authorizing");

  // Cancel on the consent page.
  auto cancelled = callback(start_and_consent("admin@" + domain_, "cancel"));
  EXPECT_EQ(cancelled.status, 403) << cancelled.body;
  EXPECT_NE(cancelled.body.find("cancelled"), std::string::npos) << cancelled.body;
  EXPECT_EQ(status(), "Authorizing");

  // A forged state, and a forged tenant with a real state.
  const std::string good = start_and_consent("admin@" + domain_);
  ASSERT_FALSE(good.empty());
  std::string forged = good;
  forged.replace(forged.find("state=") + 6, 4, "XXXX");
  EXPECT_EQ(callback(forged).status, 400);
  EXPECT_EQ(status(), "Authorizing");
  // The attack of issue 23: the consent answer names another tenant than the signed-in one.
  const std::string good_too = start_and_consent("admin@" + domain_);
  std::string other_tenant = good_too;
  other_tenant.replace(other_tenant.find(tenant_), tenant_.size(),
                       "00000000-0000-4000-8000-000000000000");
  auto wrong = callback(other_tenant);
  EXPECT_EQ(wrong.status, 403) << wrong.body;
  EXPECT_NE(wrong.body.find("another Microsoft 365 tenant"), std::string::npos) << wrong.body;
  EXPECT_EQ(status(), "Authorizing");
  // Its state is spent: the genuine answer cannot follow.
  EXPECT_EQ(callback(good_too).status, 409);

  // Only admins: another role is refused, and the callback needs no session but a state.
  const auto agent = demo_.login("agent1");
  EXPECT_EQ(demo_.send("POST", "/api/v1/connectors/msteams/authorize", "", agent).status, 403);
  EXPECT_EQ(demo_.get("/api/v1/connectors/msteams/callback?admin_consent=True").status, 400);
}

}  // namespace
}  // namespace ccteams::testing
