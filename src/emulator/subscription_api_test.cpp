// /v1.0/subscriptions over a real socket, with the validation handshake against a receiver
// served by the same test server.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "emulator/notification_harness_test.hpp"

namespace ccteams::emulator {
namespace {

namespace json = boost::json;
using testing::NotificationHarness;

json::object parse(const std::string& body) { return json::parse(body).as_object(); }

TEST(SubscriptionApi, CreateValidatesBothUrlsThenManages) {
  NotificationHarness h;
  const auto me = h.user_id("member");
  const auto token = h.user_token(me);
  const auto other = h.user_id("admin");
  auto r = h.call("POST", "/v1.0/subscriptions", h.subscription_body({other}), token);
  ASSERT_EQ(r->result_int(), 201) << r->body();
  EXPECT_EQ(h.receiver->validations, 2);  // notificationUrl and lifecycleNotificationUrl
  const auto created = parse(r->body());
  const std::string id(created.at("id").as_string());
  EXPECT_EQ(created.at("clientState").as_string(), "secret-state");
  EXPECT_EQ(created.at("creatorId").as_string(), me);
  EXPECT_EQ(created.at("applicationId").as_string(), h.info.app_id);

  auto list = h.call("GET", "/v1.0/subscriptions", nullptr, token);
  ASSERT_EQ(list->result_int(), 200);
  const auto value = parse(list->body()).at("value").as_array();
  ASSERT_EQ(value.size(), 1u);
  EXPECT_TRUE(value[0].at("clientState").is_null());
  EXPECT_EQ(h.call("GET", "/v1.0/subscriptions?$top=1", nullptr, token)->result_int(), 400);
  EXPECT_EQ(h.call("GET", "/v1.0/subscriptions/" + id, nullptr, token)->result_int(), 200);
  // Another user of the same app does not see it.
  EXPECT_EQ(h.call("GET", "/v1.0/subscriptions/" + id, nullptr, h.user_token(other))
                ->result_int(),
            404);

  const auto later = format_iso8601(h.now() + std::chrono::minutes(55));
  auto patched = h.call("PATCH", "/v1.0/subscriptions/" + id,
                        json::object{{"expirationDateTime", later}}, token);
  ASSERT_EQ(patched->result_int(), 200) << patched->body();
  EXPECT_EQ(parse(patched->body()).at("expirationDateTime").as_string(), later);
  EXPECT_EQ(h.call("PATCH", "/v1.0/subscriptions/" + id,
                   json::object{{"expirationDateTime",
                                 format_iso8601(h.now() + std::chrono::minutes(61))}},
                   token)
                ->result_int(),
            400);
  EXPECT_EQ(h.call("POST", "/v1.0/subscriptions/" + id + "/reauthorize", nullptr, token)
                ->result_int(),
            204);
  EXPECT_EQ(h.call("DELETE", "/v1.0/subscriptions/" + id, nullptr, token)->result_int(), 204);
  EXPECT_EQ(h.call("GET", "/v1.0/subscriptions/" + id, nullptr, token)->result_int(), 404);
}

TEST(SubscriptionApi, FailedValidationIs400AndNoSubscription) {
  NotificationHarness h;
  h.receiver->echo_encoded_token = true;
  const auto token = h.user_token(h.user_id("member"));
  auto r = h.call("POST", "/v1.0/subscriptions", h.subscription_body({h.user_id("admin")}), token);
  ASSERT_EQ(r->result_int(), 400) << r->body();
  EXPECT_NE(r->body().find("validation"), std::string::npos);
  auto list = h.call("GET", "/v1.0/subscriptions", nullptr, token);
  EXPECT_TRUE(parse(list->body()).at("value").as_array().empty());
  // An unreachable receiver fails the same way.
  h.receiver->echo_encoded_token = false;
  auto body = h.subscription_body({h.user_id("admin")});
  body["notificationUrl"] = "http://127.0.0.1:1/hook";
  EXPECT_EQ(h.call("POST", "/v1.0/subscriptions", body, token)->result_int(), 400);
}

TEST(SubscriptionApi, AppOnlyTokenIsForbiddenNamingTheLimitation) {
  NotificationHarness h;
  auto r = h.call("POST", "/v1.0/subscriptions", h.subscription_body({h.user_id("admin")}),
                  h.app_token());
  ASSERT_EQ(r->result_int(), 403);
  EXPECT_NE(r->body().find("delegated"), std::string::npos) << r->body();
  EXPECT_EQ(h.receiver->validations, 0);
}

TEST(SubscriptionApi, OnePresenceSubscriptionPerUserAndApp) {
  NotificationHarness h;
  const auto token = h.user_token(h.user_id("member"));
  const auto body = h.subscription_body({h.user_id("admin")});
  ASSERT_EQ(h.call("POST", "/v1.0/subscriptions", body, token)->result_int(), 201);
  auto second = h.call("POST", "/v1.0/subscriptions", body, token);
  ASSERT_EQ(second->result_int(), 403);
  EXPECT_NE(second->body().find("one presence subscription"), std::string::npos);
  // Another user of the same app may have its own.
  EXPECT_EQ(h.call("POST", "/v1.0/subscriptions", body, h.user_token(h.user_id("admin")))
                ->result_int(),
            201);
}

TEST(SubscriptionApi, LimitsOnIdsExpiryAndUrls) {
  NotificationHarness h;
  const auto token = h.user_token(h.user_id("member"));
  std::vector<std::string> ids;
  for (int i = 0; i < 651; ++i) ids.push_back("id-" + std::to_string(i));
  EXPECT_EQ(h.call("POST", "/v1.0/subscriptions", h.subscription_body(ids), token)->result_int(),
            400);
  auto body = h.subscription_body({h.user_id("admin")});
  body["expirationDateTime"] = format_iso8601(h.now() + std::chrono::minutes(61));
  EXPECT_EQ(h.call("POST", "/v1.0/subscriptions", body, token)->result_int(), 400);
  body = h.subscription_body({h.user_id("admin")});
  body["changeType"] = "created";
  EXPECT_EQ(h.call("POST", "/v1.0/subscriptions", body, token)->result_int(), 400);
  EXPECT_EQ(h.receiver->validations, 0);
}

TEST(SubscriptionApi, HttpWebhooksNeedTheEmulatorOption) {
  auto o = NotificationHarness::fast_options();
  o.http_webhooks = HttpWebhooks::refused;
  NotificationHarness h(o);
  auto r = h.call("POST", "/v1.0/subscriptions", h.subscription_body({h.user_id("admin")}),
                  h.user_token(h.user_id("member")));
  ASSERT_EQ(r->result_int(), 400);
  EXPECT_NE(r->body().find("https"), std::string::npos);
}

}  // namespace
}  // namespace ccteams::emulator
