#pragma once
// Graph subscriptions as the emulator keeps them (graph-protocol.md §4.1, §4.2): the record,
// the validation rules of create and PATCH, and the JSON shape. Pure: time is passed in, no
// I/O (the validation handshake and delivery live in notifier.hpp).
// Thread-safety: none; GraphEmulator serialises access under its state lock.

#include <boost/json/object.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/graph_error.hpp"
#include "emulator/graph_time.hpp"
#include "emulator/webhook_url.hpp"

namespace ccteams::emulator {

inline constexpr std::size_t kMaxPresenceSubscriptionIds = 650;
inline constexpr std::size_t kMaxClientStateChars = 128;
inline constexpr std::size_t kMaxCertificateIdChars = 128;
inline constexpr auto kMaxPresenceSubscriptionLifetime = std::chrono::minutes(60);
// User, group and directory objects: 41,760 minutes (under 29 days).
inline constexpr auto kMaxDirectorySubscriptionLifetime = std::chrono::minutes(41'760);
// User/group subscriptions allowed per app and tenant (403 beyond).
inline constexpr std::size_t kMaxUserSubscriptionsPerAppTenant = 100;

// What a subscription watches: presence of listed users, or directory users ("users" for
// every user, "users/{id}" for one).
enum class SubscriptionKind { presence, users };

struct Subscription {
  std::string id;
  SubscriptionKind kind = SubscriptionKind::presence;
  std::string resource;                    // as given by the creator
  // presence: the watched users; users: the one watched user, or empty for every user.
  std::vector<std::string> user_ids;
  std::string change_type;                 // "updated" (presence); "updated,deleted" (users)
  std::string notification_url;
  std::string lifecycle_notification_url;  // "" when none
  std::string client_state;                // "" when none (then null on the wire)
  Timestamp expiration{};
  bool include_resource_data = false;
  std::string encryption_certificate;      // base64 DER
  std::string encryption_certificate_id;
  std::string latest_supported_tls_version = "v1_2";
  std::string application_id;
  std::string creator_id;  // the signed-in user
  std::string tenant_id;
  bool reauthorization_sent = false;  // reset by PATCH and reauthorize
};

// The ids of a presence resource: "communications/presences/{id}" or
// "/communications/presences?$filter=id in ('a','b',…)" (1..650 ids, quotes ' or ").
// 400 (InvalidRequest) for anything else, naming the rule broken.
GraphResult<std::vector<std::string>> parse_presence_resource(std::string_view resource);

// The kind of a resource: presence ("communications/presences…"), users ("users",
// "users/{id}", with or without a leading slash); nullopt for anything else.
std::optional<SubscriptionKind> subscription_kind(std::string_view resource);

// The user id of "users/{id}" ({} for "users": every user). 400 (InvalidRequest) for other
// shapes (query strings, deeper paths).
GraphResult<std::vector<std::string>> parse_users_resource(std::string_view resource);

// True when the subscription's changeType lists change ("updated", "deleted").
bool wants_change(const Subscription& sub, std::string_view change);

// Validates a create body and fills a Subscription (id, application, creator and tenant are
// left for the caller). Errors are 400 (ValidationError / InvalidRequest) naming the field:
// a resource that is neither presence nor users; for presence a changeType other than
// "updated", over 650 ids or an expiry more than 60 minutes ahead; for users a changeType
// outside "updated,deleted" (creations arrive as updated), includeResourceData, or an expiry
// more than 41,760 minutes ahead; expirationDateTime missing or not in the future, clientState
// over 128 characters, a non-https URL (http only as http_webhooks allows), includeResourceData
// without a usable encryptionCertificate and encryptionCertificateId.
GraphResult<Subscription> parse_subscription(const boost::json::object& body,
                                             HttpWebhooks http_webhooks, Timestamp now);

// Applies a PATCH body: expirationDateTime (same limits as create), encryptionCertificate(Id)
// (key rotation), notificationUrl. lifecycleNotificationUrl cannot be added (400). The
// subscription is unchanged on error.
GraphResult<Done> apply_subscription_patch(Subscription& sub, const boost::json::object& body,
                                           HttpWebhooks http_webhooks, Timestamp now);

// The subscription resource; clientState is null unless with_client_state (GET list hides it).
boost::json::object subscription_json(const Subscription& sub, bool with_client_state);

}  // namespace ccteams::emulator
