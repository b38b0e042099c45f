// The pure subscription rules: resources, limits, URLs, PATCH restrictions.
#include "emulator/subscription_model.hpp"

#include <gtest/gtest.h>

namespace ccteams::emulator {
namespace {

namespace json = boost::json;

const Timestamp kNow = from_unix_millis(1'800'000'000'000);

json::object body() {
  return {{"changeType", "updated"},
          {"notificationUrl", "https://cc.example/hook?x=1"},
          {"resource", "communications/presences/u1"},
          {"expirationDateTime", format_iso8601(kNow + std::chrono::minutes(59))},
          {"clientState", "abc"}};
}

TEST(SubscriptionModel, PresenceResourcesSingleAndFiltered) {
  auto one = parse_presence_resource("communications/presences/u1");
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, std::vector<std::string>{"u1"});
  auto many = parse_presence_resource("/communications/presences?$filter=id in ('a', \"b\",'c')");
  ASSERT_TRUE(many);
  EXPECT_EQ(*many, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(parse_presence_resource("users"));
  EXPECT_FALSE(parse_presence_resource("/communications/presences?$filter=id eq 'a'"));
  EXPECT_FALSE(parse_presence_resource("/communications/presences?$filter=id in (a)"));
}

std::string filter_of(int n) {
  std::string r = "/communications/presences?$filter=id in (";
  for (int i = 0; i < n; ++i) r += (i ? ",'" : "'") + std::to_string(i) + "'";
  return r + ")";
}

TEST(SubscriptionModel, AtMost650Ids) {
  EXPECT_TRUE(parse_presence_resource(filter_of(650)));
  auto over = parse_presence_resource(filter_of(651));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().status, 400);
  EXPECT_NE(over.error().message.find("650"), std::string::npos);
}

TEST(SubscriptionModel, CreateRules) {
  ASSERT_TRUE(parse_subscription(body(), HttpWebhooks::refused, kNow));
  const auto fails = [](json::object b, HttpWebhooks http = HttpWebhooks::refused) {
    auto r = parse_subscription(b, http, kNow);
    return !r && r.error().status == 400;
  };
  auto b = body();
  b["changeType"] = "created,updated";
  EXPECT_TRUE(fails(b));
  b = body();
  b["expirationDateTime"] = format_iso8601(kNow + std::chrono::minutes(61));
  EXPECT_TRUE(fails(b));
  b["expirationDateTime"] = format_iso8601(kNow - std::chrono::minutes(1));
  EXPECT_TRUE(fails(b));
  b = body();
  b["clientState"] = std::string(129, 'x');
  EXPECT_TRUE(fails(b));
  b["clientState"] = std::string(128, 'x');
  EXPECT_FALSE(fails(b));
  b = body();
  b["notificationUrl"] = "http://cc.example/hook";
  EXPECT_TRUE(fails(b));
  EXPECT_FALSE(fails(b, HttpWebhooks::any));
  b = body();
  b["lifecycleNotificationUrl"] = "http://cc.example/life";
  EXPECT_TRUE(fails(b));
  b = body();
  b["includeResourceData"] = true;
  EXPECT_TRUE(fails(b));  // no encryptionCertificate
  b["encryptionCertificate"] = "bm90IGEgY2VydA==";
  b["encryptionCertificateId"] = "k1";
  EXPECT_TRUE(fails(b));  // not a certificate
}

TEST(SubscriptionModel, PatchExtendsButCannotAddLifecycleUrl) {
  auto sub = parse_subscription(body(), HttpWebhooks::refused, kNow);
  ASSERT_TRUE(sub);
  sub->reauthorization_sent = true;
  const auto later = kNow + std::chrono::minutes(30);
  ASSERT_TRUE(apply_subscription_patch(
      *sub, {{"expirationDateTime", format_iso8601(later + std::chrono::minutes(50))}},
      HttpWebhooks::refused, later));
  EXPECT_EQ(sub->expiration, later + std::chrono::minutes(50));
  EXPECT_FALSE(sub->reauthorization_sent);
  auto added = apply_subscription_patch(*sub, {{"lifecycleNotificationUrl", "https://x/l"}},
                                        HttpWebhooks::refused, later);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().status, 400);
  EXPECT_FALSE(apply_subscription_patch(
      *sub, {{"expirationDateTime", format_iso8601(later + std::chrono::minutes(61))}},
      HttpWebhooks::refused, later));
  EXPECT_EQ(sub->expiration, later + std::chrono::minutes(50));  // unchanged on error
}

TEST(SubscriptionModel, ListShapeHidesClientState) {
  auto sub = parse_subscription(body(), HttpWebhooks::refused, kNow);
  ASSERT_TRUE(sub);
  EXPECT_TRUE(subscription_json(*sub, false).at("clientState").is_null());
  EXPECT_EQ(subscription_json(*sub, true).at("clientState").as_string(), "abc");
}

}  // namespace
}  // namespace ccteams::emulator
