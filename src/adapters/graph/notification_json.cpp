// Change and lifecycle notification collections (graph-protocol.md §4.3, §4.4).
#include <algorithm>
#include <boost/json.hpp>

#include "adapters/graph/graph_json.hpp"
#include "adapters/graph/json_reader.hpp"

namespace ccteams::graph {

namespace json = boost::json;

// Exact names: Graph's casing is part of the name, as for every enum value it sends.
LifecycleEvent decode_lifecycle_event(std::string_view text) {
  if (text == "reauthorizationRequired") return LifecycleEvent::reauthorization_required;
  if (text == "subscriptionRemoved") return LifecycleEvent::subscription_removed;
  if (text == "missed") return LifecycleEvent::missed;
  return LifecycleEvent::other;
}

std::string_view lifecycle_event_wire_name(LifecycleEvent event) {
  switch (event) {
    case LifecycleEvent::reauthorization_required:
      return "reauthorizationRequired";
    case LifecycleEvent::subscription_removed:
      return "subscriptionRemoved";
    case LifecycleEvent::missed:
      return "missed";
    case LifecycleEvent::other:
      break;
  }
  return "other";
}

std::string presence_user_of(const ChangeNotification& n) {
  if (n.resource_data && n.resource_data->id && !n.resource_data->id->empty()) {
    return *n.resource_data->id;
  }
  if (!n.resource) return {};
  std::string_view r = *n.resource;
  while (!r.empty() && r.front() == '/') r.remove_prefix(1);
  // The id after a collection, as "{collection}/{id}" or OData's "{collection}('{id}')";
  // rest: what follows the id. Empty when r does not start with the collection.
  auto id_after = [&r](std::string_view collection, std::string_view& rest) -> std::string_view {
    if (r.substr(0, collection.size()) != collection) return {};
    std::string_view tail = r.substr(collection.size());
    if (tail.substr(0, 2) == "('") {
      const auto close = tail.find("')");
      if (close == std::string_view::npos) return {};
      rest = tail.substr(close + 2);
      return tail.substr(2, close - 2);
    }
    if (tail.empty() || tail.front() != '/') return {};
    tail.remove_prefix(1);
    const auto end = std::min(tail.find_first_of("/?"), tail.size());
    rest = tail.substr(end);
    return tail.substr(0, end);
  };
  std::string_view rest;
  if (auto id = id_after("communications/presences", rest); !id.empty()) return std::string(id);
  if (auto id = id_after("users", rest); !id.empty() && rest == "/presence") {
    return std::string(id);
  }
  return {};
}

namespace {

Result<EncryptedContent> decode_encrypted(const json::object& o, const std::string& path) {
  EncryptedContent e;
  CCTEAMS_GRAPH_TRY(data, required_string(o, "data", path));
  CCTEAMS_GRAPH_TRY(signature, required_string(o, "dataSignature", path));
  CCTEAMS_GRAPH_TRY(key, required_string(o, "dataKey", path));
  CCTEAMS_GRAPH_TRY(cert_id, optional_string(o, "encryptionCertificateId", path));
  CCTEAMS_GRAPH_TRY(thumbprint, optional_string(o, "encryptionCertificateThumbprint", path));
  if (!cert_id && !thumbprint) {
    // Without either, no key can be chosen (§4.5 step 1).
    return json_error(path, "neither encryptionCertificateId nor encryptionCertificateThumbprint");
  }
  e.data = std::move(data);
  e.data_signature = std::move(signature);
  e.data_key = std::move(key);
  e.encryption_certificate_id = cert_id.value_or("");
  e.encryption_certificate_thumbprint = thumbprint.value_or("");
  return e;
}

Result<ChangeNotification> decode_item(const json::object& o, const std::string& path,
                                       bool lifecycle_only) {
  ChangeNotification n;
  CCTEAMS_GRAPH_TRY(subscription_id, required_string(o, "subscriptionId", path));
  if (subscription_id.empty()) {
    return json_error(json_path(path, "subscriptionId"), "must not be empty");
  }
  CCTEAMS_GRAPH_TRY(id, optional_string(o, "id", path));
  CCTEAMS_GRAPH_TRY(expiration, optional_time(o, "subscriptionExpirationDateTime", path));
  CCTEAMS_GRAPH_TRY(change_type, optional_string(o, "changeType", path));
  CCTEAMS_GRAPH_TRY(resource, optional_string(o, "resource", path));
  CCTEAMS_GRAPH_TRY(tenant_id, optional_string(o, "tenantId", path));
  CCTEAMS_GRAPH_TRY(organization_id, optional_string(o, "organizationId", path));
  CCTEAMS_GRAPH_TRY(client_state, optional_string(o, "clientState", path));
  CCTEAMS_GRAPH_TRY(lifecycle_event, optional_string(o, "lifecycleEvent", path));
  if (lifecycle_only && !lifecycle_event) {
    return json_error(json_path(path, "lifecycleEvent"), "missing");
  }
  if (!lifecycle_event) {
    // A change notification that names no change cannot be applied; say so here rather than
    // letting it vanish further down.
    if (!change_type) return json_error(json_path(path, "changeType"), "missing");
    if (!resource) return json_error(json_path(path, "resource"), "missing");
  }
  n.subscription_id = std::move(subscription_id);
  n.id = std::move(id);
  n.subscription_expiration = expiration;
  n.change_type = std::move(change_type);
  n.resource = std::move(resource);
  n.tenant_id = std::move(tenant_id);
  n.organization_id = std::move(organization_id);
  n.client_state = std::move(client_state);
  if (lifecycle_event) n.lifecycle_event = decode_lifecycle_event(*lifecycle_event);
  n.lifecycle_event_text = std::move(lifecycle_event);

  CCTEAMS_GRAPH_TRY(data, optional_object(o, "resourceData", path));
  if (data != nullptr) {
    const auto data_path = json_path(path, "resourceData");
    ResourceData rd;
    CCTEAMS_GRAPH_TRY(rid, optional_string(*data, "id", data_path));
    CCTEAMS_GRAPH_TRY(type, optional_string(*data, "@odata.type", data_path));
    CCTEAMS_GRAPH_TRY(odata_id, optional_string(*data, "@odata.id", data_path));
    rd.id = std::move(rid);
    rd.odata_type = std::move(type);
    rd.odata_id = std::move(odata_id);
    n.resource_data = std::move(rd);
  }
  CCTEAMS_GRAPH_TRY(encrypted, optional_object(o, "encryptedContent", path));
  if (encrypted != nullptr) {
    CCTEAMS_GRAPH_TRY(e, decode_encrypted(*encrypted, json_path(path, "encryptedContent")));
    n.encrypted_content = std::move(e);
  }
  n.user = presence_user_of(n);
  return n;
}

Result<NotificationBatch> decode_collection(std::string_view text, bool lifecycle_only) {
  CCTEAMS_GRAPH_TRY(doc, parse_document(text));
  CCTEAMS_GRAPH_TRY(root, as_object(doc, ""));
  NotificationBatch batch;
  CCTEAMS_GRAPH_TRY(tokens, string_array(*root, "validationTokens", ""));
  batch.validation_tokens = std::move(tokens);
  CCTEAMS_GRAPH_TRY(items, required_array(*root, "value", ""));
  batch.notifications.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {
    const auto path = json_path("value", i);
    CCTEAMS_GRAPH_TRY(item, as_object((*items)[i], path));
    CCTEAMS_GRAPH_TRY(n, decode_item(*item, path, lifecycle_only));
    batch.notifications.push_back(std::move(n));
  }
  return batch;
}

}  // namespace

namespace {

void put_optional(json::object& o, std::string_view key, const std::optional<std::string>& v) {
  if (v) o[key] = *v;
}

json::object encode_item(const ChangeNotification& n) {
  json::object o;
  put_optional(o, "id", n.id);
  o["subscriptionId"] = n.subscription_id;
  if (n.subscription_expiration) {
    o["subscriptionExpirationDateTime"] = format_iso8601(*n.subscription_expiration);
  }
  put_optional(o, "changeType", n.change_type);
  put_optional(o, "resource", n.resource);
  put_optional(o, "tenantId", n.tenant_id);
  put_optional(o, "organizationId", n.organization_id);
  put_optional(o, "clientState", n.client_state);
  if (n.lifecycle_event_text) {
    o["lifecycleEvent"] = *n.lifecycle_event_text;
  } else if (n.lifecycle_event) {
    o["lifecycleEvent"] = lifecycle_event_wire_name(*n.lifecycle_event);
  }
  if (n.resource_data) {
    json::object rd;
    put_optional(rd, "@odata.type", n.resource_data->odata_type);
    put_optional(rd, "@odata.id", n.resource_data->odata_id);
    put_optional(rd, "id", n.resource_data->id);
    o["resourceData"] = std::move(rd);
  }
  if (n.encrypted_content) {
    const auto& e = *n.encrypted_content;
    // Both certificate fields are always written: the decoder needs at least one, and an
    // empty string reads back as the empty string it was.
    o["encryptedContent"] = json::object{
        {"data", e.data},
        {"dataSignature", e.data_signature},
        {"dataKey", e.data_key},
        {"encryptionCertificateId", e.encryption_certificate_id},
        {"encryptionCertificateThumbprint", e.encryption_certificate_thumbprint}};
  }
  return o;
}

}  // namespace

std::string encode_notifications(const NotificationBatch& batch) {
  json::array items;
  items.reserve(batch.notifications.size());
  for (const auto& n : batch.notifications) items.emplace_back(encode_item(n));
  json::object root{{"value", std::move(items)}};
  if (!batch.validation_tokens.empty()) {
    json::array tokens;
    for (const auto& t : batch.validation_tokens) tokens.emplace_back(t);
    root["validationTokens"] = std::move(tokens);
  }
  return json::serialize(root);
}

Result<NotificationBatch> decode_notifications(std::string_view text) {
  return decode_collection(text, false);
}

Result<NotificationBatch> decode_lifecycle_notifications(std::string_view text) {
  return decode_collection(text, true);
}

}  // namespace ccteams::graph
