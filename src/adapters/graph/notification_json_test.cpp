// Subscriptions and notification collections, from Microsoft's documented examples.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "adapters/graph/graph_json.hpp"

namespace ccteams::graph {
namespace {

// subscription-post-subscriptions.md response shape, for a presence subscription.
constexpr const char* kCreated = R"json({
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity",
  "id": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
  "resource": "/communications/presences?$filter=id in ('fa8bf3dc-eca7-46b7-bad1-db199b62afc3')",
  "applicationId": "24d3b144-21ae-4080-943f-7067b395b913",
  "changeType": "updated",
  "clientState": "secretClientValue",
  "notificationUrl": "https://webhook.azurewebsites.net/api/send/myNotifyClient",
  "notificationQueryOptions": null,
  "lifecycleNotificationUrl": "https://webhook.azurewebsites.net/api/send/lifecycleNotifications",
  "expirationDateTime": "2016-11-20T18:23:45.9356913Z",
  "creatorId": "8ee44408-0679-472c-bc2a-692812af3437",
  "includeResourceData": true,
  "latestSupportedTlsVersion": "v1_2",
  "encryptionCertificate": "MIIB...",
  "encryptionCertificateId": "cert-2026-11",
  "notificationUrlAppId": null
})json";

TEST(DecodeSubscription, DocumentedCreateResponse) {
  auto r = decode_subscription(kCreated);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->id, "7f105c7d-2dc5-4530-97cd-4e7ae6534c07");
  EXPECT_EQ(r->change_type, "updated");
  EXPECT_EQ(r->client_state, "secretClientValue");
  EXPECT_EQ(r->creator_id, "8ee44408-0679-472c-bc2a-692812af3437");
  EXPECT_EQ(r->application_id, "24d3b144-21ae-4080-943f-7067b395b913");
  EXPECT_EQ(format_iso8601(r->expiration), "2016-11-20T18:23:45.935Z");
  EXPECT_TRUE(r->include_resource_data);
  EXPECT_EQ(r->encryption_certificate_id, "cert-2026-11");
  EXPECT_EQ(r->lifecycle_notification_url,
            "https://webhook.azurewebsites.net/api/send/lifecycleNotifications");
}

// subscription-list.md: clientState is null, encryptionCertificateId "".
TEST(DecodeSubscriptions, DocumentedListWithNullClientState) {
  auto r = decode_subscriptions(R"({
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions",
  "value": [
    {
      "id": "0fc0d6db-0073-42e5-a186-853da75fb308",
      "resource": "Users",
      "applicationId": "24d3b144-21ae-4080-943f-7067b395b913",
      "changeType": "updated,deleted",
      "clientState": null,
      "notificationUrl": "https://webhookappexample.azurewebsites.net/api/notifications",
      "lifecycleNotificationUrl":"https://webhook.azurewebsites.net/api/send/lifecycleNotifications",
      "expirationDateTime": "2018-03-12T05:00:00Z",
      "creatorId": "8ee44408-0679-472c-bc2a-692812af3437",
      "latestSupportedTlsVersion": "v1_2",
      "encryptionCertificate": "",
      "encryptionCertificateId": "",
      "includeResourceData": false,
      "notificationContentType": "application/json"
    }
  ]
})");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->subscriptions.size(), 1u);
  const auto& s = r->subscriptions[0];
  EXPECT_FALSE(s.client_state.has_value());
  EXPECT_EQ(s.change_type, "updated,deleted");
  EXPECT_EQ(format_iso8601(s.expiration), "2018-03-12T05:00:00.000Z");
  EXPECT_EQ(s.notification_content_type, "application/json");
  EXPECT_FALSE(r->next_link.has_value());
}

TEST(DecodeSubscription, BadExpiryIsNamed) {
  auto r = decode_subscription(
      R"({"id":"s","resource":"r","changeType":"updated","notificationUrl":"https://x","expirationDateTime":"tomorrow"})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "expirationDateTime: not an ISO-8601 date-time: \"tomorrow\"");
}

// changenotifications-for-presence.md, "Presence notifications with resource data".
constexpr const char* kRich = R"({
  "value": [{
    "subscriptionId": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
    "clientState": "secretClientValue",
    "changeType": "updated",
    "tenantId": "bbbbcccc-1111-dddd-2222-eeee3333ffff",
    "resource": "communications/presences/fa8bf3dc-eca7-46b7-bad1-db199b62afc3",
    "subscriptionExpirationDateTime": "2023-09-14T10:00:00.0000000Z",
    "resourceData": {
      "@odata.id": "users/fa8bf3dc-eca7-46b7-bad1-db199b62afc3/presence",
      "@odata.type": "#microsoft.graph.presence",
      "id": "fa8bf3dc-eca7-46b7-bad1-db199b62afc3"
    },
    "organizationId": "bbbbcccc-1111-dddd-2222-eeee3333ffff",
    "encryptedContent": {
      "data": "{Encrypted content}",
      "dataSignature": "{Encrypted data signature}",
      "dataKey": "{Encrypted data key for encrypting content}",
      "encryptionCertificateId": "cert-2026-11",
      "encryptionCertificateThumbprint": "07293748CC064953A3052FB978C735FB89E61C3D"
    }
  }],
  "validationTokens": ["eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.sig"]
})";

TEST(DecodeNotifications, DocumentedRichPresenceNotification) {
  auto r = decode_notifications(kRich);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->notifications.size(), 1u);
  ASSERT_EQ(r->validation_tokens.size(), 1u);
  const auto& n = r->notifications[0];
  EXPECT_EQ(n.subscription_id, "7f105c7d-2dc5-4530-97cd-4e7ae6534c07");
  EXPECT_EQ(n.change_type, "updated");
  EXPECT_EQ(n.client_state, "secretClientValue");
  EXPECT_EQ(n.tenant_id, "bbbbcccc-1111-dddd-2222-eeee3333ffff");
  EXPECT_EQ(n.organization_id, "bbbbcccc-1111-dddd-2222-eeee3333ffff");
  ASSERT_TRUE(n.subscription_expiration.has_value());
  EXPECT_EQ(format_iso8601(*n.subscription_expiration), "2023-09-14T10:00:00.000Z");
  ASSERT_TRUE(n.resource_data.has_value());
  EXPECT_EQ(n.resource_data->id, "fa8bf3dc-eca7-46b7-bad1-db199b62afc3");
  EXPECT_EQ(n.resource_data->odata_type, "#microsoft.graph.presence");
  EXPECT_EQ(n.resource_data->odata_id, "users/fa8bf3dc-eca7-46b7-bad1-db199b62afc3/presence");
  ASSERT_TRUE(n.encrypted_content.has_value());
  EXPECT_EQ(n.encrypted_content->data_key, "{Encrypted data key for encrypting content}");
  EXPECT_EQ(n.encrypted_content->encryption_certificate_thumbprint,
            "07293748CC064953A3052FB978C735FB89E61C3D");
  EXPECT_FALSE(n.lifecycle_event.has_value());
  EXPECT_FALSE(n.lifecycle_event_text.has_value());
  EXPECT_EQ(n.user, "fa8bf3dc-eca7-46b7-bad1-db199b62afc3");
}

// The Teams user an item is about: resourceData.id first, else the resource path's forms (§4.3).
TEST(PresenceUserOf, ResourceDataIdThenTheResourcePathForms) {
  struct Row {
    std::optional<std::string> data_id;
    std::optional<std::string> resource;
    std::string user;
  };
  const std::vector<Row> rows = {
      {"u-1", "communications/presences/other", "u-1"},
      {"", "communications/presences/u-2", "u-2"},
      {std::nullopt, "/communications/presences/u-3", "u-3"},
      {std::nullopt, "communications/presences/u-4?$select=id", "u-4"},
      {std::nullopt, "users/u-5/presence", "u-5"},
      {std::nullopt, "/users('u-6')/presence", "u-6"},
      {std::nullopt, "users('a')/presence", "a"},
      {std::nullopt, "communications/presences('u-9')", "u-9"},
      {std::nullopt, "communications/presences('u-10", ""},
      {std::nullopt, "communications/presencesX/u-11", ""},
      {std::nullopt, "users/u-7/calendar", ""},
      {std::nullopt, "users/u-8", ""},
      {std::nullopt, "communications/presences/", ""},
      {std::nullopt, "chats/19:abc/messages", ""},
      {std::nullopt, std::nullopt, ""},
  };
  for (const auto& row : rows) {
    ChangeNotification n;
    if (row.data_id) n.resource_data = ResourceData{row.data_id, std::nullopt, std::nullopt};
    n.resource = row.resource;
    EXPECT_EQ(presence_user_of(n), row.user) << row.resource.value_or("(none)");
  }
}

TEST(DecodeNotifications, DocumentedBasicExampleHasATrailingCommaAndIsRefusedWithItsOffset) {
  // The doc's basic example ends an object with `,}`: not JSON, and Graph never sends it.
  const std::string text = R"({"value":[{"subscriptionId":"s","changeType":"updated","resource":"r",}]})";
  auto r = decode_notifications(text);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not valid JSON at byte"), std::string::npos)
      << r.error().message;
}

TEST(DecodeNotifications, BasicWithoutValidationTokens) {
  auto r = decode_notifications(
      R"({"value":[{"subscriptionId":"s1","clientState":"c","changeType":"updated","tenantId":"t",
        "resource":"communications/presences/u1","resourceData":{"id":"u1"},"organizationId":"t"}]})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->validation_tokens.empty());
  EXPECT_FALSE(r->notifications[0].encrypted_content.has_value());
}

// change-notifications-lifecycle-events.md: a batch may mix lifecycle events.
constexpr const char* kLifecycle = R"({
  "value": [
    {"subscriptionId":"7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
     "subscriptionExpirationDateTime":"2019-03-20T11:00:00.0000000Z",
     "tenantId":"bbbbcccc-1111-dddd-2222-eeee3333ffff","clientState":"secretClientValue",
     "lifecycleEvent":"reauthorizationRequired"},
    {"subscriptionId":"9f105c7d-2dc5-4530-97cd-4e7ae6534c08","tenantId":"t","clientState":null,
     "lifecycleEvent":"subscriptionRemoved"}
  ]
})";

TEST(DecodeLifecycle, DocumentedReauthorizationRequiredAndMixedBatch) {
  auto r = decode_lifecycle_notifications(kLifecycle);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->notifications.size(), 2u);
  EXPECT_EQ(r->notifications[0].lifecycle_event_text, "reauthorizationRequired");
  EXPECT_EQ(r->notifications[0].lifecycle_event, LifecycleEvent::reauthorization_required);
  EXPECT_EQ(r->notifications[0].client_state, "secretClientValue");
  EXPECT_FALSE(r->notifications[0].resource.has_value());
  EXPECT_EQ(r->notifications[1].lifecycle_event_text, "subscriptionRemoved");
  EXPECT_EQ(r->notifications[1].lifecycle_event, LifecycleEvent::subscription_removed);
  EXPECT_FALSE(r->notifications[1].client_state.has_value());
  // The change-notification decoder accepts lifecycle items too (one URL may serve both).
  EXPECT_TRUE(decode_notifications(kLifecycle));
}

TEST(EncodeNotifications, RichBatchRoundTripsThroughTheDecoder) {
  auto first = decode_notifications(kRich);
  ASSERT_TRUE(first) << first.error().message;
  auto again = decode_notifications(encode_notifications(*first));
  ASSERT_TRUE(again) << again.error().message;
  // Encoding is deterministic, so equal text means every field survived.
  EXPECT_EQ(encode_notifications(*again), encode_notifications(*first));
  const auto& n = again->notifications.at(0);
  EXPECT_EQ(n.encrypted_content->data, "{Encrypted content}");
  EXPECT_EQ(n.encrypted_content->encryption_certificate_id, "cert-2026-11");
  EXPECT_EQ(n.resource_data->odata_id, "users/fa8bf3dc-eca7-46b7-bad1-db199b62afc3/presence");
  EXPECT_EQ(again->validation_tokens, first->validation_tokens);
}

TEST(EncodeNotifications, LifecycleItemsKeepTheirEventAndLeaveAbsentFieldsOut) {
  auto first = decode_lifecycle_notifications(kLifecycle);
  ASSERT_TRUE(first) << first.error().message;
  const std::string text = encode_notifications(*first);
  EXPECT_EQ(text.find("validationTokens"), std::string::npos);
  EXPECT_EQ(text.find("\"resource\""), std::string::npos);
  auto again = decode_lifecycle_notifications(text);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->notifications.at(1).lifecycle_event_text, "subscriptionRemoved");
  EXPECT_FALSE(again->notifications.at(1).client_state.has_value());
  EXPECT_EQ(format_iso8601(*again->notifications.at(0).subscription_expiration),
            "2019-03-20T11:00:00.000Z");
}

struct BadCase {
  const char* name;
  bool lifecycle;
  const char* text;
  const char* message;
};

class DecodeNotificationsRefuses : public ::testing::TestWithParam<BadCase> {};

TEST_P(DecodeNotificationsRefuses, SaysWhereAndWhy) {
  const auto& c = GetParam();
  auto r = c.lifecycle ? decode_lifecycle_notifications(c.text) : decode_notifications(c.text);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, DecodeNotificationsRefuses,
    ::testing::Values(
        BadCase{"NoSubscriptionId", false, R"({"value":[{"changeType":"updated","resource":"r"}]})",
                "value[0].subscriptionId: missing"},
        BadCase{"NoChangeType", false, R"({"value":[{"subscriptionId":"s","resource":"r"}]})",
                "value[0].changeType: missing"},
        BadCase{"LifecycleWithoutEvent", true,
                R"({"value":[{"subscriptionId":"s","changeType":"updated","resource":"r"}]})",
                "value[0].lifecycleEvent: missing"},
        BadCase{"TokensNotStrings", false, R"({"value":[],"validationTokens":[{}]})",
                "validationTokens[0]: expected a string, got an object"},
        BadCase{"EncryptedWithoutKey", false,
                R"({"value":[{"subscriptionId":"s","changeType":"updated","resource":"r",
                   "encryptedContent":{"data":"d","dataSignature":"s","encryptionCertificateId":"c"}}]})",
                "value[0].encryptedContent.dataKey: missing"},
        BadCase{"EncryptedWithoutCert", false,
                R"({"value":[{"subscriptionId":"s","changeType":"updated","resource":"r",
                   "encryptedContent":{"data":"d","dataSignature":"s","dataKey":"k"}}]})",
                "value[0].encryptedContent: neither encryptionCertificateId nor "
                "encryptionCertificateThumbprint"},
        BadCase{"BadExpiry", false,
                R"({"value":[{"subscriptionId":"s","changeType":"updated","resource":"r",
                   "subscriptionExpirationDateTime":12}]})",
                "value[0].subscriptionExpirationDateTime: expected an ISO-8601 date-time string, "
                "got a number"}),
    [](const auto& test) { return std::string(test.param.name); });

}  // namespace
}  // namespace ccteams::graph
