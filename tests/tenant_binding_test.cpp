// Issue 23 end to end: two organisations, each with its own Microsoft 365 tenant in the
// emulator (`ccteams demo --tenants 2`). A connector binds only the tenant its own
// administrator signed in to. The forged callbacks (another tenant's id in the consent answer,
// a stolen code, a replayed state, a sign-in without an admin role) are refused, audited, and
// change nothing; a second organisation cannot bind a bound tenant; and the role check works
// both from the ID token's wids and, when the app registration emits none, through Graph.
#include <gtest/gtest.h>

#include "demo_fixture.hpp"
#include "support/entra_browser.hpp"

namespace ccteams::testing {
namespace {

namespace json = boost::json;

struct Tenant {
  std::string id, domain;
  std::string admin() const { return "admin@" + domain; }
  std::string member() const { return "member@" + domain; }
};

class TenantBinding : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(demo_.port(), 0);
    browser_ = emulator_browser(demo_);
    ASSERT_TRUE(browser_);
    auto list = browser_->get(browser_->base() + "/_emulator/tenants");
    ASSERT_TRUE(list && list->status == 200);
    const auto doc = parse(list->body);  // range-for would not extend a temporary's life
    for (const auto& t : doc.at("value").as_array()) {
      tenants_.push_back(
          {std::string(t.at("tenantId").as_string()), std::string(t.at("domain").as_string())});
    }
    ASSERT_EQ(tenants_.size(), 2u);
    org_ = {demo_.login("admin"), demo_.login("admin2")};
    ASSERT_FALSE(org_[0].empty());
    ASSERT_FALSE(org_[1].empty());
  }

  json::object connector(int org) {
    auto r = demo_.send("GET", "/api/v1/connectors/msteams", "", org_[org]);
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r.body).as_object();
  }
  std::string status(int org) { return std::string(connector(org).at("status").as_string()); }
  std::string tenant_of(int org) {
    const auto c = connector(org);
    return c.at("tenantId").is_string() ? std::string(c.at("tenantId").as_string()) : "";
  }
  // The audit log's actions and results, newest first: "sign-in:error,authorize:ok,".
  std::string audit(int org) {
    auto r = demo_.send("GET", "/api/v1/connectors/msteams/audit?limit=100", "", org_[org]);
    EXPECT_EQ(r.status, 200) << r.body;
    std::string out;
    const auto items = parse(r.body);
    for (const auto& e : items.at("items").as_array()) {
      out += std::string(e.at("action").as_string()) + ":" +
             std::string(e.at("result").as_string()) + ",";
    }
    return out;
  }

  // org's administrator presses Set up and signs in to Entra as upn; returns the Location the
  // sign-in sends the browser to (our callback, with a code and the state).
  std::string sign_in(int org, const std::string& upn) {
    auto start = demo_.send("POST", "/api/v1/connectors/msteams/authorize", "", org_[org]);
    EXPECT_EQ(start.status, 200) << start.body;
    if (start.status != 200) return {};
    const std::string url(parse(start.body).at("authorizationUrl").as_string());
    return browser_->consent(url, upn, "accept");
  }
  RawResponse open(const std::string& location) { return demo_.get(target_of(location)); }
  // The whole Set up; returns our consent callback's answer (or the sign-in callback's when
  // that one refused).
  RawResponse set_up(int org, const std::string& upn) {
    auto ours = open(sign_in(org, upn));
    if (ours.status != 302) return ours;
    return open(browser_->consent(std::string(ours.header("location")), upn, "accept"));
  }

  static void expect_not_an_admin(const RawResponse& r) {
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_NE(r.body.find("not a Global Administrator or Privileged Role Administrator"),
              std::string::npos)
        << r.body;
  }

  DemoProcess demo_{std::vector<std::string>{"--tenants", "2"}};
  std::optional<EntraBrowser> browser_;
  std::vector<Tenant> tenants_;
  std::vector<std::string> org_;  // each organisation's admin session
};

TEST_F(TenantBinding, EachOrganisationBindsItsOwnTenantAndNeverAnother) {
  auto first = set_up(0, tenants_[0].admin());
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(status(0), "Active");
  EXPECT_EQ(tenant_of(0), tenants_[0].id);

  // Organisation 2's admin signs in with tenant 1's administrator account: the proven tenant is
  // bound to organisation 1, so the sign-in is refused (409, naming no organisation), before
  // any consent is asked for.
  auto taken = set_up(1, tenants_[0].admin());
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_NE(taken.body.find("already connected to another ccteams organisation"), std::string::npos)
      << taken.body;
  EXPECT_EQ(taken.body.find("Demo Contact Center"), std::string::npos) << taken.body;
  EXPECT_EQ(status(1), "Authorizing");
  EXPECT_EQ(tenant_of(1), "");
  EXPECT_EQ(audit(1), "sign-in:error,authorize:ok,");

  // Organisation 2 binds its own tenant; organisation 1 keeps its own.
  auto second = set_up(1, tenants_[1].admin());
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(status(1), "Active");
  EXPECT_EQ(tenant_of(1), tenants_[1].id);
  EXPECT_EQ(connector(1).at("authorizedByEntra").at("userPrincipalName"),
            json::value(tenants_[1].admin()));
  EXPECT_EQ(tenant_of(0), tenants_[0].id);
}

TEST_F(TenantBinding, ForgedCallbacksAreRefusedAuditedAndChangeNothing) {
  // Organisation 1's administrator signs in once without finishing (a code that ccteams never
  // redeems, stolen below), then sets up: our app holds consent in tenant 1.
  const std::string code_1 = query_value(sign_in(0, tenants_[0].admin()), "code");
  ASSERT_FALSE(code_1.empty());
  ASSERT_EQ(set_up(0, tenants_[0].admin()).status, 200);

  // The attack of issue 23: organisation 2's admin proves tenant 2, then rewrites the consent
  // answer to name tenant 1 (tenant ids are public, and our app holds consent there).
  auto ours = open(sign_in(1, tenants_[1].admin()));
  ASSERT_EQ(ours.status, 302) << ours.body;
  const std::string consent_url(ours.header("location"));
  EXPECT_EQ(consent_url.rfind(browser_->base() + "/" + tenants_[1].id + "/v2.0/adminconsent?", 0),
            0u)
      << consent_url;
  std::string answer = browser_->consent(consent_url, tenants_[1].admin(), "accept");
  ASSERT_NE(answer.find(tenants_[1].id), std::string::npos) << answer;
  std::string forged = answer;
  forged.replace(forged.find(tenants_[1].id), tenants_[1].id.size(), tenants_[0].id);
  auto refused = open(forged);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("another Microsoft 365 tenant"), std::string::npos) << refused.body;
  EXPECT_EQ(status(1), "Authorizing");
  EXPECT_EQ(tenant_of(1), "");
  EXPECT_EQ(tenant_of(0), tenants_[0].id);
  // The state is spent by the refusal: the genuine answer cannot follow, nor be replayed.
  EXPECT_EQ(open(answer).status, 409);
  EXPECT_EQ(status(1), "Authorizing");

  // A stolen code: organisation 1's sign-in code delivered with organisation 2's state. The
  // code was issued for another PKCE verifier, so Entra refuses to redeem it.
  const std::string own_2 = sign_in(1, tenants_[1].admin());
  std::string swapped = own_2;
  const auto code_at = swapped.find("code=") + 5;
  swapped.replace(code_at, swapped.find('&', code_at) - code_at, code_1);
  auto stolen = open(swapped);
  EXPECT_EQ(stolen.status, 403) << stolen.body;
  EXPECT_NE(stolen.body.find("refused to finish the sign-in (invalid_grant"), std::string::npos)
      << stolen.body;
  EXPECT_EQ(status(1), "Authorizing");
  // A replayed sign-in answer (its state was spent by the refusal).
  EXPECT_EQ(open(own_2).status, 409);

  // An account without an administrator role in its tenant: refused at the sign-in.
  auto member = set_up(1, tenants_[1].member());
  expect_not_an_admin(member);
  EXPECT_EQ(status(1), "Authorizing");
  EXPECT_EQ(tenant_of(1), "");

  // Every refusal is in organisation 2's audit log under its step, newest first; organisation
  // 1's shows its set up and the sign-in whose code was stolen (never redeemed by ccteams).
  EXPECT_EQ(audit(1),
            "sign-in:error,authorize:ok,"                // the member
            "sign-in:error,sign-in:error,authorize:ok,"  // the replay, the stolen code
            "callback:error,callback:error,sign-in:ok,authorize:ok,");  // the replay, the forgery
  EXPECT_EQ(audit(0), "callback:ok,sign-in:ok,authorize:ok,authorize:ok,");

  // After all that, organisation 2's own set up still works.
  ASSERT_EQ(set_up(1, tenants_[1].admin()).status, 200);
  EXPECT_EQ(tenant_of(1), tenants_[1].id);
}

TEST_F(TenantBinding, WithoutWidsInTheIdTokenTheRolesAreReadThroughGraph) {
  // The app registration no longer asks for directory roles in tokens (groupMembershipClaims
  // None): the ID token carries no wids, and ccteams reads the signed-in account's roles
  // with Graph /me/memberOf instead.
  auto patched =
      browser_->send_json("PATCH", "/_emulator/app", R"({"groupMembershipClaims":"None"})");
  ASSERT_TRUE(patched && patched->status == 200) << (patched ? patched->body : "");

  auto member = set_up(1, tenants_[1].member());
  expect_not_an_admin(member);
  EXPECT_EQ(status(1), "Authorizing");

  auto admin = set_up(1, tenants_[1].admin());
  ASSERT_EQ(admin.status, 200) << admin.body;
  EXPECT_EQ(tenant_of(1), tenants_[1].id);
}

}  // namespace
}  // namespace ccteams::testing
