#pragma once
// JSON codecs for Microsoft Graph and Entra payloads (graph-protocol.md): decoders from the
// wire text to the port's value types (app/ports/graph.hpp), and encoders for request bodies.
// The one home of every Graph JSON name (STYLE.md §13).
//
// Decoders: tolerant of unknown fields; absent and null mean "no value"; errors are
// Errc::invalid_input with a message "path: why", e.g. "value[3].availability: expected a
// string, got null". Pure functions; thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/ports/graph.hpp"
#include "core/result.hpp"

namespace ccteams::graph {

// ---- Decoders --------------------------------------------------------------------------------

// A GET /users page or a /users/delta page: "value" (users, and "@removed" items on delta),
// "@odata.nextLink", "@odata.deltaLink", "@odata.count".
Result<UsersPage> decode_users_page(std::string_view text);
// A page of /me/memberOf: the directoryRole items' roleTemplateId (other object types are
// skipped); next_link when Graph pages.
struct DirectoryRolesPage {
  DirectoryRoles roles;
  std::optional<std::string> next_link;
};
Result<DirectoryRolesPage> decode_directory_roles(std::string_view text);

// One presence. GET /users/{id}/presence answers bare; GET /communications/presences/{id} is
// documented wrapped in {"value":[…]} with one item: both are accepted. Also reads the decrypted
// encryptedContent of a rich presence notification (a bare presence with "@odata.*" fields).
Result<GraphPresence> decode_presence(std::string_view text);
// getPresencesByUserId: {"value":[presence…]}.
Result<std::vector<GraphPresence>> decode_presences(std::string_view text);
Result<Subscription> decode_subscription(std::string_view text);
Result<SubscriptionsPage> decode_subscriptions(std::string_view text);

// A changeNotificationCollection: {"value":[…], "validationTokens":[…]?}. Items must carry
// subscriptionId. Lifecycle items (with lifecycleEvent) are accepted too, since one POST may mix.
Result<NotificationBatch> decode_notifications(std::string_view text);
// The Teams user a presence change item is about (§4.3): resourceData.id, else the resource
// path "communications/presences/{id}" or "users/{id}/presence" (also "users('{id}')/presence");
// empty when neither names one. The decoders fill ChangeNotification::user with it.
std::string presence_user_of(const ChangeNotification& n);
// A lifecycle notification collection: as above, but every item must carry lifecycleEvent.
Result<NotificationBatch> decode_lifecycle_notifications(std::string_view text);

// A lifecycleEvent's text: reauthorizationRequired, subscriptionRemoved, missed (exact
// casing); anything else is `other`. lifecycle_event_wire_name is the reverse ("other" for
// other). Also used by the store's inbox codec, which keeps the text as Graph sent it.
LifecycleEvent decode_lifecycle_event(std::string_view text);
std::string_view lifecycle_event_wire_name(LifecycleEvent event);

// A 200 token endpoint reply. token_type and access_token required; expires_in required.
Result<TokenResponse> decode_token_response(std::string_view text);

// An Entra token error body {"error","error_description","error_codes",…}, with http_status
// set from `status`, kind classified (classify_token_error) and entra (classify_entra_error).
Result<GraphError> decode_token_error(std::string_view text, int status);
// A Graph error envelope {"error":{"code","message","innerError":{…}}}, kind classified.
Result<GraphError> decode_graph_error(std::string_view text, int status);

// Any non-2xx answer as a GraphError: the Graph envelope, or (token endpoint, or a body in that
// shape) an Entra error; a body that is neither keeps status and a short excerpt of the text.
// Never fails. retry_after_seconds is copied in.
GraphError graph_error_from_response(int status, std::string_view body, int retry_after_seconds);

// ---- Classification --------------------------------------------------------------------------

// Kind from status and Graph code: resyncRequired/syncStateNotFound -> resync_required,
// 401 -> unauthorized, 403 -> forbidden, 404 -> not_found, 429 -> throttled, 5xx ->
// unavailable, other 4xx -> invalid_request.
GraphErrorKind classify_graph_error(int status, std::string_view code);
// Entra: invalid_grant, invalid_client, unauthorized_client, interaction_required and
// consent_required mean our credentials or consent are refused -> unauthorized;
// temporarily_unavailable and 5xx -> unavailable; 429 -> throttled; else invalid_request.
GraphErrorKind classify_token_error(int status, std::string_view error);
// What Entra's `error` and AADSTS error_codes mean for the app, in EntraErrorKind's order
// (first match wins; app/ports/graph_error.hpp lists the codes of each kind).
EntraErrorKind classify_entra_error(std::string_view error,
                                    const std::vector<std::int64_t>& error_codes);

// ---- Encoders --------------------------------------------------------------------------------

// ISO-8601 duration as setPresence wants it: 600 s -> "PT10M", 5400 s -> "PT1H30M", 45 -> "PT45S".
std::string iso8601_duration(std::chrono::seconds d);
// Parses the subset iso8601_duration writes (PTnHnMnS, and PnD); nullopt otherwise.
std::optional<std::chrono::seconds> parse_iso8601_duration(std::string_view text);

// The subscription resource for the presences of user_ids (§4.1):
// "/communications/presences?$filter=id in ('a','b')".
std::string presence_subscription_resource(const std::vector<std::string>& user_ids);
// The resource is presence_subscription_resource(request.presence_user_ids).
std::string encode_subscription_create(const SubscriptionRequest& request);
// PATCH body: {"expirationDateTime":"…"}, plus "encryptionCertificate" and
// "encryptionCertificateId" when the renewal carries them (key rotation, §4.2).
std::string encode_subscription_renew(const SubscriptionRenewal& renewal);
std::string encode_set_presence(const SetPresenceRequest& request);
std::string encode_clear_presence(std::string_view session_id);
std::string encode_presences_by_user_id(const std::vector<std::string>& user_ids);
// A changeNotificationCollection in Graph's own wire format: every field of every item
// (encryptedContent and lifecycleEvent included; absent optionals left out) and
// "validationTokens" when there are any. decode_notifications(encode_notifications(b)) gives
// b back for any b that a decoder produced: a canonical text of a batch (tests compare batches
// with it). The inbox keeps batches in the store's own form (store/inbox_batch_json.hpp).
std::string encode_notifications(const NotificationBatch& batch);

// application/x-www-form-urlencoded token endpoint bodies (§1.3).
inline constexpr std::string_view kGraphDefaultScope = "https://graph.microsoft.com/.default";
std::string encode_client_credentials_form(std::string_view client_id,
                                           std::string_view client_secret,
                                           std::string_view scope = kGraphDefaultScope);
// client_secret empty for a public client.
std::string encode_auth_code_form(std::string_view client_id, std::string_view client_secret,
                                  const AuthCodeRequest& request);
std::string encode_refresh_form(std::string_view client_id, std::string_view client_secret,
                                const RefreshRequest& request);

}  // namespace ccteams::graph
