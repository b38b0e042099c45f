// Subscription resources (graph-protocol.md §4.1, §4.2).
#include <boost/json.hpp>

#include "adapters/graph/graph_json.hpp"
#include "adapters/graph/json_reader.hpp"

namespace ccteams::graph {

namespace json = boost::json;

namespace {

Result<Subscription> decode_subscription_object(const json::object& o, const std::string& path) {
  Subscription s;
  CCTEAMS_GRAPH_TRY(id, required_string(o, "id", path));
  if (id.empty()) return json_error(json_path(path, "id"), "must not be empty");
  CCTEAMS_GRAPH_TRY(resource, required_string(o, "resource", path));
  CCTEAMS_GRAPH_TRY(change_type, required_string(o, "changeType", path));
  CCTEAMS_GRAPH_TRY(notification_url, required_string(o, "notificationUrl", path));
  CCTEAMS_GRAPH_TRY(expiration, optional_time(o, "expirationDateTime", path));
  if (!expiration) return json_error(json_path(path, "expirationDateTime"), "missing");
  CCTEAMS_GRAPH_TRY(lifecycle_url, optional_string(o, "lifecycleNotificationUrl", path));
  CCTEAMS_GRAPH_TRY(client_state, optional_string(o, "clientState", path));
  CCTEAMS_GRAPH_TRY(creator_id, optional_string(o, "creatorId", path));
  CCTEAMS_GRAPH_TRY(application_id, optional_string(o, "applicationId", path));
  CCTEAMS_GRAPH_TRY(include_data, optional_bool(o, "includeResourceData", path));
  CCTEAMS_GRAPH_TRY(cert_id, optional_string(o, "encryptionCertificateId", path));
  CCTEAMS_GRAPH_TRY(tls, optional_string(o, "latestSupportedTlsVersion", path));
  CCTEAMS_GRAPH_TRY(content_type, optional_string(o, "notificationContentType", path));
  s.id = std::move(id);
  s.resource = std::move(resource);
  s.change_type = std::move(change_type);
  s.notification_url = std::move(notification_url);
  s.expiration = *expiration;
  s.lifecycle_notification_url = std::move(lifecycle_url);
  s.client_state = std::move(client_state);
  s.creator_id = std::move(creator_id);
  s.application_id = std::move(application_id);
  s.include_resource_data = include_data.value_or(false);
  s.encryption_certificate_id = std::move(cert_id);
  s.latest_supported_tls_version = std::move(tls);
  s.notification_content_type = std::move(content_type);
  return s;
}

}  // namespace

Result<Subscription> decode_subscription(std::string_view text) {
  CCTEAMS_GRAPH_TRY(doc, parse_document(text));
  CCTEAMS_GRAPH_TRY(root, as_object(doc, ""));
  return decode_subscription_object(*root, "");
}

Result<SubscriptionsPage> decode_subscriptions(std::string_view text) {
  CCTEAMS_GRAPH_TRY(doc, parse_document(text));
  CCTEAMS_GRAPH_TRY(root, as_object(doc, ""));
  SubscriptionsPage page;
  CCTEAMS_GRAPH_TRY(next, optional_string(*root, "@odata.nextLink", ""));
  page.next_link = std::move(next);
  CCTEAMS_GRAPH_TRY(items, required_array(*root, "value", ""));
  page.subscriptions.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {
    const auto path = json_path("value", i);
    CCTEAMS_GRAPH_TRY(item, as_object((*items)[i], path));
    CCTEAMS_GRAPH_TRY(s, decode_subscription_object(*item, path));
    page.subscriptions.push_back(std::move(s));
  }
  return page;
}

}  // namespace ccteams::graph
