#pragma once
// The subscription keeper (presence_sync.hpp, "subscriptions"): sync::plan_subscriptions over
// the sync accounts' healthy tokens, carried out (create before delete when a spare account
// allows), renewed before expiry, recreated after a failed reauthorization or a removal;
// checked every `check` and soon after the watch set changes. Lifecycle events
// (reauthorizationRequired, subscriptionRemoved) land here; Graph sends none when it deletes a
// presence subscription, so every `probe` the stored ones are read back and a missing one is
// recreated. A delegated call refused with 401 is made once more with a refreshed token. The
// gate's entries follow every create and delete. clientState is a fresh token per
// subscription; only its digest is kept.
//
// Thread-safety: none; the organisation's strand drives it (OrgLoop). Store work is awaited
// (Store::run): a read and the write it decides are one job.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/ports/graph_subscriptions.hpp"
#include "app/ports/notification_decryptor.hpp"
#include "app/ports/store.hpp"
#include "app/ports/token_source.hpp"
#include "app/presence/org_loop.hpp"
#include "app/presence/subscription_gate.hpp"
#include "app/presence/sync_metrics.hpp"
#include "core/result.hpp"
#include "core/sync_subscriptions.hpp"

namespace ccteams::presence {

struct SubscriptionKeeperDeps {
  OrgLoop& loop;
  GraphSubscriptions& graph;
  Store& store;  // the sync accounts and the stored subscriptions
  // A sync account's delegated access token (SyncAccountService::access_token for this org).
  std::function<boost::asio::awaitable<Result<std::string>>(SyncAccountId)> access_token;
  // After Graph answered 401 for the token (the second argument): a fresh one
  // (SyncAccountService::access_token_refused; a refused refresh fails the account).
  std::function<boost::asio::awaitable<Result<std::string>>(SyncAccountId, std::string)>
      refreshed_token;
  const TokenSource& tokens;
  SubscriptionGate& gate;
  NotificationDecryptor* decryptor;  // nullable: basic notifications
  SyncMetrics& metrics;
  OrgId org;
  struct Urls {
    std::string notification, lifecycle;  // empty notification: no subscriptions
  } urls;
  Millis check{60'000};
  // Each stored subscription is read from Graph this often (GET /subscriptions/{id}) and one
  // Graph no longer knows is subscribed again: Graph sends no lifecycle event when it deletes a
  // presence subscription. 0: never.
  Millis probe{180'000};
  sync::SubscriptionPlanConfig plan;
  // The watched Teams users, sorted.
  std::function<std::vector<std::string>()> watched;
};

class SubscriptionKeeper {
 public:
  explicit SubscriptionKeeper(SubscriptionKeeperDeps deps) : d_(std::move(deps)) {}

  void set_tenant(std::string tenant) { tenant_ = std::move(tenant); }
  // Starts a pass when one is due at t (none runs); `sooner` hears when the next falls due.
  void step(Timestamp t, const std::function<void(Timestamp)>& sooner);
  // The watch set changed: a pass by `at` (debounced: many log-ins make one repacking).
  void due_by(Timestamp at) {
    if (due_ > at) due_ = at;
  }
  // reauthorization_required or subscription_removed (other events are not the keeper's).
  void on_lifecycle(LifecycleEvent event, const std::string& subscription_id);
  // Switching off: deletes every subscription of the org (in Graph, best effort, and here).
  // Returns (deleted, could not be deleted in Graph).
  boost::asio::awaitable<std::pair<std::size_t, std::size_t>> delete_all();

  // What the status shows; re-read after each change to the stored subscriptions.
  boost::asio::awaitable<void> refresh_summary();
  const std::string& coverage() const { return coverage_; }
  std::size_t count() const { return count_; }
  std::optional<Timestamp> next_expiry() const { return next_expiry_; }

 private:
  boost::asio::awaitable<void> maintain_subscriptions();
  boost::asio::awaitable<void> maintain_once();
  // Reads every healthy stored subscription from Graph; marks those it answers 404 for removed.
  boost::asio::awaitable<void> probe_subscriptions();
  // Calls Graph with the account's delegated token; on a 401 once more with a fresh token.
  template <class T>
  boost::asio::awaitable<GraphResult<T>> delegated(
      SyncAccountId account, std::string token,
      std::function<GraphAsync<T>(std::string token)> call);
  boost::asio::awaitable<Timestamp> next_maintenance();
  boost::asio::awaitable<void> create(const sync::CreateSubscription& c);
  boost::asio::awaitable<bool> remove(const std::string& id, SyncAccountId account,
                                      bool best_effort);
  boost::asio::awaitable<void> renew(PresenceSubscriptionRecord rec, Timestamp expiration);
  boost::asio::awaitable<void> reauthorize(std::string id);
  boost::asio::awaitable<std::optional<PresenceSubscriptionRecord>> record_of(std::string id);
  // The stored record's health (read and written in one job); then the summary.
  boost::asio::awaitable<void> set_health(std::string id, StoredSubscriptionHealth h);
  // subscriptionRemoved: marked, then a pass at once recreates it.
  boost::asio::awaitable<void> removed(std::string id);
  boost::asio::awaitable<Result<std::vector<PresenceSubscriptionRecord>>> list();
  // Deletes the stored record (logged and counted when the store fails).
  boost::asio::awaitable<void> forget(std::string id, const char* what);
  void store_failed(const std::string& what, const Error& e);

  SubscriptionKeeperDeps d_;
  std::string tenant_;
  Timestamp due_{};        // the first pass at once
  Timestamp probe_due_{};  // the first pass probes (subscriptions deleted while we were down)
  bool busy_ = false;
  std::string coverage_;
  std::size_t count_ = 0;
  std::optional<Timestamp> next_expiry_;
};

}  // namespace ccteams::presence
