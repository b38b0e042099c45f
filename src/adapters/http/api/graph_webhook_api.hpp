#pragma once
// The Microsoft Graph webhook (DESIGN.md API table; graph-protocol.md §4.1, §4.3, §4.4):
//   POST /webhooks/graph/notifications   change notifications (basic or rich)
//   POST /webhooks/graph/lifecycle       lifecycle notifications (reauthorizationRequired, ...)
// No session or bearer token: Graph authenticates each notification by its clientState, which
// the NotificationGate checks together with the subscription id.
//
// What each POST gets:
//  * `?validationToken=…` (the subscription handshake, on either path): 200 text/plain with the
//    URL-decoded token, nothing stored. An empty token, or one over max_validation_token_bytes,
//    is 400 (the subscription is then not created, which is right for such a request).
//  * a body over max_body_bytes: 413. Not a notification collection (decode_notifications /
//    decode_lifecycle_notifications refuse it): 400 {"error":{"code":"invalid_input",…}} naming
//    where the body is wrong.
//  * otherwise each notification is put to NotificationGate::decide(); one of a subscription the
//    gate does not know is asked again after GateReload::reload_gate() (when options name one:
//    the subscription may have been created by another instance since the gate was loaded);
//    refused ones are dropped
//    and counted by reason. Those admitted are grouped per (organisation, kind) into one
//    InboxEntry each, with the collection's validationTokens, and appended durably; then
//    NotificationGate::stored(org) is called for each stored entry, and the answer is 202.
//    A collection in which nothing was admitted also gets 202: Graph's contract is "drop it and
//    still answer 2xx" (§4.3), and the answer must not tell a forger which check failed, nor
//    invite Graph to retry a post that can never be stored. If any append fails: 503 (Graph
//    retries; entries already stored are then delivered twice, which processing tolerates:
//    sequenceNumber and duplicates, DESIGN.md), never 202 for something not stored.
//
// Metrics (registered on `metrics` at registration):
//   graph_webhook_validations_total{endpoint}
//   graph_webhook_notifications_received_total{endpoint}
//   graph_webhook_notifications_rejected_total{reason=unknown_subscription|client_state|unspecified}
//   graph_webhook_notifications_stored_total{endpoint}
//   graph_webhook_requests_refused_total{reason=bad_validation_token|too_large|malformed|store_failed}
//   graph_webhook_store_seconds   time from the first append to the last commit of a request
//
// Beast and Asio stay out of this header.

#include <cstddef>
#include <string_view>

namespace ccteams {
class Clock;
class GateReload;
class Metrics;
class NotificationGate;
class PresenceInbox;
}  // namespace ccteams

namespace ccteams::http {

class Router;

inline constexpr std::string_view kGraphNotificationsPath = "/webhooks/graph/notifications";
inline constexpr std::string_view kGraphLifecyclePath = "/webhooks/graph/lifecycle";

struct GraphWebhookOptions {
  // Graph documents no maximum collection size; rich presence items are about 1-2 KB, so this
  // holds a few hundred of them. The server's ServerOptions::body_limit applies first: keep it
  // at least this large, or the server answers 413 itself (the same status, without the count).
  std::size_t max_body_bytes = 512 * 1024;
  // Graph's tokens are short opaque strings; anything longer is not Graph.
  std::size_t max_validation_token_bytes = 4096;
  // Asked to reload the gate after it missed a subscription; not owned; null: a miss is final.
  GateReload* gate_reload = nullptr;
};

// inbox, gate, clock and metrics are not owned and must outlive the router and every request.
void register_graph_webhook_routes(Router& router, PresenceInbox& inbox, NotificationGate& gate,
                                   const Clock& clock, Metrics& metrics,
                                   const GraphWebhookOptions& options = {});

}  // namespace ccteams::http
