// Issue 7 end to end through the real binary (`ccteams demo` with an emulated tenant of 2,000
// users over HTTPS): the connector becomes Active, the directory mirror fills in the
// background; an agent on a contact searches "billing" and gets Billing department users first,
// each with Teams presence; a consult to a Teams user without a dialable number is refused
// with the reason; a consult to a busy expert dials their E.164 number with a warning; the
// contact is transferred to them; an on-demand sync picks up a user created in Entra; with
// showUserDetails off the same search shows no presence nor department.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "demo_fixture.hpp"
#include "support/entra_browser.hpp"

namespace ccteams::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

TEST(DirectoryDemo, AgentFindsBillingExpertsWithPresenceConsultsAndTransfers) {
  DemoProcess demo(std::vector<std::string>{"--emulator-users", "2000"});
  ASSERT_NE(demo.port(), 0);
  auto emulator = emulator_browser(demo);
  ASSERT_TRUE(emulator);
  EntraBrowser& browser = *emulator;
  auto tenant = browser.get(browser.base() + "/_emulator/tenant");
  ASSERT_TRUE(tenant && tenant->status == 200);
  const std::string domain(parse(tenant->body).at("domain").as_string());

  const std::string admin = demo.login("admin");
  const std::string agent = demo.login("agent1");
  // Before the connector exists the directory is refused, not empty.
  EXPECT_EQ(demo.get("/api/v1/directory/teams-users?q=billing", agent).status, 409);

  auto start = demo.send("POST", "/api/v1/connectors/msteams/authorize", "", admin);
  ASSERT_EQ(start.status, 200) << start.body;
  const std::string location = browser.set_up(
      std::string(parse(start.body).at("authorizationUrl").as_string()), "admin@" + domain,
      [&](const std::string& loc) { return demo.open_redirect(target_of(loc)); });
  auto page = demo.get(target_of(location));
  ASSERT_EQ(page.status, 200) << page.body;

  // The mirror fills in the background (2,000 users: paged /users, then the delta round).
  RawResponse found;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    found = demo.get("/api/v1/directory/teams-users?q=billing&limit=50", agent);
    if (found.status == 200) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(found.status, 200) << found.body;
  const json::object result = parse(found.body).as_object();
  EXPECT_EQ(result.at("showUserDetails"), true);
  const auto& items = result.at("items").as_array();
  ASSERT_GE(items.size(), 10u) << found.body;
  EXPECT_GE(result.at("total").as_int64(), 50);
  // Billing department users first (the exact department before title and other matches).
  EXPECT_EQ(items.at(0).at("department"), "Billing") << found.body;
  std::size_t billing = 0;
  while (billing < items.size() && items.at(billing).at("department") == "Billing") ++billing;
  for (std::size_t i = billing; i < items.size(); ++i) {
    EXPECT_NE(items.at(i).at("department"), "Billing") << "Billing user after others at " << i;
  }
  EXPECT_GE(billing, 10u);
  std::string dialable_id, undialable_id;
  for (const auto& v : items) {
    const auto& o = v.as_object();
    ASSERT_TRUE(o.at("presence").is_object()) << json::serialize(o);
    EXPECT_FALSE(o.at("presence").at("availability").as_string().empty());
    if (o.at("dialable").as_bool()) {
      EXPECT_EQ(o.at("phone").as_string().front(), '+');
      if (dialable_id.empty() && o.at("department") == "Billing") {
        dialable_id = std::string(o.at("id").as_string());
      }
    } else {
      EXPECT_TRUE(o.at("notDialableReason").is_string());
      if (undialable_id.empty()) undialable_id = std::string(o.at("id").as_string());
    }
  }
  ASSERT_FALSE(dialable_id.empty());
  // Paging: the next page continues without repeating.
  if (!result.at("nextCursor").is_null()) {
    auto next = demo.get("/api/v1/directory/teams-users?q=billing&limit=50&cursor=" +
                             std::string(result.at("nextCursor").as_string()),
                         agent);
    ASSERT_EQ(next.status, 200) << next.body;
    const json::value next_body = parse(next.body);
    const auto& more = next_body.at("items").as_array();
    ASSERT_FALSE(more.empty());
    for (const auto& a : items) EXPECT_NE(a.at("id"), more.at(0).at("id"));
  }

  // The expert is in a call in Teams.
  auto busy = browser.post_json("/_emulator/users/" + dialable_id + "/presence",
                                R"({"availability":"Busy","activity":"InACall"})");
  ASSERT_TRUE(busy && busy->status == 200) << (busy ? busy->body : busy.error().message);

  // The agent takes a customer contact.
  ASSERT_EQ(demo.send("POST", "/api/v1/me/session", "", agent).status, 200);
  const auto sales = find_named(demo, "/api/v1/queues", "Sales", admin);
  auto call = demo.send("POST", "/api/v1/demo/contacts",
                        R"({"queueId":)" + std::to_string(sales) + R"(,"caller":"+15550100"})",
                        admin);
  ASSERT_EQ(call.status, 201) << call.body;
  const std::string cpath =
      "/api/v1/contacts/" + std::to_string(parse(call.body).at("contact").at("id").as_int64());
  ASSERT_EQ(demo.send("POST", cpath + "/accept", "", agent).status, 200);

  if (!undialable_id.empty()) {
    auto refused = demo.send("POST", cpath + "/consult",
                             R"({"teamsUserId":")" + undialable_id + R"("})", agent);
    EXPECT_EQ(refused.status, 409) << refused.body;
    const auto reason = parse(refused.body).at("error").at("reason");
    EXPECT_TRUE(reason == "missing" || reason == "not_e164") << refused.body;
  }
  auto unknown = demo.send("POST", cpath + "/consult", R"({"teamsUserId":"no-such-user"})", agent);
  EXPECT_EQ(unknown.status, 400) << unknown.body;

  auto consult =
      demo.send("POST", cpath + "/consult", R"({"teamsUserId":")" + dialable_id + R"("})", agent);
  ASSERT_EQ(consult.status, 200) << consult.body;
  const json::object consulted = parse(consult.body).as_object();
  const auto& party = consulted.at("contact").at("party");
  EXPECT_EQ(party.at("teamsUserId"), json::value(dialable_id));
  EXPECT_EQ(party.at("number").as_string().front(), '+');
  ASSERT_EQ(consulted.at("warnings").as_array().size(), 1u) << consult.body;
  EXPECT_EQ(consulted.at("warnings").at(0).at("code"), "teams_user_busy");

  auto transfer =
      demo.send("POST", cpath + "/transfer", R"({"teamsUserId":")" + dialable_id + R"("})", agent);
  ASSERT_EQ(transfer.status, 200) << transfer.body;
  EXPECT_EQ(parse(transfer.body).at("contact").at("state"), "Ended") << transfer.body;
  EXPECT_EQ(parse(transfer.body).at("contact").at("party").at("teamsUserId"),
            json::value(dialable_id));

  // A user created in Entra appears after an on-demand sync (the users delta query).
  auto created = browser.post_json(
      "/_emulator/users",
      R"({"displayName":"Zora Quillfeather","givenName":"Zora","surname":"Quillfeather",)"
      R"("userPrincipalName":"zora.q@)" + domain +
          R"(","department":"Billing","jobTitle":"Billing Lead","businessPhones":["+1 425 555 0199"],)"
          R"("accountEnabled":true})");
  ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "");
  EXPECT_EQ(demo.send("POST", "/api/v1/directory/teams-users/sync", "", agent).status, 403);
  auto synced = demo.send("POST", "/api/v1/directory/teams-users/sync", "", admin);
  ASSERT_EQ(synced.status, 200) << synced.body;
  EXPECT_EQ(parse(synced.body).at("full"), false);
  auto zora = demo.get("/api/v1/directory/teams-users?q=quillfea", agent);
  ASSERT_EQ(zora.status, 200);
  ASSERT_EQ(parse(zora.body).at("items").as_array().size(), 1u) << zora.body;
  EXPECT_EQ(parse(zora.body).at("items").at(0).at("phone"), "+14255550199");

  // showUserDetails off: the same search shows no presence and no department.
  auto patched = demo.send("PATCH", "/api/v1/connectors/msteams", R"({"showUserDetails":false})", admin);
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto hidden = demo.get("/api/v1/directory/teams-users?q=billing&limit=50", agent);
  ASSERT_EQ(hidden.status, 200) << hidden.body;
  EXPECT_EQ(parse(hidden.body).at("showUserDetails"), false);
  const json::value hidden_body = parse(hidden.body);
  // Department and title are not searched any more: "billing" matches only names and mails.
  for (const auto& v : hidden_body.at("items").as_array()) {
    EXPECT_FALSE(v.as_object().contains("presence")) << json::serialize(v);
    EXPECT_FALSE(v.as_object().contains("department"));
  }
  auto by_name = demo.get("/api/v1/directory/teams-users?q=quillfea", agent);
  ASSERT_EQ(by_name.status, 200);
  const json::value by_name_body = parse(by_name.body);
  ASSERT_EQ(by_name_body.at("items").as_array().size(), 1u) << by_name.body;
  EXPECT_FALSE(by_name_body.at("items").at(0).as_object().contains("presence"));
  EXPECT_FALSE(by_name_body.at("items").at(0).as_object().contains("department"));
  EXPECT_EQ(demo.get("/api/v1/directory/teams-users?department=Billing", agent).status, 400);
}

}  // namespace
}  // namespace ccteams::testing
