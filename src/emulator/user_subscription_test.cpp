// Change notifications for directory users (graph-protocol.md §4.1): resource "users" or
// "users/{id}", changeType updated and/or deleted (a creation and a soft delete arrive as
// updated, a permanent delete as deleted), app tokens allowed with User.Read.All, up to
// 41,760 minutes, 100 subscriptions per app and tenant.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <set>
#include <thread>

#include "emulator/jwt.hpp"
#include "emulator/notification_harness_test.hpp"

namespace ccteams::emulator {
namespace {

namespace json = boost::json;
using testing::NotificationHarness;
using namespace std::chrono_literals;

// An app-only token holding roles (the harness' own app token has Presence.Read.All only).
std::string app_token_with(NotificationHarness& h, json::array roles) {
  const auto iat = h.now_ms->load() / 1000;
  return JwtSigner::from_pem(h.signing_key)
      .sign(json::object{{"aud", "https://graph.microsoft.com"},
                         {"iss", "https://sts.windows.net/" + h.info.tenant_id + "/"},
                         {"iat", iat}, {"nbf", iat}, {"exp", iat + 3600},
                         {"appid", h.info.app_id}, {"tid", h.info.tenant_id},
                         {"idtyp", "app"}, {"oid", "sp"}, {"roles", std::move(roles)},
                         {"ver", "1.0"}});
}

json::object users_body(NotificationHarness& h, std::string resource, std::string change,
                        std::chrono::minutes lifetime = std::chrono::hours(72)) {
  return {{"changeType", std::move(change)},
          {"notificationUrl", h.hook_url()},
          {"resource", std::move(resource)},
          {"expirationDateTime", format_iso8601(h.now() + lifetime)},
          {"clientState", "users-state"}};
}

int create_status(NotificationHarness& h, const json::object& body, const std::string& token,
                  std::string* id = nullptr) {
  auto r = h.call("POST", "/v1.0/subscriptions", body, token);
  if (id != nullptr && r->result_int() == 201) {
    *id = std::string(json::parse(r->body()).at("id").as_string());
  }
  return r->result_int();
}

std::string new_user(NotificationHarness& h, const std::string& local) {
  auto r = h.call("POST", "/_emulator/users",
                  json::object{{"userPrincipalName", local + "@contoso.example"},
                               {"displayName", local}});
  EXPECT_EQ(r->result_int(), 201) << r->body();
  return std::string(json::parse(r->body()).at("id").as_string());
}

TEST(UserSubscription, AppTokenSeesCreationUpdateSoftAndPermanentDelete) {
  NotificationHarness h;
  const auto token = app_token_with(h, {"User.Read.All"});
  std::string sub;
  ASSERT_EQ(create_status(h, users_body(h, "users", "updated,deleted"), token, &sub), 201);

  const auto created = new_user(h, "newcomer");
  ASSERT_EQ(h.call("PATCH", "/_emulator/users/" + created,
                   json::object{{"jobTitle", "Engineer"}})->result_int(), 200);
  const auto member = h.user_id("member");
  const auto privadmin = h.user_id("privadmin");
  ASSERT_EQ(h.call("DELETE", "/_emulator/users/" + member, nullptr)->result_int(), 204);
  ASSERT_EQ(h.call("DELETE", "/_emulator/users/" + privadmin + "?permanent=true", nullptr)
                ->result_int(), 204);
  // A presence change is not a directory change.
  h.call("POST", "/_emulator/users/" + h.user_id("admin") + "/presence",
         json::object{{"availability", "Busy"}, {"activity", "InACall"}});

  const auto deadline = std::chrono::steady_clock::now() + 30s;  // a wait, not a figure
  while (h.receiver->items("/hook").size() < 4 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  std::this_thread::sleep_for(100ms);  // nothing more may follow
  const auto items = h.receiver->items("/hook");
  ASSERT_EQ(items.size(), 4u);
  // Batches may overtake each other, as Graph's do: compare without order.
  std::multiset<std::pair<std::string, std::string>> expected = {
      {created, "updated"}, {created, "updated"}, {member, "updated"}, {privadmin, "deleted"}};
  std::multiset<std::pair<std::string, std::string>> got;
  for (const auto& n : items) {
    const std::string id(n.at("resourceData").at("id").as_string());
    got.emplace(id, std::string(n.at("changeType").as_string()));
    EXPECT_EQ(n.at("subscriptionId").as_string(), sub);
    EXPECT_EQ(n.at("resource").as_string(), "Users/" + id);
    EXPECT_EQ(n.at("resourceData").at("@odata.type").as_string(), "#Microsoft.Graph.User");
    EXPECT_EQ(n.at("clientState").as_string(), "users-state");
    EXPECT_EQ(n.at("tenantId").as_string(), h.info.tenant_id);
  }
  EXPECT_EQ(got, expected);
}

TEST(UserSubscription, OneUserAndOnlyTheChangeTypesAskedFor) {
  NotificationHarness h;
  const auto token = app_token_with(h, {"User.Read.All"});
  const auto member = h.user_id("member");
  const auto privadmin = h.user_id("privadmin");
  ASSERT_EQ(create_status(h, users_body(h, "/users/" + member, "deleted"), token), 201);
  h.call("PATCH", "/_emulator/users/" + member, json::object{{"jobTitle", "Lead"}});
  h.call("DELETE", "/_emulator/users/" + privadmin + "?permanent=true", nullptr);
  EXPECT_FALSE(h.receiver->wait_for(1, 200ms));  // neither an update nor another user
  h.call("DELETE", "/_emulator/users/" + member + "?permanent=true", nullptr);
  ASSERT_TRUE(h.receiver->wait_for(1));
  const auto items = h.receiver->items("/hook");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("changeType").as_string(), "deleted");
  EXPECT_EQ(items[0].at("resource").as_string(), "Users/" + member);
}

TEST(UserSubscription, RulesDifferFromPresence) {
  NotificationHarness h;
  const auto token = app_token_with(h, {"User.Read.All"});
  // Creations arrive as updated; "created" is refused.
  EXPECT_EQ(create_status(h, users_body(h, "users", "created,updated"), token), 400);
  EXPECT_EQ(create_status(h, users_body(h, "users", "updated,updated"), token), 400);
  EXPECT_EQ(create_status(h, users_body(h, "users?$select=id", "updated"), token), 400);
  // Up to 41,760 minutes, not one more.
  EXPECT_EQ(create_status(h, users_body(h, "users", "updated", 41'761min), token), 400);
  EXPECT_EQ(create_status(h, users_body(h, "users", "updated", 41'760min), token), 201);
  auto rich = users_body(h, "users", "updated");
  rich["includeResourceData"] = true;
  EXPECT_EQ(create_status(h, rich, token), 400);
  // Presence.Read.All is not enough for users.
  EXPECT_EQ(create_status(h, users_body(h, "users", "updated"), h.app_token()), 403);
  // A presence subscription by the same app does not count against the users quota, and
  // user subscriptions do not count as the user's one presence subscription.
  EXPECT_EQ(h.call("POST", "/v1.0/subscriptions", h.subscription_body({h.user_id("admin")}),
                   h.user_token(h.user_id("member")))->result_int(), 201);
}

TEST(UserSubscription, AHundredPerAppAndTenant) {
  NotificationHarness h;
  const auto token = app_token_with(h, {"User.Read.All"});
  for (int i = 1; i < 100; ++i) {
    ASSERT_EQ(create_status(h, users_body(h, "users", "updated"), token), 201) << i;
  }
  std::string last;
  ASSERT_EQ(create_status(h, users_body(h, "users", "updated"), token, &last), 201);
  auto r = h.call("POST", "/v1.0/subscriptions", users_body(h, "users", "updated"), token);
  EXPECT_EQ(r->result_int(), 403);
  EXPECT_NE(r->body().find("quota limit of 100"), std::string::npos) << r->body();
  // Deleting one frees a slot.
  EXPECT_EQ(h.call("DELETE", "/v1.0/subscriptions/" + last, nullptr, token)->result_int(), 204);
  EXPECT_EQ(create_status(h, users_body(h, "users", "updated"), token), 201);
}

}  // namespace
}  // namespace ccteams::emulator
