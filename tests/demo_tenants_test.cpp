// `ccteams demo --tenants 2`: two organisations, each with its own emulated Microsoft 365
// tenant, for the cross-tenant tests and for trying the attack of issue 23 by hand.
#include <gtest/gtest.h>

#include "demo_fixture.hpp"

namespace ccteams::testing {
namespace {

namespace json = boost::json;

std::string body_of(const Result<ClientResponse>& r) {
  if (!r) {
    ADD_FAILURE() << r.error().message;
    return "{}";
  }
  EXPECT_EQ(r->status, 200) << r->body;
  return r->body;
}

TEST(DemoTenants, TwoOrganisationsSignInAndEachHasItsTenant) {
  DemoProcess demo(std::vector<std::string>{"--tenants", "2"});
  ASSERT_NE(demo.port(), 0);
  const std::string out = demo.process().output();
  EXPECT_NE(out.find("Organisation 2: Demo Contact Center 2"), std::string::npos) << out;
  EXPECT_NE(out.find("admin2, supervisor2, agent2-1..agent2-3"), std::string::npos) << out;
  EXPECT_NE(out.find("admin@ccteams-demo2.onmicrosoft.com (Global Administrator)"),
            std::string::npos)
      << out;

  // Both organisations' accounts sign in; each admin sees its own organisation only.
  const std::string admin1 = demo.login("admin");
  const std::string admin2 = demo.login("admin2");
  ASSERT_FALSE(admin1.empty());
  ASSERT_FALSE(admin2.empty());
  EXPECT_FALSE(demo.login("agent1").empty());
  EXPECT_FALSE(demo.login("agent2-1").empty());
  EXPECT_FALSE(demo.login("supervisor2").empty());
  const auto users2 = demo.get("/api/v1/users", admin2);
  ASSERT_EQ(users2.status, 200) << users2.body;
  EXPECT_NE(users2.body.find("\"agent2-3\""), std::string::npos) << users2.body;
  EXPECT_EQ(users2.body.find("\"agent1\""), std::string::npos) << users2.body;
  const auto users1 = demo.get("/api/v1/users", admin1);
  EXPECT_EQ(users1.body.find("\"agent2-1\""), std::string::npos) << users1.body;
  // Organisation 2's connector is bound to nothing yet, like organisation 1's.
  for (const auto& token : {admin1, admin2}) {
    auto c = demo.get("/api/v1/connectors/msteams", token);
    ASSERT_EQ(c.status, 200) << c.body;
    EXPECT_EQ(parse(c.body).at("status").as_string(), "NotConfigured");
  }

  // The emulator hosts both tenants; tenant 2's admin signs in to Entra and consents in
  // tenant 2 (the redirect names it), tenant 1's admin in tenant 1.
  auto browser = emulator_browser(demo);
  ASSERT_TRUE(browser);
  const auto tenants = parse(body_of(browser->get(browser->base() + "/_emulator/tenants")));
  const auto& list = tenants.at("value").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list.at(1).at("domain").as_string(), "ccteams-demo2.onmicrosoft.com");
  const auto apps = parse(body_of(browser->get(browser->base() + "/_emulator/apps")));
  const std::string app_id(apps.at("value").as_array().at(0).at("clientId").as_string());
  for (const auto& t : list) {
    const std::string domain(t.at("domain").as_string());
    const std::string url =
        browser->base() + "/organizations/v2.0/adminconsent?client_id=" + app_id +
        "&scope=" + http::percent_encode("https://graph.microsoft.com/.default") +
        "&state=by-hand&redirect_uri=" +
        http::percent_encode("http://127.0.0.1/api/v1/connectors/msteams/callback");
    const std::string location = browser->consent(url, "admin@" + domain, "accept");
    EXPECT_NE(location.find("tenant=" + std::string(t.at("tenantId").as_string())),
              std::string::npos)
        << location;
  }
}

}  // namespace
}  // namespace ccteams::testing
