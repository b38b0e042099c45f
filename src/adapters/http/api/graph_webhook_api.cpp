// Handlers of the Graph webhook (see graph_webhook_api.hpp).
#include "adapters/http/api/graph_webhook_api.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <spdlog/spdlog.h>
#include <utility>

#include "adapters/graph/graph_json.hpp"
#include "adapters/http/router.hpp"
#include "app/metrics.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/gate_reload.hpp"
#include "app/ports/presence_sync_store.hpp"

namespace ccteams::http {

namespace {

enum class Endpoint { notifications, lifecycle };

struct EndpointMetrics {
  Counter* validations = nullptr;
  Counter* received = nullptr;
  Counter* stored = nullptr;
};

struct Webhook {
  PresenceInbox& inbox;
  NotificationGate& gate;
  const Clock& clock;
  GraphWebhookOptions options;
  EndpointMetrics notifications;
  EndpointMetrics lifecycle;
  Counter* rejected_unknown_subscription = nullptr;
  Counter* rejected_client_state = nullptr;
  Counter* rejected_unspecified = nullptr;
  Counter* refused_token = nullptr;
  Counter* refused_too_large = nullptr;
  Counter* refused_malformed = nullptr;
  Counter* refused_store = nullptr;
  Histogram* store_seconds = nullptr;

  EndpointMetrics& metrics_of(Endpoint e) {
    return e == Endpoint::lifecycle ? lifecycle : notifications;
  }
  Counter& rejected(GateRejection why) {
    switch (why) {
      case GateRejection::unknown_subscription:
        return *rejected_unknown_subscription;
      case GateRejection::client_state:
        return *rejected_client_state;
      case GateRejection::unspecified:
        break;
    }
    return *rejected_unspecified;
  }
};

EndpointMetrics endpoint_metrics(Metrics& m, const char* endpoint) {
  const Labels labels{{"endpoint", endpoint}};
  return EndpointMetrics{
      &m.counter("graph_webhook_validations_total",
                 "Graph subscription validation handshakes answered", labels),
      &m.counter("graph_webhook_notifications_received_total",
                 "Notifications in well-formed Graph webhook posts", labels),
      &m.counter("graph_webhook_notifications_stored_total",
                 "Notifications admitted and durably stored in the presence inbox", labels)};
}

Counter& rejected_counter(Metrics& m, const char* reason) {
  return m.counter("graph_webhook_notifications_rejected_total",
                   "Notifications dropped by the gate (unknown subscription, wrong clientState)",
                   {{"reason", reason}});
}

Counter& refused_counter(Metrics& m, const char* reason) {
  return m.counter("graph_webhook_requests_refused_total",
                   "Graph webhook posts answered with an error status", {{"reason", reason}});
}

Response handshake(Webhook& w, Endpoint endpoint, const std::string& token) {
  if (token.empty() || token.size() > w.options.max_validation_token_bytes) {
    w.refused_token->inc();
    return error_response(make_error(Errc::invalid_input, "validationToken is empty or too long"));
  }
  w.metrics_of(endpoint).validations->inc();
  // text/plain (and the server's nosniff) keeps the echoed token from being read as markup.
  return text_response(200, "text/plain", token);
}

boost::asio::awaitable<Response> receive(Webhook& w, Endpoint endpoint, Request& req) {
  if (auto token = req.query_param("validationToken")) co_return handshake(w, endpoint, *token);

  // The server's own limit bounds what was read; this one keeps the inbox's rows bounded.
  if (req.body.size() > w.options.max_body_bytes) {
    w.refused_too_large->inc();
    co_return error_response(make_error(Errc::payload_too_large,
                                        "notification collection over " +
                                            std::to_string(w.options.max_body_bytes) + " bytes"));
  }
  auto decoded = endpoint == Endpoint::lifecycle ? graph::decode_lifecycle_notifications(req.body)
                                                 : graph::decode_notifications(req.body);
  if (!decoded) {
    w.refused_malformed->inc();
    co_return error_response(make_error(
        Errc::invalid_input, "not a Graph notification collection: " + decoded.error().message));
  }
  NotificationBatch& batch = *decoded;
  auto& counters = w.metrics_of(endpoint);
  counters.received->inc(batch.notifications.size());

  // One entry per organisation and kind: one POST may mix tenants (so organisations), and the
  // notification URL may receive lifecycle items too.
  const Timestamp received_at = w.clock.now();
  std::map<std::pair<std::int64_t, InboxKind>, InboxEntry> entries;
  bool reloaded = false;  // at most one reload per request
  for (auto& n : batch.notifications) {
    GateDecision decision = w.gate.decide(n.subscription_id, n.client_state.value_or(""));
    if (!decision.org && decision.rejection == GateRejection::unknown_subscription &&
        w.options.gate_reload != nullptr && !reloaded) {
      reloaded = true;
      const bool fresh = co_await w.options.gate_reload->reload_gate();
      if (fresh) decision = w.gate.decide(n.subscription_id, n.client_state.value_or(""));
    }
    if (!decision.org) {
      w.rejected(decision.rejection).inc();
      continue;
    }
    const InboxKind kind = n.lifecycle_event ? InboxKind::lifecycle : InboxKind::change;
    auto [it, fresh] = entries.try_emplace({decision.org->value, kind});
    if (fresh) {
      it->second.org = *decision.org;
      it->second.kind = kind;
      it->second.received_at = received_at;
    }
    it->second.batch.notifications.push_back(std::move(n));
  }

  // Sequential appends still share commits with every other request in flight (group commit);
  // a post spanning several organisations is the exception.
  const auto started = std::chrono::steady_clock::now();
  bool all_stored = true;
  for (auto& [key, entry] : entries) {
    const OrgId org = entry.org;
    const std::size_t count = entry.batch.notifications.size();
    entry.batch.validation_tokens = batch.validation_tokens;
    InboxEntry handed = entry;  // for presence sync once stored: it need not read it back
    auto seq = co_await w.inbox.append(std::move(entry));
    if (!seq) {
      spdlog::warn("graph webhook: {} notification(s) of org {} not stored: {}", count, org.value,
                   seq.error().message);
      all_stored = false;
      continue;
    }
    counters.stored->inc(count);
    handed.seq = *seq;
    w.gate.stored(std::move(handed));
  }
  if (!entries.empty()) {
    w.store_seconds->observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  if (!all_stored) {
    w.refused_store->inc();
    co_return error_response(
        make_error(Errc::unavailable, "notifications could not be stored; retry later", 1));
  }
  co_return empty_response(202);
}

}  // namespace

void register_graph_webhook_routes(Router& router, PresenceInbox& inbox, NotificationGate& gate,
                                   const Clock& clock, Metrics& metrics,
                                   const GraphWebhookOptions& options) {
  auto w = std::make_shared<Webhook>(Webhook{inbox, gate, clock, options, {}, {}});
  w->notifications = endpoint_metrics(metrics, "notifications");
  w->lifecycle = endpoint_metrics(metrics, "lifecycle");
  w->rejected_unknown_subscription = &rejected_counter(metrics, "unknown_subscription");
  w->rejected_client_state = &rejected_counter(metrics, "client_state");
  w->rejected_unspecified = &rejected_counter(metrics, "unspecified");
  w->refused_token = &refused_counter(metrics, "bad_validation_token");
  w->refused_too_large = &refused_counter(metrics, "too_large");
  w->refused_malformed = &refused_counter(metrics, "malformed");
  w->refused_store = &refused_counter(metrics, "store_failed");
  w->store_seconds = &metrics.histogram(
      "graph_webhook_store_seconds",
      "Time to store a Graph webhook post durably (first append to last commit)",
      Metrics::default_latency_buckets());

  router.add("POST", kGraphNotificationsPath, [w](Request& req) {
    return receive(*w, Endpoint::notifications, req);
  });
  router.add("POST", kGraphLifecyclePath, [w](Request& req) {
    return receive(*w, Endpoint::lifecycle, req);
  });
}

}  // namespace ccteams::http
