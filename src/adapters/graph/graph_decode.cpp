#include "adapters/graph/graph_decode.hpp"

#include <boost/json.hpp>

#include "adapters/graph/graph_json.hpp"
#include "app/ports/graph.hpp"

namespace ccteams::graph {

namespace json = boost::json;

namespace {

// ---- normalised views of the port types (names follow Graph's camelCase) ----

json::value opt(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}
json::value opt(const std::optional<bool>& b) { return b ? json::value(*b) : json::value(nullptr); }
json::value opt(const std::optional<std::int64_t>& n) {
  return n ? json::value(*n) : json::value(nullptr);
}
json::value opt(const std::optional<Timestamp>& t) {
  return t ? json::value(format_iso8601(*t)) : json::value(nullptr);
}
json::value redacted(const std::string& secret) {
  return json::value("<redacted: " + std::to_string(secret.size()) + " chars>");
}
json::value redacted_opt(const std::optional<std::string>& secret) {
  return secret ? redacted(*secret) : json::value(nullptr);
}

json::object view(const GraphUser& u) {
  json::array phones;
  for (const auto& p : u.business_phones) phones.emplace_back(p);
  return {{"id", u.id},
          {"displayName", opt(u.display_name)},
          {"givenName", opt(u.given_name)},
          {"surname", opt(u.surname)},
          {"mail", opt(u.mail)},
          {"userPrincipalName", opt(u.user_principal_name)},
          {"jobTitle", opt(u.job_title)},
          {"department", opt(u.department)},
          {"businessPhones", std::move(phones)},
          {"accountEnabled", opt(u.account_enabled)}};
}

std::string_view reason_name(RemovalReason r) {
  switch (r) {
    case RemovalReason::changed: return "changed";
    case RemovalReason::deleted: return "deleted";
    case RemovalReason::other: return "other";
  }
  return "other";
}

json::object view(const UsersPage& p) {
  json::array users;
  for (const auto& u : p.users) users.emplace_back(view(u));
  json::array removed;
  for (const auto& r : p.removed) {
    removed.emplace_back(json::object{{"id", r.id},
                                      {"reason", reason_name(r.reason)},
                                      {"rawReason", r.raw_reason}});
  }
  return {{"userCount", p.users.size()},  {"removedCount", p.removed.size()},
          {"nextLink", opt(p.next_link)}, {"deltaLink", opt(p.delta_link)},
          {"count", opt(p.count)},        {"users", std::move(users)},
          {"removed", std::move(removed)}};
}

json::object view(const GraphPresence& p) {
  return {{"id", p.user_id},
          {"availability", p.availability},
          {"activity", p.activity},
          {"sequenceNumber", opt(p.sequence_number)},
          {"isOutOfOffice", opt(p.out_of_office)},
          {"outOfOfficeMessage", opt(p.out_of_office_message)},
          {"statusMessage", opt(p.status_message)}};
}

json::object view(const Subscription& s) {
  return {{"id", s.id},
          {"resource", s.resource},
          {"changeType", s.change_type},
          {"notificationUrl", s.notification_url},
          {"lifecycleNotificationUrl", opt(s.lifecycle_notification_url)},
          {"expirationDateTime", format_iso8601(s.expiration)},
          {"clientState", redacted_opt(s.client_state)},  // a shared secret with Graph
          {"creatorId", opt(s.creator_id)},
          {"applicationId", opt(s.application_id)},
          {"includeResourceData", s.include_resource_data},
          {"encryptionCertificateId", opt(s.encryption_certificate_id)},
          {"latestSupportedTlsVersion", opt(s.latest_supported_tls_version)},
          {"notificationContentType", opt(s.notification_content_type)}};
}

json::object view(const ChangeNotification& n) {
  json::object o{{"subscriptionId", n.subscription_id},
                 {"id", opt(n.id)},
                 {"subscriptionExpirationDateTime", opt(n.subscription_expiration)},
                 {"changeType", opt(n.change_type)},
                 {"resource", opt(n.resource)},
                 {"tenantId", opt(n.tenant_id)},
                 {"organizationId", opt(n.organization_id)},
                 {"clientState", redacted_opt(n.client_state)},
                 {"lifecycleEvent", opt(n.lifecycle_event_text)}};
  if (n.resource_data) {
    o["resourceData"] = json::object{{"id", opt(n.resource_data->id)},
                                     {"@odata.type", opt(n.resource_data->odata_type)},
                                     {"@odata.id", opt(n.resource_data->odata_id)}};
  } else {
    o["resourceData"] = nullptr;
  }
  if (n.encrypted_content) {
    const auto& e = *n.encrypted_content;
    o["encryptedContent"] =
        json::object{{"dataBytesBase64", e.data.size()},
                     {"hasSignature", !e.data_signature.empty()},
                     {"hasDataKey", !e.data_key.empty()},
                     {"encryptionCertificateId", e.encryption_certificate_id},
                     {"encryptionCertificateThumbprint", e.encryption_certificate_thumbprint}};
  } else {
    o["encryptedContent"] = nullptr;
  }
  return o;
}

json::object view(const NotificationBatch& b) {
  json::array items;
  for (const auto& n : b.notifications) items.emplace_back(view(n));
  json::array tokens;
  for (const auto& t : b.validation_tokens) tokens.emplace_back(redacted(t));
  return {{"notificationCount", b.notifications.size()},
          {"validationTokenCount", b.validation_tokens.size()},
          {"notifications", std::move(items)},
          {"validationTokens", std::move(tokens)}};
}

json::object view(const TokenResponse& t) {
  return {{"tokenType", t.token_type},
          {"accessToken", redacted(t.access_token)},
          {"expiresIn", t.expires_in},
          {"extExpiresIn", opt(t.ext_expires_in)},
          {"refreshToken", redacted_opt(t.refresh_token)},
          {"scope", opt(t.scope)},
          {"idToken", redacted_opt(t.id_token)}};
}

json::object view(const GraphError& e, bool classified) {
  json::array inner;
  for (const auto& c : e.inner_codes) inner.emplace_back(c);
  json::array codes;
  for (auto c : e.error_codes) codes.emplace_back(c);
  json::object o{{"code", e.code},
                 {"message", e.message},
                 {"innerCodes", std::move(inner)},
                 {"requestId", opt(e.request_id)},
                 {"clientRequestId", opt(e.client_request_id)},
                 {"date", opt(e.date)},
                 {"errorCodes", std::move(codes)},
                 {"traceId", opt(e.trace_id)},
                 {"correlationId", opt(e.correlation_id)},
                 {"timestamp", opt(e.timestamp)}};
  if (classified) {
    o["httpStatus"] = e.http_status;
    o["classification"] = graph_error_kind_name(e.kind);
  }
  return o;
}

// ---- output ----

void pretty(const json::value& v, std::string& out, int indent) {
  const auto pad = [&](int n) { out.append(static_cast<std::size_t>(n) * 2, ' '); };
  if (v.is_object() && !v.as_object().empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& kv : v.as_object()) {
      if (!first) out += ",\n";
      first = false;
      pad(indent + 1);
      out += json::serialize(json::value(kv.key()));
      out += ": ";
      pretty(kv.value(), out, indent + 1);
    }
    out += '\n';
    pad(indent);
    out += '}';
  } else if (v.is_array() && !v.as_array().empty()) {
    out += "[\n";
    bool first = true;
    for (const auto& item : v.as_array()) {
      if (!first) out += ",\n";
      first = false;
      pad(indent + 1);
      pretty(item, out, indent + 1);
    }
    out += '\n';
    pad(indent);
    out += ']';
  } else {
    out += json::serialize(v);
  }
}

template <class T, class F>
Result<json::object> decoded(Result<T> r, F&& to_view) {
  if (!r) return std::move(r).error();
  return to_view(*r);
}

}  // namespace

const std::vector<std::string_view>& graph_decode_kinds() {
  static const std::vector<std::string_view> kKinds{
      "users",        "delta",         "presence", "presences",   "notifications", "lifecycle",
      "subscription", "subscriptions", "token",    "token-error", "error"};
  return kKinds;
}

Result<std::string> graph_decode(std::string_view kind, std::string_view text,
                                 std::optional<int> http_status) {
  const int status = http_status.value_or(0);
  const bool classified = http_status.has_value();
  const auto view_one = [](const auto& x) { return view(x); };
  Result<json::object> r = make_error(Errc::invalid_input, "");
  if (kind == "users" || kind == "delta") {
    r = decoded(decode_users_page(text), [&](const UsersPage& p) -> Result<json::object> {
      if (kind == "users" && !p.removed.empty()) {
        return make_error(Errc::invalid_input, "value: @removed items belong to a delta page");
      }
      return view(p);
    });
  } else if (kind == "presence") {
    r = decoded(decode_presence(text), view_one);
  } else if (kind == "presences") {
    r = decoded(decode_presences(text), [](const std::vector<GraphPresence>& all) {
      json::array items;
      for (const auto& p : all) items.emplace_back(view(p));
      return json::object{{"presenceCount", all.size()}, {"presences", std::move(items)}};
    });
  } else if (kind == "notifications") {
    r = decoded(decode_notifications(text), view_one);
  } else if (kind == "lifecycle") {
    r = decoded(decode_lifecycle_notifications(text), view_one);
  } else if (kind == "subscription") {
    r = decoded(decode_subscription(text), view_one);
  } else if (kind == "subscriptions") {
    r = decoded(decode_subscriptions(text), [](const SubscriptionsPage& p) {
      json::array items;
      for (const auto& s : p.subscriptions) items.emplace_back(view(s));
      return json::object{{"subscriptionCount", p.subscriptions.size()},
                          {"nextLink", opt(p.next_link)},
                          {"subscriptions", std::move(items)}};
    });
  } else if (kind == "token") {
    r = decoded(decode_token_response(text), view_one);
  } else if (kind == "token-error") {
    r = decoded(decode_token_error(text, status),
                [&](const GraphError& e) { return view(e, classified); });
  } else if (kind == "error") {
    r = decoded(decode_graph_error(text, status),
                [&](const GraphError& e) { return view(e, classified); });
  } else {
    std::string names;
    for (auto k : graph_decode_kinds()) names += (names.empty() ? "" : ", ") + std::string(k);
    return make_error(Errc::invalid_input,
                      "unknown kind '" + std::string(kind) + "'; expected one of: " + names);
  }
  if (!r) {
    return make_error(Errc::invalid_input, std::string(kind) + ": " + r.error().message);
  }
  json::object out{{"kind", kind}};
  for (auto& kv : *r) out.emplace(kv.key(), std::move(kv.value()));
  std::string text_out;
  pretty(out, text_out, 0);
  text_out += '\n';
  return text_out;
}

}  // namespace ccteams::graph
