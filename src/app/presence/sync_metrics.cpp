#include "app/presence/sync_metrics.hpp"

namespace ccteams::presence {

SyncMetrics::SyncMetrics(Metrics& m)
    : delay_poll(m.histogram("presence_sync_apply_delay_seconds",
                             "From the start of the read that saw a Teams change (poll) or "
                             "from storing its notification (notification) to the agent's "
                             "state applied",
                             Metrics::default_latency_buckets(), {{"channel", "poll"}})),
      delay_notification(m.histogram("presence_sync_apply_delay_seconds", "",
                                     Metrics::default_latency_buckets(),
                                     {{"channel", "notification"}})),
      reads_ok(m.counter("presence_sync_graph_calls_total", "Presence calls to Graph by result",
                         {{"call", "getPresencesByUserId"}, {"result", "ok"}})),
      reads_failed(m.counter("presence_sync_graph_calls_total", "",
                             {{"call", "getPresencesByUserId"}, {"result", "error"}})),
      writes_ok(m.counter("presence_sync_graph_calls_total", "",
                          {{"call", "setPresence/clearPresence"}, {"result", "ok"}})),
      writes_failed(m.counter("presence_sync_graph_calls_total", "",
                              {{"call", "setPresence/clearPresence"}, {"result", "error"}})),
      subscription_calls_ok(m.counter("presence_sync_graph_calls_total", "",
                                      {{"call", "subscriptions"}, {"result", "ok"}})),
      subscription_calls_failed(m.counter("presence_sync_graph_calls_total", "",
                                          {{"call", "subscriptions"}, {"result", "error"}})),
      throttles(m.counter("presence_sync_throttled_total",
                          "Presence calls Graph answered with 429 (or 503 Retry-After)")),
      notifications(m.counter("presence_sync_notifications_processed_total",
                              "Change notifications taken from the inbox")),
      lifecycle(m.counter("presence_sync_lifecycle_notifications_total",
                          "Lifecycle notifications taken from the inbox")),
      state_changes(m.counter("presence_sync_agent_state_changes_total",
                              "Agent states changed by Teams presence")),
      subscriptions(m.gauge("presence_sync_subscriptions", "Presence subscriptions held")),
      subscriptions_created(m.counter("presence_sync_subscription_changes_total",
                                      "Subscriptions created, renewed, deleted, lost",
                                      {{"change", "created"}})),
      subscriptions_renewed(
          m.counter("presence_sync_subscription_changes_total", "", {{"change", "renewed"}})),
      subscriptions_deleted(
          m.counter("presence_sync_subscription_changes_total", "", {{"change", "deleted"}})),
      subscriptions_lost(m.counter("presence_sync_subscription_changes_total", "",
                                   {{"change", "expired_or_removed"}})),
      rich_decrypted(m.counter("presence_sync_rich_notifications_total",
                               "Rich notification batches, decrypted or read back in bulk",
                               {{"result", "decrypted"}})),
      rich_fallback(
          m.counter("presence_sync_rich_notifications_total", "", {{"result", "fallback_read"}})),
      first_sync(m.histogram("presence_sync_first_sync_seconds",
                             "Time to read and apply everyone's presence when sync starts",
                             Metrics::default_latency_buckets())),
      store_failures(m.counter("presence_sync_store_failures_total",
                               "Presence-sync store calls that failed (logged; retried by the "
                               "next pass where one follows)")) {}

}  // namespace ccteams::presence
