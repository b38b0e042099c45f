#include "app/presence_sync.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>

#include "app/connector_service.hpp"
#include "app/log_escaped.hpp"
#include "app/org_actors.hpp"
#include "app/ports/org_ownership.hpp"
#include "app/presence/org_sync.hpp"

namespace ccteams {

namespace asio = boost::asio;

using presence::OrgSync;

Result<void> validate(const PresenceSyncOptions& o) {
  if (auto r = sync::validate(o.budget); !r) return r;
  if (auto r = sync::validate(o.poll); !r) return r;
  if (auto r = sync::validate(o.coalescer); !r) return r;
  if (auto r = sync::validate(o.outbound); !r) return r;
  if (auto r = sync::validate(o.subscriptions); !r) return r;
  if (o.watch_refresh <= Millis{0}) {
    return make_error(Errc::invalid_input, "presence_sync.watch_refresh must be positive");
  }
  if (o.subscription_check <= Millis{0}) {
    return make_error(Errc::invalid_input, "presence_sync.subscription_check must be positive");
  }
  if (o.subscription_probe < Millis{0}) {
    return make_error(Errc::invalid_input,
                      "presence_sync.subscription_probe must be 0 (never) or positive");
  }
  if (o.max_reads_in_flight == 0 || o.max_writes_in_flight == 0) {
    return make_error(Errc::invalid_input,
                      "presence_sync: reads and writes in flight must be >= 1");
  }
  return ok();
}

// What every organisation's sync shares (presence/org_sync.hpp), and the registry of
// organisations: a mutex over the map only (the organisations' own state lives on their
// strands).
struct PresenceSync::Shared : presence::SyncServices {
  using SyncServices::SyncServices;
  std::mutex mu;  // guards orgs, started, stopped, gate_reload
  std::unordered_map<OrgId, std::shared_ptr<OrgSync>> orgs;
  bool started = false;
  bool stopped = false;
  // The gate's reloads after a miss in the current one-second window (reload_gate).
  struct {
    Timestamp window_start{};
    int in_window = 0;
  } gate_reload;
};

namespace {

// Runs fn(sync) on sync's strand.
template <class F>
void post_to(const std::shared_ptr<OrgSync>& sync, F fn) {
  asio::post(sync->strand(), [sync, fn = std::move(fn)]() mutable { fn(*sync); });
}

}  // namespace

PresenceSync::PresenceSync(OrgActors& actors, Scheduler& scheduler, ConnectorService& connector,
                           ContactCenter& cc, presence::PresenceGraph graph,
                           SyncAccountService& account_tokens, Store& store,
                           const TokenSource& tokens, const Clock& clock, Metrics& metrics,
                           NotificationDecryptor* decryptor, PresenceSyncOptions options,
                           const OrgOwnership& ownership)
    : shared_(std::make_shared<Shared>(actors, scheduler, connector, cc, graph, account_tokens,
                                       store, tokens, clock, metrics, decryptor,
                                       std::move(options), ownership)) {}

PresenceSync::~PresenceSync() { stop(); }

asio::awaitable<Result<void>> PresenceSync::start(NotificationUrls urls) {
  if (auto r = validate(shared_->options); !r) co_return r;
  shared_->urls = std::move(urls);
  PresenceHooks hooks;
  hooks.teams_effect = [this](OrgId org, const AgentEffect& effect) {
    if (auto sync = find(org)) post_to(sync, [effect](OrgSync& s) { s.on_effect(effect); });
  };
  hooks.login = [this](OrgId org, UserId, bool) {
    if (auto sync = find(org)) post_to(sync, [](OrgSync& s) { s.agent_logged_in_or_out(); });
  };
  shared_->cc.set_presence_hooks(std::move(hooks));
  auto list = [](Stores& s) { return s.subscriptions().list_all_subscriptions(); };
  auto subs = co_await shared_->store.run(list);
  if (!subs) co_return std::move(subs).error();
  shared_->gate.load(*subs);
  shared_->metrics.subscriptions.set(static_cast<double>(subs->size()));
  auto orgs = co_await shared_->connector.active_orgs();
  if (!orgs) co_return std::move(orgs).error();
  {
    std::lock_guard lock(shared_->mu);
    shared_->started = true;
  }
  for (OrgId org : *orgs) co_await reconcile(org);
  co_return ok();
}

void PresenceSync::stop() {
  std::unordered_map<OrgId, std::shared_ptr<OrgSync>> orgs;
  {
    std::lock_guard lock(shared_->mu);
    if (shared_->stopped) return;
    shared_->stopped = true;
    orgs.swap(shared_->orgs);
  }
  for (auto& [org, sync] : orgs) sync->stop();
}

void PresenceSync::org_gained(OrgId org) { connector_changed(org); }

void PresenceSync::org_lost(OrgId org) {
  std::shared_ptr<OrgSync> sync;
  {
    std::lock_guard lock(shared_->mu);
    auto it = shared_->orgs.find(org);
    if (it == shared_->orgs.end()) return;
    sync = std::move(it->second);
    shared_->orgs.erase(it);
  }
  spdlog::info("presence sync: org {}: stopped (served elsewhere now)", org.value);
  sync->stop();
}

std::shared_ptr<OrgSync> PresenceSync::find(OrgId org) {
  std::lock_guard lock(shared_->mu);
  auto it = shared_->orgs.find(org);
  return it == shared_->orgs.end() ? nullptr : it->second;
}

asio::awaitable<void> PresenceSync::reconcile(OrgId org) {
  auto active = co_await shared_->connector.active(org);
  const bool wanted = active && active->presence_sync;
  auto existing = find(org);
  if (wanted && !existing) {
    start_org(org);
  } else if (!wanted && existing) {
    asio::co_spawn(
        shared_->actors.executor(),
        [this, org]() -> asio::awaitable<void> { co_await switch_off(org, false); },
        LogEscaped{"presence sync: switching off"});
  } else if (existing) {
    post_to(existing, [](OrgSync& s) { s.settings_changed(); });
  }
}

void PresenceSync::start_org(OrgId org) {
  std::shared_ptr<OrgSync> sync;
  {
    std::lock_guard lock(shared_->mu);
    if (shared_->stopped || !shared_->started || shared_->orgs.contains(org)) return;
    // With [cluster], only the organisation's owner syncs it (org_gained() starts it there).
    if (!shared_->ownership.serves(org)) return;
    // The registry forgets a sync that switched itself off (unless another replaced it).
    std::weak_ptr<Shared> weak = shared_;
    auto forget = [weak, org](const std::shared_ptr<OrgSync>& self) {
      auto shared = weak.lock();
      if (!shared) return;
      std::lock_guard registry(shared->mu);
      auto it = shared->orgs.find(org);
      if (it != shared->orgs.end() && it->second == self) shared->orgs.erase(it);
    };
    sync = std::make_shared<OrgSync>(shared_, org, std::move(forget));
    shared_->orgs.emplace(org, sync);
  }
  spdlog::info("presence sync: org {}: starting", org.value);
  sync->start();
}

asio::awaitable<std::string> PresenceSync::switch_off(OrgId org, bool deleting) {
  std::shared_ptr<OrgSync> sync = find(org);
  std::string summary;
  if (sync) {
    auto on_strand = asio::co_spawn(sync->strand(), sync->shut_down(deleting), asio::use_awaitable);
    summary = co_await std::move(on_strand);
    std::lock_guard lock(shared_->mu);
    auto it = shared_->orgs.find(org);
    if (it != shared_->orgs.end() && it->second == sync) shared_->orgs.erase(it);
  } else if (deleting) {
    // Not running (sync was off): remove what may be left from an earlier run, in one job.
    struct Leftovers {
      std::vector<std::string> forgotten;                      // subscription ids
      std::vector<std::pair<std::string, Error>> failures;    // what failed, why
    };
    auto forget = [&](Stores& s) {
      Leftovers out;
      if (auto subs = s.subscriptions().list_subscriptions(org)) {
        for (const auto& rec : *subs) {
          if (auto r = s.subscriptions().delete_subscription(rec.id); !r) {
            out.failures.emplace_back("forgetting subscription " + rec.id, r.error());
          }
          out.forgotten.push_back(rec.id);
        }
      }
      if (auto r = s.inbox().clear(org); !r) {
        out.failures.emplace_back("clearing the inbox", r.error());
      }
      return out;
    };
    Leftovers left = co_await shared_->store.run(forget);
    for (const auto& [what, e] : left.failures) shared_->store_failed(org, what, e);
    for (const auto& id : left.forgotten) shared_->gate.erase(id);
    const std::size_t n = left.forgotten.size();
    summary =
        std::to_string(n) + " stored presence subscription" + (n == 1 ? "" : "s") + " forgotten";
  }
  spdlog::info("presence sync: org {}: switched off{}", org.value,
               summary.empty() ? "" : ": " + summary);
  co_return summary;
}

asio::awaitable<PresenceSyncStatus> PresenceSync::status(OrgId org) {
  auto sync = find(org);
  if (!sync) co_return PresenceSyncStatus{};
  // Locals, not temporaries inside the co_await: GCC 12 may destroy a captured temporary twice.
  auto read = [sync]() -> asio::awaitable<PresenceSyncStatus> { co_return sync->status(); };
  auto on_strand = asio::co_spawn(sync->strand(), std::move(read), asio::use_awaitable);
  PresenceSyncStatus s = co_await std::move(on_strand);
  co_return s;
}

asio::awaitable<void> PresenceSync::connector_active(OrgId org, std::string) {
  if (auto existing = find(org)) {
    post_to(existing, [](OrgSync& s) { s.reauthorized(); });
    co_return;
  }
  co_await reconcile(org);
}

asio::awaitable<void> PresenceSync::connector_inactive(OrgId org) {
  co_await switch_off(org, false);
}

asio::awaitable<Result<std::string>> PresenceSync::remove_connector_artefacts(OrgId org,
                                                                              std::string) {
  std::string summary = co_await switch_off(org, true);
  co_return summary.empty() ? std::string("no presence subscriptions") : summary;
}

void PresenceSync::connector_changed(OrgId org) {
  {
    std::lock_guard lock(shared_->mu);
    if (!shared_->started || shared_->stopped) return;
  }
  asio::co_spawn(shared_->actors.executor(), reconcile(org),
                 LogEscaped{"presence sync: following the connector"});
}

std::optional<OrgId> PresenceSync::admit(std::string_view subscription_id,
                                         std::string_view client_state) {
  return decide(subscription_id, client_state).org;
}

GateDecision PresenceSync::decide(std::string_view subscription_id, std::string_view client_state) {
  return shared_->gate.decide(subscription_id, client_state);
}

// A miss may be a subscription another instance created since this gate was loaded (the owner
// creates them); the webhook asks again after this. The rate limit is a window of one second
// on the clock port: a miss beyond it stays a miss (forged posts must not become a stream of
// store reads).
asio::awaitable<bool> PresenceSync::reload_gate() {
  {
    std::lock_guard lock(shared_->mu);
    if (!shared_->started || shared_->stopped) co_return false;
    auto& r = shared_->gate_reload;
    const Timestamp now = shared_->clock.now();
    if (now - r.window_start >= Millis{1000}) {
      r.window_start = now;
      r.in_window = 0;
    }
    if (r.in_window >= kGateReloadsPerSecond) co_return false;
    ++r.in_window;
  }
  auto list = [](Stores& s) { return s.subscriptions().list_all_subscriptions(); };
  auto subs = co_await shared_->store.run(list);
  if (!subs) {
    spdlog::warn("presence sync: the webhook's gate could not be reloaded: {}",
                 subs.error().message);
    co_return false;
  }
  shared_->gate.load(*subs);
  co_return true;
}

void PresenceSync::inbox_grown(OrgId org) {
  if (auto sync = find(org)) post_to(sync, [](OrgSync& s) { s.inbox_grown(); });
}

void PresenceSync::stored(InboxEntry entry) {
  if (auto sync = find(entry.org)) {
    post_to(sync, [e = std::move(entry)](OrgSync& s) mutable { s.handed(std::move(e)); });
  }
}

}  // namespace ccteams
