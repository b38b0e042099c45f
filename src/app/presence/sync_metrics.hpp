#pragma once
// Presence sync's metrics (names and help texts are what ops/ dashboards and alerts read).

#include "app/metrics.hpp"

namespace ccteams::presence {

struct SyncMetrics {
  explicit SyncMetrics(Metrics& m);
  Histogram& delay_poll;
  Histogram& delay_notification;
  Counter& reads_ok;
  Counter& reads_failed;
  Counter& writes_ok;
  Counter& writes_failed;
  Counter& subscription_calls_ok;
  Counter& subscription_calls_failed;
  Counter& throttles;
  Counter& notifications;
  Counter& lifecycle;
  Counter& state_changes;
  Gauge& subscriptions;
  Counter& subscriptions_created;
  Counter& subscriptions_renewed;
  Counter& subscriptions_deleted;
  Counter& subscriptions_lost;
  Counter& rich_decrypted;
  Counter& rich_fallback;
  Histogram& first_sync;
  Counter& store_failures;
};

}  // namespace ccteams::presence
