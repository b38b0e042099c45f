#include "adapters/graph/graph_decode.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace ccteams::graph {
namespace {

namespace json = boost::json;

json::object decode_ok(std::string_view kind, std::string_view text,
                       std::optional<int> status = std::nullopt) {
  auto r = graph_decode(kind, text, status);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  if (!r) return {};
  EXPECT_EQ(r->back(), '\n');
  return json::parse(*r).as_object();
}

TEST(GraphDecode, EveryKindHasAPayloadItUnderstands) {
  struct Case {
    const char* kind;
    const char* text;
    const char* key;  // a field the normalised output must have
  };
  const Case cases[] = {
      {"users", R"({"value":[{"id":"u1","displayName":"A"}],"@odata.nextLink":"n"})", "nextLink"},
      {"delta", R"({"value":[{"id":"u1","@removed":{"reason":"deleted"}}],"@odata.deltaLink":"d"})",
       "deltaLink"},
      {"presence", R"({"id":"u1","availability":"Busy","activity":"InACall"})", "availability"},
      {"presences", R"({"value":[{"id":"u1","availability":"Busy","activity":"InACall"}]})",
       "presences"},
      {"notifications",
       R"({"value":[{"subscriptionId":"s","changeType":"updated","resource":"r"}]})",
       "notifications"},
      {"lifecycle",
       R"({"value":[{"subscriptionId":"s","lifecycleEvent":"reauthorizationRequired"}]})",
       "notifications"},
      {"subscription",
       R"({"id":"s","resource":"r","changeType":"updated","notificationUrl":"https://x","expirationDateTime":"2026-11-24T09:00:00Z"})",
       "expirationDateTime"},
      {"subscriptions", R"({"value":[]})", "subscriptions"},
      {"token", R"({"token_type":"Bearer","expires_in":3599,"access_token":"abc"})", "expiresIn"},
      {"token-error", R"({"error":"invalid_grant","error_codes":[70008]})", "errorCodes"},
      {"error", R"({"error":{"code":"itemNotFound","message":"m"}})", "code"},
  };
  ASSERT_EQ(std::size(cases), graph_decode_kinds().size());
  for (const auto& c : cases) {
    SCOPED_TRACE(c.kind);
    const auto out = decode_ok(c.kind, c.text);
    EXPECT_EQ(out.at("kind").as_string(), c.kind);
    EXPECT_TRUE(out.contains(c.key));
  }
}

TEST(GraphDecode, DeltaShowsEveryIdReasonAndLink) {
  const auto out = decode_ok("delta", R"({
    "@odata.deltaLink":"https://graph.microsoft.com/v1.0/users/delta?$deltatoken=abc",
    "value":[{"id":"u1","displayName":"Adele Vance","department":"Retail","businessPhones":["+1 425 555 0109"],"accountEnabled":true},
             {"id":"u2","@removed":{"reason":"changed"}}]})");
  EXPECT_EQ(out.at("deltaLink").as_string(),
            "https://graph.microsoft.com/v1.0/users/delta?$deltatoken=abc");
  EXPECT_TRUE(out.at("nextLink").is_null());
  EXPECT_EQ(out.at("userCount").as_int64(), 1);
  const auto& u = out.at("users").as_array()[0].as_object();
  EXPECT_EQ(u.at("id").as_string(), "u1");
  EXPECT_EQ(u.at("department").as_string(), "Retail");
  EXPECT_EQ(u.at("businessPhones").as_array()[0].as_string(), "+1 425 555 0109");
  EXPECT_TRUE(u.at("accountEnabled").as_bool());
  EXPECT_TRUE(u.at("jobTitle").is_null());
  const auto& rm = out.at("removed").as_array()[0].as_object();
  EXPECT_EQ(rm.at("id").as_string(), "u2");
  EXPECT_EQ(rm.at("reason").as_string(), "changed");
}

TEST(GraphDecode, UsersKindRefusesDeltaRemovals) {
  auto r = graph_decode("users", R"({"value":[{"id":"u2","@removed":{"reason":"changed"}}]})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "users: value: @removed items belong to a delta page");
}

TEST(GraphDecode, NotificationTimesAreNormalisedAndSecretsRedacted) {
  const auto out = decode_ok("notifications", R"({"value":[{
    "subscriptionId":"s1","clientState":"secretClientValue","changeType":"updated","tenantId":"t1",
    "resource":"communications/presences/u1","subscriptionExpirationDateTime":"2023-09-14T10:00:00.0000000Z",
    "resourceData":{"@odata.id":"users/u1/presence","@odata.type":"#microsoft.graph.presence","id":"u1"},
    "encryptedContent":{"data":"QUJD","dataSignature":"c2ln","dataKey":"a2V5","encryptionCertificateId":"c1","encryptionCertificateThumbprint":"07AB"}}],
    "validationTokens":["eyJhbGciOiJSUzI1NiJ9.e30.c2ln"]})");
  const auto& n = out.at("notifications").as_array()[0].as_object();
  EXPECT_EQ(n.at("subscriptionExpirationDateTime").as_string(), "2023-09-14T10:00:00.000Z");
  EXPECT_EQ(n.at("clientState").as_string(), "<redacted: 17 chars>");
  EXPECT_EQ(n.at("resourceData").as_object().at("id").as_string(), "u1");
  EXPECT_EQ(n.at("encryptedContent").as_object().at("encryptionCertificateId").as_string(), "c1");
  EXPECT_EQ(out.at("validationTokens").as_array()[0].as_string(), "<redacted: 29 chars>");
  const auto text = *graph_decode("notifications", R"({"value":[],"validationTokens":["SECRET-JWT"]})");
  EXPECT_EQ(text.find("SECRET-JWT"), std::string::npos);
}

TEST(GraphDecode, TokensNeverAppearInTheOutput) {
  const auto r = graph_decode(
      "token",
      R"({"token_type":"Bearer","expires_in":3599,"access_token":"ACCESS-SECRET","refresh_token":"REFRESH-SECRET","id_token":"ID-SECRET","scope":"openid"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->find("SECRET"), std::string::npos) << *r;
  EXPECT_NE(r->find("<redacted: 13 chars>"), std::string::npos);
}

TEST(GraphDecode, ErrorsAreClassifiedOnlyWhenTheStatusIsKnown) {
  const char* body = R"({"error":{"code":"syncStateNotFound","message":"m","innerError":{"request-id":"r1","date":"d"}}})";
  const auto plain = decode_ok("error", body);
  EXPECT_FALSE(plain.contains("classification"));
  EXPECT_EQ(plain.at("requestId").as_string(), "r1");
  const auto with_status = decode_ok("error", body, 410);
  EXPECT_EQ(with_status.at("classification").as_string(), "resync_required");
  EXPECT_EQ(with_status.at("httpStatus").as_int64(), 410);
  const auto token = decode_ok("token-error", R"({"error":"invalid_client","error_codes":[7000222]})", 401);
  EXPECT_EQ(token.at("classification").as_string(), "unauthorized");
  EXPECT_EQ(token.at("errorCodes").as_array()[0].as_int64(), 7000222);
}

TEST(GraphDecode, RefusalsNameKindPathAndReason) {
  auto r = graph_decode("presences", R"({"value":[{"id":"a","availability":"Busy","activity":"InACall"},
      {"id":"b","availability":"Busy","activity":"InACall"},{"id":"c","availability":"Busy","activity":"InACall"},
      {"id":"d","activity":"InACall"}]})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);
  EXPECT_EQ(r.error().message, "presences: value[3].availability: missing");
  auto bad_json = graph_decode("lifecycle", "{");
  ASSERT_FALSE(bad_json);
  EXPECT_EQ(bad_json.error().message.rfind("lifecycle: not valid JSON at byte", 0), 0u)
      << bad_json.error().message;
}

TEST(GraphDecode, UnknownKindListsTheValidOnes) {
  auto r = graph_decode("presense", "{}");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "unknown kind 'presense'; expected one of: users, delta, presence, presences, "
            "notifications, lifecycle, subscription, subscriptions, token, token-error, error");
}

}  // namespace
}  // namespace ccteams::graph
