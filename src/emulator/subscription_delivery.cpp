// Turning state changes into change and lifecycle notifications (graph-protocol.md §4.3-4.6).
// Everything here runs under the state lock and only queues: the Notifier does the I/O.
#include <boost/json/serialize.hpp>

#include "emulator/emulator_state.hpp"
#include "emulator/notification_crypto.hpp"

namespace ccteams::emulator {

namespace json = boost::json;

namespace {

// The Graph change-notification publisher's app id, which receivers must check (§4.6).
constexpr std::string_view kNotificationPublisherAppId = "0bf30f3b-4a52-48df-9a82-234910c4a086";
constexpr auto kValidationTokenLifetime = std::chrono::hours(1);
constexpr auto kValidationTokenReuse = std::chrono::minutes(50);

std::int64_t seconds_since_epoch(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// One RS256 token per (app, tenant), signed with the emulator's Entra key so receivers can
// verify it against the published JWKS; reused while comfortably valid.
std::string validation_token(State& s, const std::string& app_id, const std::string& tenant_id) {
  const auto now = s.now();
  const std::string key = app_id + "/" + tenant_id;
  auto it = s.validation_tokens.find(key);
  if (it != s.validation_tokens.end() && now < it->second.second) return it->second.first;
  const auto iat = seconds_since_epoch(now);
  json::object claims{{"aud", app_id},
                      {"iss", "https://sts.windows.net/" + tenant_id + "/"},
                      {"iat", iat},
                      {"nbf", iat},
                      {"exp", iat + std::chrono::seconds(kValidationTokenLifetime).count()},
                      {"aio", s.random_token(24)},
                      {"appid", kNotificationPublisherAppId},
                      {"appidacr", "2"},
                      {"idp", "https://sts.windows.net/" + tenant_id + "/"},
                      {"tid", tenant_id},
                      {"uti", s.random_token(16)},
                      {"ver", "1.0"}};
  std::string token = s.signer.sign(claims);
  s.validation_tokens[key] = {token, now + kValidationTokenReuse};
  return token;
}

json::object presence_data(const PresenceView& v) {
  return {{"@odata.type", "#microsoft.graph.presence"},
          {"@odata.id", "communications/presences/" + v.user_id},
          {"id", v.user_id},
          {"availability", v.state.availability},
          {"activity", v.state.activity},
          {"statusMessage", nullptr},
          {"outOfOfficeSettings", json::object{{"message", nullptr}, {"isOutOfOffice", false}}},
          {"sequenceNumber", v.sequence_number}};
}

json::value client_state_json(const Subscription& sub) {
  return sub.client_state.empty() ? json::value(nullptr) : json::value(sub.client_state);
}

// Queues n for the subscription's URL, applying the drop and duplicate faults.
void enqueue_with_faults(State& s, const Subscription& sub, OutgoingNotification n) {
  if (s.faults.drop_notification_rate > 0 && s.rng.chance(s.faults.drop_notification_rate)) {
    return;
  }
  if (s.faults.duplicate_notification_rate > 0 &&
      s.rng.chance(s.faults.duplicate_notification_rate)) {
    s.notifier->enqueue(sub.notification_url, n);
  }
  s.notifier->enqueue(sub.notification_url, std::move(n));
}

}  // namespace

void notify_presence_change(State& s, const std::string& tenant_id, const PresenceView& v) {
  if (!s.notifier) return;
  const auto now = s.now();
  for (auto& [id, sub] : s.subscriptions) {
    if (sub.expiration <= now) continue;  // tick() deletes it; nothing more is sent
    if (sub.kind != SubscriptionKind::presence || sub.tenant_id != tenant_id) continue;
    if (std::find(sub.user_ids.begin(), sub.user_ids.end(), v.user_id) == sub.user_ids.end()) {
      continue;
    }
    json::object item{{"id", s.rng.guid()},
                       {"subscriptionId", sub.id},
                       {"subscriptionExpirationDateTime", format_iso8601(sub.expiration)},
                       {"changeType", "updated"},
                       {"resource", "communications/presences/" + v.user_id},
                       {"resourceData",
                        json::object{{"@odata.type", "#microsoft.graph.presence"},
                                     {"@odata.id", "communications/presences/" + v.user_id},
                                     {"id", v.user_id}}},
                       {"tenantId", sub.tenant_id},
                       {"organizationId", sub.tenant_id},
                       {"clientState", client_state_json(sub)}};
    OutgoingNotification n;
    if (sub.include_resource_data) {
      auto content = encrypt_for_certificate(sub.encryption_certificate,
                                             sub.encryption_certificate_id,
                                             json::serialize(presence_data(v)));
      // The certificate was checked at create/PATCH; a failure here is OpenSSL's own.
      if (!content) continue;
      item["encryptedContent"] = std::move(*content);
      n.validation_token = validation_token(s, sub.application_id, sub.tenant_id);
      n.token_key = sub.application_id + "/" + sub.tenant_id;
    }
    n.item = std::move(item);
    enqueue_with_faults(s, sub, std::move(n));
  }
}

void notify_user_change(State& s, const std::string& tenant_id, const std::string& user_id,
                        std::string_view change) {
  if (!s.notifier) return;
  const auto now = s.now();
  // [obs] Directory notifications name the entity set with a capital letter.
  const std::string resource = "Users/" + user_id;
  for (auto& [id, sub] : s.subscriptions) {
    if (sub.expiration <= now || sub.kind != SubscriptionKind::users) continue;
    if (sub.tenant_id != tenant_id) continue;
    if (!sub.user_ids.empty() && sub.user_ids.front() != user_id) continue;
    if (!wants_change(sub, change)) continue;
    OutgoingNotification n;
    n.item = json::object{{"id", s.rng.guid()},
                          {"subscriptionId", sub.id},
                          {"subscriptionExpirationDateTime", format_iso8601(sub.expiration)},
                          {"changeType", change},
                          {"resource", resource},
                          {"resourceData", json::object{{"@odata.type", "#Microsoft.Graph.User"},
                                                        {"@odata.id", resource},
                                                        {"id", user_id},
                                                        {"organizationId", sub.tenant_id}}},
                          {"tenantId", sub.tenant_id},
                          {"clientState", client_state_json(sub)}};
    enqueue_with_faults(s, sub, std::move(n));
  }
}

bool send_lifecycle_event(State& s, Subscription& sub, std::string_view event) {
  if (!s.notifier || sub.lifecycle_notification_url.empty()) return false;
  OutgoingNotification n;
  n.item = json::object{{"subscriptionId", sub.id},
                        {"subscriptionExpirationDateTime", format_iso8601(sub.expiration)},
                        {"tenantId", sub.tenant_id},
                        {"organizationId", sub.tenant_id},
                        {"clientState", client_state_json(sub)},
                        {"lifecycleEvent", event}};
  s.notifier->enqueue(sub.lifecycle_notification_url, std::move(n));
  return true;
}

void tick_subscriptions(State& s, Timestamp now) {
  // Graph deletes an expired subscription without telling anyone (§4.2).
  std::erase_if(s.subscriptions, [&](const auto& kv) { return kv.second.expiration <= now; });
  const auto lead = s.options.notifications.reauthorization_lead;
  for (auto& [id, sub] : s.subscriptions) {
    if (sub.reauthorization_sent || sub.expiration - now > lead) continue;
    if (send_lifecycle_event(s, sub, "reauthorizationRequired")) sub.reauthorization_sent = true;
  }
}

}  // namespace ccteams::emulator
