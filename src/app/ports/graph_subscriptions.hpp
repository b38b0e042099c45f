#pragma once
// The subscriptions role of the Graph port (app/ports/graph.hpp): change-notification
// subscriptions on presences, and the notifications Graph posts for them (§4), in plain values.
// The adapter builds every resource path and $filter; the webhook's decoder fills the
// notifications.

#include <optional>
#include <string>
#include <vector>

#include "app/ports/graph_error.hpp"
#include "core/time.hpp"

namespace ccteams {

struct Subscription {
  std::string id;
  std::string resource;
  std::string change_type;  // comma-joined, e.g. "updated"
  std::string notification_url;
  std::optional<std::string> lifecycle_notification_url;
  Timestamp expiration{};
  std::optional<std::string> client_state;  // null in list responses (§4.2)
  std::optional<std::string> creator_id;
  std::optional<std::string> application_id;
  bool include_resource_data = false;
  std::optional<std::string> encryption_certificate_id;
  std::optional<std::string> latest_supported_tls_version;
  std::optional<std::string> notification_content_type;
};

// POST /subscriptions (§4.1) to the presences of presence_user_ids (the adapter builds the
// resource, a $filter on the ids). Presence: change_type "updated", expiry ≤ 60 min, delegated
// only.
struct SubscriptionRequest {
  std::vector<std::string> presence_user_ids;
  std::string change_type = "updated";
  std::string notification_url;
  std::optional<std::string> lifecycle_notification_url;
  Timestamp expiration{};
  std::optional<std::string> client_state;  // ≤ 128 chars
  bool include_resource_data = false;
  std::optional<std::string> encryption_certificate;  // base64 X.509, public key only
  std::optional<std::string> encryption_certificate_id;
  std::optional<std::string> latest_supported_tls_version;
};

// PATCH /subscriptions/{id} (§4.2): a new expiry (this also reauthorizes) and, after a key
// rotation, the new encryption certificate with its id (both or neither).
struct SubscriptionRenewal {
  Timestamp expiration{};
  std::optional<std::string> encryption_certificate;  // base64 X.509, public key only
  std::optional<std::string> encryption_certificate_id;
};

struct SubscriptionsPage {
  std::vector<Subscription> subscriptions;
  std::optional<std::string> next_link;
};

struct EncryptedContent {
  std::string data;            // base64
  std::string data_signature;  // base64 HMAC-SHA256
  std::string data_key;        // base64 RSA-OAEP-encrypted symmetric key
  std::string encryption_certificate_id;
  std::string encryption_certificate_thumbprint;  // hex
};

struct ResourceData {
  std::optional<std::string> id;
  std::optional<std::string> odata_type;  // "#microsoft.graph.presence"
  std::optional<std::string> odata_id;    // "users/{id}/presence"
};

// What a lifecycle notification announces (§4.4): Graph wants the subscription reauthorized,
// removed it, or dropped notifications (read everyone again). Newer events are `other`.
enum class LifecycleEvent { reauthorization_required, subscription_removed, missed, other };

// One item of a change-notification or lifecycle-notification collection (§4.3, §4.4).
// A lifecycle item has lifecycle_event (decoded by the adapter) and lifecycle_event_text set,
// and no resource.
struct ChangeNotification {
  std::optional<std::string> id;
  std::string subscription_id;
  std::optional<Timestamp> subscription_expiration;
  std::optional<std::string> change_type;
  std::optional<std::string> resource;
  std::optional<ResourceData> resource_data;
  std::optional<std::string> tenant_id;
  std::optional<std::string> organization_id;
  std::optional<std::string> client_state;
  std::optional<LifecycleEvent> lifecycle_event;
  std::optional<std::string> lifecycle_event_text;  // as sent, for logs: reauthorizationRequired
  std::optional<EncryptedContent> encrypted_content;
  // The Teams user a change item is about, read by the adapter that decoded the item from
  // resourceData.id or the resource path; empty when it names none (a lifecycle item).
  std::string user;
};

struct NotificationBatch {
  std::vector<ChangeNotification> notifications;
  std::vector<std::string> validation_tokens;  // JWTs, one per (app, tenant); rich only
};

// Calls with a delegated token (a sync account's; presence subscriptions need one), for any
// tenant. Thread-safety: implementations must allow concurrent calls from any executor.
class GraphSubscriptions {
 public:
  virtual ~GraphSubscriptions() = default;
  template <class T>
  using Async = GraphAsync<T>;

  virtual Async<Subscription> create_subscription(std::string tenant, std::string access_token,
                                                  SubscriptionRequest request) = 0;
  virtual Async<Subscription> get_subscription(std::string tenant, std::string access_token,
                                               std::string id) = 0;
  virtual Async<SubscriptionsPage> list_subscriptions(std::string tenant,
                                                      std::string access_token) = 0;
  // A new expiry (and the certificate after a key rotation); also reauthorizes.
  virtual Async<Subscription> renew_subscription(std::string tenant, std::string access_token,
                                                 std::string id, SubscriptionRenewal renewal) = 0;
  // Reauthorizes without extending the expiry.
  virtual Async<void> reauthorize_subscription(std::string tenant, std::string access_token,
                                               std::string id) = 0;
  virtual Async<void> delete_subscription(std::string tenant, std::string access_token,
                                          std::string id) = 0;
};

}  // namespace ccteams
