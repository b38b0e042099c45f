// Request bodies sent to Graph and Entra (graph-protocol.md §1.3, §3.4, §4.1, §4.2).
#include <boost/json.hpp>

#include "adapters/graph/graph_json.hpp"
#include "adapters/http/http_types.hpp"

namespace ccteams::graph {

namespace json = boost::json;

std::string iso8601_duration(std::chrono::seconds d) {
  auto total = d.count();
  if (total <= 0) return "PT0S";
  const auto h = total / 3600;
  const auto m = (total % 3600) / 60;
  const auto s = total % 60;
  std::string out = "PT";
  if (h > 0) out += std::to_string(h) + "H";
  if (m > 0) out += std::to_string(m) + "M";
  if (s > 0) out += std::to_string(s) + "S";
  return out;
}

std::optional<std::chrono::seconds> parse_iso8601_duration(std::string_view text) {
  if (text.size() < 3 || (text[0] != 'P' && text[0] != 'p')) return std::nullopt;
  std::int64_t total = 0;
  std::int64_t number = 0;
  bool have_number = false;
  bool in_time = false;
  bool any = false;
  for (std::size_t i = 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      if (number > 100'000'000) return std::nullopt;  // absurd; also keeps the sum in range
      number = number * 10 + (c - '0');
      have_number = true;
      continue;
    }
    const char u = static_cast<char>(c & ~0x20);  // upper-case ASCII letters
    if (u == 'T' && !in_time && !have_number) {
      in_time = true;
      continue;
    }
    if (!have_number) return std::nullopt;
    std::int64_t unit = 0;
    if (!in_time && u == 'D') unit = 86400;
    if (in_time && u == 'H') unit = 3600;
    if (in_time && u == 'M') unit = 60;
    if (in_time && u == 'S') unit = 1;
    if (unit == 0) return std::nullopt;
    total += number * unit;
    number = 0;
    have_number = false;
    any = true;
  }
  if (have_number || !any) return std::nullopt;
  return std::chrono::seconds{total};
}

std::string presence_subscription_resource(const std::vector<std::string>& user_ids) {
  std::string r = "/communications/presences?$filter=id in (";
  for (std::size_t i = 0; i < user_ids.size(); ++i) {
    if (i > 0) r += ',';
    r += '\'';
    r += user_ids[i];
    r += '\'';
  }
  r += ')';
  return r;
}

std::string encode_subscription_create(const SubscriptionRequest& r) {
  json::object o;
  o["changeType"] = r.change_type;
  o["notificationUrl"] = r.notification_url;
  if (r.lifecycle_notification_url) o["lifecycleNotificationUrl"] = *r.lifecycle_notification_url;
  o["resource"] = presence_subscription_resource(r.presence_user_ids);
  o["expirationDateTime"] = format_iso8601(r.expiration);
  if (r.client_state) o["clientState"] = *r.client_state;
  if (r.include_resource_data) o["includeResourceData"] = true;
  if (r.encryption_certificate) o["encryptionCertificate"] = *r.encryption_certificate;
  if (r.encryption_certificate_id) o["encryptionCertificateId"] = *r.encryption_certificate_id;
  if (r.latest_supported_tls_version) {
    o["latestSupportedTlsVersion"] = *r.latest_supported_tls_version;
  }
  return json::serialize(o);
}

std::string encode_subscription_renew(const SubscriptionRenewal& renewal) {
  json::object o;
  o["expirationDateTime"] = format_iso8601(renewal.expiration);
  if (renewal.encryption_certificate) o["encryptionCertificate"] = *renewal.encryption_certificate;
  if (renewal.encryption_certificate_id) {
    o["encryptionCertificateId"] = *renewal.encryption_certificate_id;
  }
  return json::serialize(o);
}

std::string encode_set_presence(const SetPresenceRequest& r) {
  json::object o;
  o["sessionId"] = r.session_id;
  o["availability"] = r.availability;
  o["activity"] = r.activity;
  if (r.expiration) o["expirationDuration"] = iso8601_duration(*r.expiration);
  return json::serialize(o);
}

std::string encode_clear_presence(std::string_view session_id) {
  json::object o;
  o["sessionId"] = session_id;
  return json::serialize(o);
}

std::string encode_presences_by_user_id(const std::vector<std::string>& user_ids) {
  json::array ids;
  ids.reserve(user_ids.size());
  for (const auto& id : user_ids) ids.emplace_back(id);
  json::object o;
  o["ids"] = std::move(ids);
  return json::serialize(o);
}

std::string encode_client_credentials_form(std::string_view client_id,
                                           std::string_view client_secret,
                                           std::string_view scope) {
  return http::encode_form({{"client_id", std::string(client_id)},
                            {"scope", std::string(scope)},
                            {"client_secret", std::string(client_secret)},
                            {"grant_type", "client_credentials"}});
}

std::string encode_auth_code_form(std::string_view client_id, std::string_view client_secret,
                                  const AuthCodeRequest& r) {
  std::vector<std::pair<std::string, std::string>> f{{"client_id", std::string(client_id)},
                                                     {"grant_type", "authorization_code"},
                                                     {"code", r.code},
                                                     {"redirect_uri", r.redirect_uri}};
  if (!r.scope.empty()) f.emplace_back("scope", r.scope);
  if (!r.code_verifier.empty()) f.emplace_back("code_verifier", r.code_verifier);
  if (!client_secret.empty()) f.emplace_back("client_secret", std::string(client_secret));
  return http::encode_form(f);
}

std::string encode_refresh_form(std::string_view client_id, std::string_view client_secret,
                                const RefreshRequest& r) {
  std::vector<std::pair<std::string, std::string>> f{{"client_id", std::string(client_id)},
                                                     {"grant_type", "refresh_token"},
                                                     {"refresh_token", r.refresh_token}};
  if (!r.scope.empty()) f.emplace_back("scope", r.scope);
  if (!client_secret.empty()) f.emplace_back("client_secret", std::string(client_secret));
  return http::encode_form(f);
}

}  // namespace ccteams::graph
