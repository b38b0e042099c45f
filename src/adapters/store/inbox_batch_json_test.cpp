#include "adapters/store/inbox_batch_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/time.hpp"

namespace ccteams::store {
namespace {

NotificationBatch full_batch() {
  NotificationBatch b;
  ChangeNotification n;
  n.id = "n-1";
  n.subscription_id = "s-1";
  n.subscription_expiration = from_unix_millis(1'800'000'123'456);
  n.change_type = "updated";
  n.resource = "communications/presences/u1";
  n.tenant_id = "tid";
  n.organization_id = "oid";
  n.client_state = "state";
  n.resource_data = ResourceData{"u1", "#microsoft.graph.presence", "users/u1/presence"};
  n.encrypted_content = EncryptedContent{"ZGF0YQ==", "c2ln", "a2V5", "cert-1", ""};
  b.notifications.push_back(n);
  ChangeNotification lifecycle;
  lifecycle.subscription_id = "s-2";
  lifecycle.lifecycle_event = LifecycleEvent::subscription_removed;
  lifecycle.lifecycle_event_text = "subscriptionRemoved";
  b.notifications.push_back(lifecycle);
  b.validation_tokens = {"a.b.c"};
  return b;
}

TEST(InboxBatchJson, EveryFieldComesBack) {
  const NotificationBatch b = full_batch();
  const std::string text = encode_inbox_batch(b);
  auto back = decode_inbox_batch(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(encode_inbox_batch(*back), text);
  ASSERT_EQ(back->notifications.size(), 2u);
  const auto& n = back->notifications[0];
  EXPECT_EQ(n.subscription_expiration, b.notifications[0].subscription_expiration);
  EXPECT_EQ(n.resource_data->odata_type, "#microsoft.graph.presence");
  EXPECT_EQ(n.encrypted_content->encryption_certificate_id, "cert-1");
  EXPECT_EQ(n.encrypted_content->encryption_certificate_thumbprint, "");
  EXPECT_EQ(n.user, "u1");  // derived on reading, as the webhook's decoder does
  const auto& l = back->notifications[1];
  EXPECT_EQ(l.lifecycle_event_text, "subscriptionRemoved");
  EXPECT_EQ(l.lifecycle_event, LifecycleEvent::subscription_removed);
  EXPECT_EQ(l.user, "");
  EXPECT_FALSE(l.id || l.change_type || l.resource || l.resource_data || l.encrypted_content);
  EXPECT_EQ(back->validation_tokens, b.validation_tokens);
}

// The store's own form, not Graph's: no camelCase key, no "@odata" key, no "value".
TEST(InboxBatchJson, IsNotGraphsWireFormat) {
  const auto doc = boost::json::parse(encode_inbox_batch(full_batch())).as_object();
  EXPECT_EQ(doc.at("v").as_int64(), 2);
  EXPECT_FALSE(doc.contains("value"));
  const auto& item = doc.at("notifications").as_array()[0].as_object();
  EXPECT_TRUE(item.contains("subscription_id"));
  EXPECT_FALSE(item.contains("subscriptionId"));
  EXPECT_TRUE(item.at("resource_data").as_object().contains("odata_type"));
}

TEST(InboxBatchJson, NullsReadAsAbsent) {
  auto back = decode_inbox_batch(
      R"({"v":2,"notifications":[{"subscription_id":"s","id":null,"resource_data":null,)"
      R"("encrypted_content":null,"change_type":"updated"}],"validation_tokens":null})");
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->notifications.size(), 1u);
  EXPECT_FALSE(back->notifications[0].id || back->notifications[0].resource_data);
  EXPECT_EQ(back->notifications[0].change_type, "updated");
  EXPECT_TRUE(back->validation_tokens.empty());
}

TEST(InboxBatchJson, RefusesWhatItDidNotWrite) {
  for (const char* bad :
       {"", "[]", "not json", R"({"value":[]})", R"({"v":1,"notifications":[]})", R"({"v":2})",
        R"({"v":2,"notifications":[1]})", R"({"v":2,"notifications":[{"id":"n"}]})",
        R"({"v":2,"notifications":[{"subscription_id":7}]})",
        R"({"v":2,"notifications":[{"subscription_id":"s","subscription_expiration":"x"}]})",
        R"({"v":2,"notifications":[{"subscription_id":"s","encrypted_content":{"data":"d"}}]})",
        R"({"v":2,"notifications":[{"subscription_id":"s","resource_data":"u1"}]})",
        R"({"v":2,"notifications":[],"validation_tokens":[1]})"}) {
    auto r = decode_inbox_batch(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_input) << bad;
  }
}

}  // namespace
}  // namespace ccteams::store
