#include "emulator/subscription_model.hpp"

#include <cctype>

#include "emulator/notification_crypto.hpp"
#include "emulator/webhook_url.hpp"

namespace ccteams::emulator {

namespace json = boost::json;

namespace {

GraphError invalid(std::string message) {
  return graph_error(400, "InvalidRequest", std::move(message));
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// The member named key, or null when absent.
const json::value* field(const json::object& o, std::string_view key) { return o.if_contains(key); }

GraphResult<std::string> string_field(const json::object& o, std::string_view key,
                                      bool required) {
  const auto* v = field(o, key);
  if (v == nullptr || v->is_null()) {
    if (required) return invalid("The '" + std::string(key) + "' property is required.");
    return std::string();
  }
  if (!v->is_string()) return invalid("The '" + std::string(key) + "' property must be a string.");
  return std::string(v->as_string());
}

GraphResult<Timestamp> check_expiration(const json::object& body, SubscriptionKind kind,
                                        Timestamp now) {
  auto text = string_field(body, "expirationDateTime", true);
  if (!text) return text.error();
  auto t = parse_iso8601(*text);
  if (!t) return invalid("expirationDateTime is not a valid ISO-8601 UTC date and time.");
  if (*t <= now) return invalid("Subscription expiration must be in the future.");
  if (kind == SubscriptionKind::presence && *t - now > kMaxPresenceSubscriptionLifetime) {
    return invalid(
        "Subscription expiration can only be 60 minutes in the future for presence "
        "resources.");
  }
  if (kind == SubscriptionKind::users && *t - now > kMaxDirectorySubscriptionLifetime) {
    return invalid(
        "Subscription expiration can only be 41760 minutes in the future for directory "
        "resources.");
  }
  return *t;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "updated", "deleted" or both, comma-joined without repeats; normalised to that order.
GraphResult<std::string> users_change_type(std::string_view text) {
  bool updated = false;
  bool deleted = false;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string part = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    bool& seen = part == "updated" ? updated : deleted;
    if ((part != "updated" && part != "deleted") || seen) {
      return invalid("changeType '" + part +
                     "' is not supported for users: use 'updated' and/or 'deleted' (a new "
                     "user arrives as updated).");
    }
    seen = true;
  }
  if (!updated && !deleted) return invalid("The 'changeType' property is required.");
  return std::string(updated && deleted ? "updated,deleted" : updated ? "updated" : "deleted");
}

GraphResult<Done> check_encryption(const Subscription& s) {
  if (!s.include_resource_data) return Done{};
  if (s.encryption_certificate.empty()) {
    return invalid("encryptionCertificate is required when includeResourceData is true.");
  }
  if (s.encryption_certificate_id.empty()) {
    return invalid("encryptionCertificateId is required when includeResourceData is true.");
  }
  if (s.encryption_certificate_id.size() > kMaxCertificateIdChars) {
    return invalid("encryptionCertificateId must be at most 128 characters.");
  }
  return check_encryption_certificate(s.encryption_certificate);
}

}  // namespace

GraphResult<std::vector<std::string>> parse_presence_resource(std::string_view resource) {
  if (resource.starts_with('/')) resource.remove_prefix(1);
  constexpr std::string_view kSingle = "communications/presences/";
  constexpr std::string_view kFiltered = "communications/presences?$filter=";
  std::vector<std::string> ids;
  if (resource.starts_with(kSingle)) {
    std::string id(resource.substr(kSingle.size()));
    if (id.empty() || id.find_first_of("/?'\" ") != std::string::npos) {
      return invalid("Invalid presence resource: '" + std::string(resource) + "'.");
    }
    ids.push_back(std::move(id));
    return ids;
  }
  if (!resource.starts_with(kFiltered)) {
    return invalid("Resource '" + std::string(resource) +
                   "' is not supported: use communications/presences/{id} or "
                   "/communications/presences?$filter=id in ('{id}',…).");
  }
  std::string filter = trim(resource.substr(kFiltered.size()));
  if (!filter.starts_with("id in (") || !filter.ends_with(")")) {
    return invalid("The presence filter must be of the form id in ('{id}','{id}',…).");
  }
  std::string_view list(filter);
  list = list.substr(7, list.size() - 8);
  while (!list.empty()) {
    std::string item = trim(list.substr(0, list.find(',')));
    const auto comma = list.find(',');
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.size() < 3 || (item.front() != '\'' && item.front() != '"') ||
        item.back() != item.front()) {
      return invalid("Each id in the presence filter must be quoted.");
    }
    ids.push_back(item.substr(1, item.size() - 2));
    if (comma != std::string_view::npos && list.empty()) {
      return invalid("The presence filter has an empty item.");
    }
  }
  if (ids.empty()) return invalid("The presence filter lists no id.");
  if (ids.size() > kMaxPresenceSubscriptionIds) {
    return invalid("A presence subscription can list at most 650 ids (got " +
                   std::to_string(ids.size()) + ").");
  }
  return ids;
}

std::optional<SubscriptionKind> subscription_kind(std::string_view resource) {
  if (resource.starts_with('/')) resource.remove_prefix(1);
  const std::string head = lower(resource.substr(0, resource.find_first_of("/?")));
  if (head == "users") return SubscriptionKind::users;
  if (lower(resource).starts_with("communications/presences")) return SubscriptionKind::presence;
  return std::nullopt;
}

GraphResult<std::vector<std::string>> parse_users_resource(std::string_view resource) {
  if (resource.starts_with('/')) resource.remove_prefix(1);
  const auto slash = resource.find('/');
  if (lower(resource.substr(0, slash)) != "users" ||
      resource.find_first_of("?$ '\"") != std::string_view::npos) {
    return invalid("Resource '" + std::string(resource) +
                   "' is not supported: use users or users/{id}.");
  }
  if (slash == std::string_view::npos) return std::vector<std::string>{};
  const std::string_view id = resource.substr(slash + 1);
  if (id.empty() || id.find('/') != std::string_view::npos) {
    return invalid("Resource '" + std::string(resource) +
                   "' is not supported: use users or users/{id}.");
  }
  return std::vector<std::string>{std::string(id)};
}

bool wants_change(const Subscription& sub, std::string_view change) {
  std::string_view list(sub.change_type);
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (trim(list.substr(0, comma)) == change) return true;
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return false;
}

GraphResult<Subscription> parse_subscription(const json::object& body, HttpWebhooks http_webhooks,
                                             Timestamp now) {
  Subscription s;
  auto resource = string_field(body, "resource", true);
  if (!resource) return resource.error();
  const auto kind = subscription_kind(*resource);
  if (!kind) {
    return invalid("Resource '" + *resource +
                   "' is not supported: use communications/presences/{id}, "
                   "/communications/presences?$filter=id in (…), users or users/{id}.");
  }
  s.kind = *kind;
  auto ids = s.kind == SubscriptionKind::presence ? parse_presence_resource(*resource)
                                                  : parse_users_resource(*resource);
  if (!ids) return ids.error();
  s.resource = *resource;
  s.user_ids = std::move(*ids);
  auto change = string_field(body, "changeType", true);
  if (!change) return change.error();
  if (s.kind == SubscriptionKind::users) {
    auto normalised = users_change_type(*change);
    if (!normalised) return normalised.error();
    s.change_type = *normalised;
  } else if (*change != "updated") {
    return invalid("changeType '" + *change +
                   "' is not supported for presence: only 'updated' is.");
  } else {
    s.change_type = *change;
  }
  auto url = string_field(body, "notificationUrl", true);
  if (!url) return url.error();
  if (auto ok = check_webhook_url("notificationUrl", *url, http_webhooks); !ok) return ok.error();
  s.notification_url = *url;
  auto lifecycle = string_field(body, "lifecycleNotificationUrl", false);
  if (!lifecycle) return lifecycle.error();
  if (!lifecycle->empty()) {
    if (auto ok = check_webhook_url("lifecycleNotificationUrl", *lifecycle, http_webhooks); !ok) {
      return ok.error();
    }
  }
  s.lifecycle_notification_url = *lifecycle;
  auto expiration = check_expiration(body, s.kind, now);
  if (!expiration) return expiration.error();
  s.expiration = *expiration;
  auto client_state = string_field(body, "clientState", false);
  if (!client_state) return client_state.error();
  if (client_state->size() > kMaxClientStateChars) {
    return invalid("clientState must be at most 128 characters.");
  }
  s.client_state = *client_state;
  if (const auto* v = field(body, "includeResourceData"); v && !v->is_null()) {
    if (!v->is_bool()) return invalid("includeResourceData must be a boolean.");
    s.include_resource_data = v->as_bool();
  }
  auto cert = string_field(body, "encryptionCertificate", false);
  if (!cert) return cert.error();
  s.encryption_certificate = *cert;
  auto cert_id = string_field(body, "encryptionCertificateId", false);
  if (!cert_id) return cert_id.error();
  s.encryption_certificate_id = *cert_id;
  if (s.kind == SubscriptionKind::users && s.include_resource_data) {
    // [infer] v1.0 offers rich notifications for Teams and Outlook resources, not for users.
    return invalid("includeResourceData is not supported for users subscriptions.");
  }
  if (auto ok = check_encryption(s); !ok) return ok.error();
  auto tls = string_field(body, "latestSupportedTlsVersion", false);
  if (!tls) return tls.error();
  if (!tls->empty()) {
    if (*tls != "v1_0" && *tls != "v1_1" && *tls != "v1_2" && *tls != "v1_3") {
      return invalid("latestSupportedTlsVersion must be v1_0, v1_1, v1_2 or v1_3.");
    }
    s.latest_supported_tls_version = *tls;
  }
  return s;
}

GraphResult<Done> apply_subscription_patch(Subscription& sub, const json::object& body,
                                           HttpWebhooks http_webhooks, Timestamp now) {
  Subscription next = sub;
  if (const auto* v = field(body, "lifecycleNotificationUrl"); v && !v->is_null()) {
    if (!v->is_string() || v->as_string() != sub.lifecycle_notification_url) {
      return invalid(
          "lifecycleNotificationUrl cannot be added or changed by an update; create a new "
          "subscription.");
    }
  }
  if (field(body, "expirationDateTime") != nullptr) {
    auto t = check_expiration(body, sub.kind, now);
    if (!t) return t.error();
    next.expiration = *t;
  }
  if (field(body, "notificationUrl") != nullptr) {
    auto url = string_field(body, "notificationUrl", true);
    if (!url) return url.error();
    if (auto ok = check_webhook_url("notificationUrl", *url, http_webhooks); !ok) return ok.error();
    next.notification_url = *url;
  }
  if (field(body, "encryptionCertificate") != nullptr) {
    auto cert = string_field(body, "encryptionCertificate", true);
    if (!cert) return cert.error();
    next.encryption_certificate = *cert;
  }
  if (field(body, "encryptionCertificateId") != nullptr) {
    auto id = string_field(body, "encryptionCertificateId", true);
    if (!id) return id.error();
    next.encryption_certificate_id = *id;
  }
  if (auto ok = check_encryption(next); !ok) return ok.error();
  next.reauthorization_sent = false;  // a PATCH also reauthorizes
  sub = std::move(next);
  return Done{};
}

json::object subscription_json(const Subscription& s, bool with_client_state) {
  const auto opt = [](const std::string& v) {
    return v.empty() ? json::value(nullptr) : json::value(v);
  };
  return {{"id", s.id},
          {"resource", s.resource},
          {"applicationId", s.application_id},
          {"changeType", s.change_type},
          {"clientState", with_client_state ? opt(s.client_state) : json::value(nullptr)},
          {"notificationUrl", s.notification_url},
          {"notificationQueryOptions", nullptr},
          {"lifecycleNotificationUrl", opt(s.lifecycle_notification_url)},
          {"expirationDateTime", format_iso8601(s.expiration)},
          {"creatorId", s.creator_id},
          {"includeResourceData", s.include_resource_data},
          {"latestSupportedTlsVersion", s.latest_supported_tls_version},
          {"encryptionCertificate", opt(s.encryption_certificate)},
          {"encryptionCertificateId", opt(s.encryption_certificate_id)},
          {"notificationUrlAppId", nullptr},
          {"notificationContentType", "application/json"}};
}

}  // namespace ccteams::emulator
