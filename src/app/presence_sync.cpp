#include "app/presence_sync.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <map>
#include <set>
#include <unordered_set>

#include "app/connector_service.hpp"
#include "app/contact_center.hpp"
#include "app/alarm.hpp"
#include "app/log_escaped.hpp"
#include "app/metrics.hpp"
#include "app/presence/graph_outcomes.hpp"
#include "app/presence/inbox_tracker.hpp"
#include "app/presence/org_loop.hpp"
#include "app/presence/outbound_writer.hpp"
#include "app/presence/subscription_gate.hpp"
#include "app/presence/subscription_keeper.hpp"
#include "app/presence/sync_metrics.hpp"
#include "app/org_actors.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/contact_center_store.hpp"
#include "app/ports/graph.hpp"
#include "app/ports/notification_decryptor.hpp"
#include "app/ports/sync_account_store.hpp"
#include "app/ports/token_source.hpp"
#include "app/sync_account_service.hpp"
#include "core/presence.hpp"

namespace ccteams {

namespace asio = boost::asio;

using presence::authorization_failure;
using presence::retry_after;

namespace {

double seconds_between(Timestamp from, Timestamp to) {
  return std::chrono::duration<double>(to - from).count();
}

// A log-in or log-out is taken into the watch set this long after it (see hooks.login).
constexpr Millis kLoginRefreshDelay{250};

}  // namespace

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
  if (o.max_reads_in_flight == 0 || o.max_writes_in_flight == 0) {
    return make_error(Errc::invalid_input, "presence_sync: reads and writes in flight must be >= 1");
  }
  return ok();
}

// ---- shared state ---------------------------------------------------------------------------


// The contact-center calls presence sync makes, each in this one place: synchronous calls made
// from the organisation's strand (the contact center's organisation state lives there too).
class ContactCenterCalls {
 public:
  explicit ContactCenterCalls(ContactCenter& cc) : cc_(cc) {}
  Result<std::vector<AgentStateView>> agent_states(OrgId org) { return cc_.agent_states_on_strand(org); }
  Result<void> set_sync_enabled(OrgId org, const std::vector<UserId>& agents, bool enabled) {
    return cc_.set_sync_enabled(org, agents, enabled);
  }
  Result<PresenceApplyReport> apply_presences(OrgId org, std::vector<AgentPresenceUpdate> updates,
                                              const PresenceMapping& mapping) {
    return cc_.apply_presences(org, std::move(updates), mapping);
  }
  Result<void> teams_busy_cleared(OrgId org, UserId agent, Timestamp at) {
    return cc_.teams_busy_cleared(org, agent, at);
  }
  void set_presence_hooks(PresenceHooks hooks) { cc_.set_presence_hooks(std::move(hooks)); }

 private:
  ContactCenter& cc_;
};

struct PresenceSync::Shared {
  OrgActors& actors;
  Scheduler& scheduler;
  ConnectorService& connector;
  ContactCenterCalls cc;
  ContactCenterStore& cc_store;
  GraphClient& graph;
  SyncAccountStore& accounts;
  SyncAccountService& account_tokens;
  PresenceSubscriptionStore& subscriptions;
  PresenceInbox& inbox;
  const TokenSource& tokens;
  const Clock& clock;
  presence::SyncMetrics metrics;
  PresenceSyncOptions options;
  NotificationDecryptor* const decryptor;
  NotificationUrls urls;  // given to start(), before any org runs

  // The registry of organisations: a mutex over the map only (the organisations' own state
  // lives on their strands).
  std::mutex mu;  // guards orgs, started, stopped
  std::unordered_map<OrgId, std::shared_ptr<OrgSync>> orgs;
  bool started = false;
  bool stopped = false;

  // The subscription gate: looked up across organisations by subscription id from the
  // webhook's threads; it keeps a mutex over its maps only (no organisation state behind it).
  presence::SubscriptionGate gate;

  Shared(OrgActors& ac, Scheduler& sc, ConnectorService& c, ContactCenter& cc_,
         ContactCenterStore& s, GraphClient& g, SyncAccountStore& a, SyncAccountService& at,
         PresenceSubscriptionStore& subs, PresenceInbox& in, const TokenSource& t,
         const Clock& cl, Metrics& m, NotificationDecryptor* d, PresenceSyncOptions o)
      : actors(ac), scheduler(sc), connector(c), cc(cc_), cc_store(s), graph(g), accounts(a),
        account_tokens(at), subscriptions(subs), inbox(in), tokens(t), clock(cl), metrics(m),
        options(std::move(o)), decryptor(d), gate(t) {}

  // A store call that failed where nothing retries it at once: logged and counted.
  void store_failed(OrgId org, std::string_view what, const Error& e) {
    metrics.store_failures.inc();
    spdlog::warn("presence sync: org {}: {} failed: {}", org.value, what, e.message);
  }
};

// ---- one organisation -----------------------------------------------------------------------

struct PresenceSync::OrgSync : std::enable_shared_from_this<OrgSync>, presence::OrgLoop {
  OrgSync(std::shared_ptr<Shared> sh, OrgId o)
      : shared(std::move(sh)), org(o), strand(shared->actors.strand(o)),
        alarm(strand, shared->scheduler), drain_pause(strand, shared->scheduler),
        budget(shared->options.budget), poll(shared->options.poll, budget),
        coalescer(shared->options.coalescer),
        outbound(presence::OutboundWriterDeps{
            *this, shared->graph, budget, shared->metrics, o, shared->options.client_id,
            shared->options.outbound, shared->options.max_writes_in_flight,
            [this](UserId agent) -> std::optional<std::string> {
              auto it = teams_of.find(agent);
              if (it == teams_of.end()) return std::nullopt;
              return it->second;
            },
            [this](UserId agent, Timestamp at) {
              return shared->cc.teams_busy_cleared(org, agent, at);
            }}),
        inbox(shared->inbox, o, shared->metrics),
        keeper(presence::SubscriptionKeeperDeps{
            *this,
            shared->graph,
            shared->accounts,
            [this](SyncAccountId account) {
              return shared->account_tokens.access_token(org, account);
            },
            shared->subscriptions,
            shared->tokens,
            shared->gate,
            shared->decryptor,
            shared->metrics,
            o,
            {shared->urls.notification, shared->urls.lifecycle},
            shared->options.subscription_check,
            shared->options.subscriptions,
            [this] { return watched_ids(); }}) {}

  std::shared_ptr<Shared> shared;
  OrgId org;
  asio::any_io_executor strand;  // the organisation's (OrgActors)
  Alarm alarm;                    // the loop's wait: the next due time, or wake()
  Alarm drain_pause;              // switching off: the outbound queue drains
  bool stopped = false;   // the loop ends
  bool stopping = false;  // switching off: only outbound clears go on

  std::string tenant;
  PresenceMapping mapping;
  sync::PresenceBudget budget;
  sync::PollScheduler poll;
  sync::NotificationCoalescer coalescer;
  presence::OutboundWriter outbound;

  // The watch set.
  std::unordered_map<UserId, std::string> teams_of;  // eligible agents -> Teams user
  std::unordered_set<UserId> enabled;                // agents we gave SyncEnabled
  std::unordered_map<std::string, std::vector<UserId>> by_user;  // watched Teams users
  Timestamp watch_due{};

  // First sync: users to read at once, before the cadence.
  std::deque<std::string> urgent;
  std::unordered_set<std::string> first_pending;  // urgent or being read
  Timestamp urgent_not_before{};
  bool first_active = false;  // a first sync is running (first_pending not yet empty)
  std::optional<Timestamp> first_started, first_completed;

  struct LastSeen {
    std::string availability, activity, sequence;
  };
  std::unordered_map<std::string, LastSeen> last_seen;

  presence::InboxTracker inbox;
  presence::SubscriptionKeeper keeper;

  std::size_t reads_in_flight = 0;


  PresenceSyncStatus counters;  // reads, throttles...: updated on the strand

  // presence::OrgLoop
  Timestamp now() const override { return shared->clock.now(); }
  bool running() const override { return !stopped && !stopping; }
  void wake() override { alarm.wake(); }
  void spawn(asio::awaitable<void> work, const char* what) override {
    asio::co_spawn(
        strand,
        [self = shared_from_this(), w = std::move(work)]() mutable -> asio::awaitable<void> {
          co_await std::move(w);
        },
        LogEscaped{what});
  }

  // What the status shows of the stored subscriptions; re-read after each change to them
  // (maintenance, lifecycle events, switching off), not on every read.
  // On the strand.
  PresenceSyncStatus status() const {
    PresenceSyncStatus s = counters;
    s.running = !stopped && !stopping;
    s.linked_agents = teams_of.size();
    s.watched_users = by_user.size();
    s.first_sync_pending = first_pending.size();
    s.first_sync_started = first_started;
    s.first_sync_completed = first_completed;
    s.round_interval = poll.batches() > 0 ? poll.round_interval(now()) : Millis{0};
    s.coverage = keeper.coverage();
    s.inbox_awaiting = inbox.awaiting();
    s.subscriptions = keeper.count();
    s.next_expiry = keeper.next_expiry();
    s.writes = outbound.writes();
    s.write_failures = outbound.failures();
    s.throttles += outbound.throttles();
    return s;
  }


  void report_authorization(const GraphError& e) override {
    if (!authorization_failure(e)) return;
    asio::co_spawn(shared->actors.executor(),
                   shared->connector.report_authorization_failure(org, e),
                   LogEscaped{"presence sync: reporting an authorization failure"});
  }

  // ---- watch set ----

  // Reads the connector, agents and profiles; gives SyncEnabled/SyncDisabled; queues the first
  // read of users newly watched. false: sync must stop for this org.
  bool refresh_watch() {
    const Timestamp t = now();
    watch_due = t + shared->options.watch_refresh;
    auto active = shared->connector.active(org);
    if (!active || !active->presence_sync) return false;
    tenant = active->tenant;
    outbound.set_tenant(tenant);
    keeper.set_tenant(tenant);
    mapping = active->mapping;
    auto agents = shared->cc_store.list_agents(org);
    auto profiles = shared->cc_store.list_desktop_profiles(org);
    auto states = shared->cc.agent_states(org);
    if (!agents || !profiles || !states) {
      spdlog::warn("presence sync: org {}: cannot read agents: {}", org.value,
                   !agents ? agents.error().message
                           : (!profiles ? profiles.error().message : states.error().message));
      return true;
    }
    std::unordered_set<DesktopProfileId> teams_profiles;
    for (const auto& p : *profiles) {
      if (p.microsoft_teams) teams_profiles.insert(p.id);
    }
    std::unordered_map<UserId, AgentStatus> status;
    for (const auto& v : *states) status.emplace(v.state.agent, v.state.status);
    std::unordered_map<UserId, std::string> next_teams;
    std::unordered_map<std::string, std::vector<UserId>> next_watch;
    for (const auto& a : *agents) {
      if (!a.teams_user_id || a.teams_user_id->empty()) continue;
      if (!a.desktop_profile || !teams_profiles.contains(*a.desktop_profile)) continue;
      next_teams.emplace(a.user, *a.teams_user_id);
      auto s = status.find(a.user);
      if (s != status.end() && s->second != AgentStatus::logged_out) {
        next_watch[*a.teams_user_id].push_back(a.user);
      }
    }
    std::vector<UserId> enable, disable;
    for (const auto& [agent, user] : next_teams) {
      if (!enabled.contains(agent)) enable.push_back(agent);
    }
    for (UserId agent : enabled) {
      if (!next_teams.contains(agent)) disable.push_back(agent);
    }
    if (!disable.empty()) {
      if (auto r = shared->cc.set_sync_enabled(org, disable, false); !r) {
        spdlog::warn("presence sync: org {}: SyncDisabled failed: {}", org.value, r.error().message);
      } else {
        for (UserId a : disable) enabled.erase(a);
      }
    }
    if (!enable.empty()) {
      if (auto r = shared->cc.set_sync_enabled(org, enable, true); !r) {
        spdlog::warn("presence sync: org {}: SyncEnabled failed: {}", org.value, r.error().message);
      } else {
        enabled.insert(enable.begin(), enable.end());
      }
    }
    // Newly watched Teams users, and users gaining an agent, get a first read.
    bool changed = next_watch.size() != by_user.size();
    for (const auto& [user, list] : next_watch) {
      auto old = by_user.find(user);
      if (old == by_user.end() || old->second.size() < list.size()) {
        changed = changed || old == by_user.end();
        if (first_pending.insert(user).second) urgent.push_back(user);
      }
    }
    for (auto it = last_seen.begin(); it != last_seen.end();) {
      it = next_watch.contains(it->first) ? std::next(it) : last_seen.erase(it);
    }
    teams_of = std::move(next_teams);
    by_user = std::move(next_watch);
    if (changed) {
      std::vector<std::string> ids;
      ids.reserve(by_user.size());
      for (const auto& kv : by_user) ids.push_back(kv.first);
      std::sort(ids.begin(), ids.end());
      poll.set_users(ids);
      // Debounced: many agents logging in at once make one repacking.
      const Timestamp soon = t + Millis{2'000};
      keeper.due_by(soon);
    }
    if (!urgent.empty() && !first_active) {
      first_active = true;
      first_started = t;
      first_completed.reset();
    } else if (urgent.empty() && !first_active && !first_completed) {
      first_started = t;  // nobody to read: the first sync is complete at once
      first_completed = t;
    }
    return true;
  }

  std::vector<std::string> watched_ids() const {
    std::vector<std::string> ids;
    ids.reserve(by_user.size());
    for (const auto& kv : by_user) ids.push_back(kv.first);
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  // ---- reads ----

  enum class ReadKind : std::uint8_t { first, poll, notification };

  asio::awaitable<void> read(std::vector<std::string> ids, ReadKind kind,
                             std::optional<sync::PollBatch> batch) {
    auto self = shared_from_this();
    const Timestamp started = now();
    ++reads_in_flight;
    auto r = co_await shared->graph.get_presences(tenant, ids);
    --reads_in_flight;
    if (stopped || stopping) co_return;
    const Timestamp t = now();
    if (r) {
      ++counters.reads;
      shared->metrics.reads_ok.inc();
      if (batch) {
        poll.on_result(t, *batch, sync::ReadOutcome::ok);
      } else {
        budget.on_success();
      }
      const PresenceChannel channel =
          kind == ReadKind::notification ? PresenceChannel::notification : PresenceChannel::poll;
      apply(*r, channel, started, kind == ReadKind::first);
      if (kind == ReadKind::first) {
        for (const auto& id : ids) first_pending.erase(id);
        finish_first_sync_if_done(t);
      }
    } else {
      const GraphError& e = r.error();
      ++counters.read_failures;
      shared->metrics.reads_failed.inc();
      const bool throttled = e.kind == GraphErrorKind::throttled;
      if (throttled) {
        ++counters.throttles;
        shared->metrics.throttles.inc();
      }
      if (batch) {
        poll.on_result(t, *batch,
                       throttled ? sync::ReadOutcome::throttled : sync::ReadOutcome::failed,
                       retry_after(e));
      } else if (throttled) {
        budget.on_throttled(t, retry_after(e));
      }
      if (kind == ReadKind::first) {
        for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
          if (by_user.contains(*it)) {
            urgent.push_front(*it);
          } else {
            first_pending.erase(*it);
          }
        }
        if (!throttled) urgent_not_before = t + Millis{1'000};
        finish_first_sync_if_done(t);
      } else if (kind == ReadKind::notification) {
        for (const auto& id : ids) coalescer.add(id, t);
      }
      spdlog::warn("presence sync: org {}: getPresencesByUserId ({} ids) failed: {}", org.value,
                   ids.size(), e.to_error().message);
      report_authorization(e);
    }
    wake();
  }

  void finish_first_sync_if_done(Timestamp t) {
    if (first_active && first_pending.empty()) {
      first_active = false;
      first_completed = t;
      shared->metrics.first_sync.observe(seconds_between(*first_started, t));
      spdlog::info("presence sync: org {}: first sync of {} users in {} ms", org.value,
                   by_user.size(), (t - *first_started).count());
    }
  }

  // Passes on what changed; `force` for first reads (a newly watched agent needs its presence
  // even when the Teams user's last presence was seen for another agent).
  void apply(const std::vector<GraphPresence>& presences, PresenceChannel channel,
             Timestamp started, bool force) {
    const Timestamp t = now();
    std::vector<AgentPresenceUpdate> updates;
    std::vector<std::string> users;
    for (const auto& p : presences) {
      auto watched = by_user.find(p.user_id);
      if (watched == by_user.end()) continue;
      inbox.satisfied(p.user_id, started);
      const std::string seq = p.sequence_number.value_or("");
      auto [it, fresh] = last_seen.try_emplace(p.user_id);
      LastSeen& last = it->second;
      if (!fresh && !force) {
        if (compare_sequence(last.sequence, seq) == SequenceVerdict::stale) continue;
        if (last.availability == p.availability && last.activity == p.activity) {
          last.sequence = seq;
          inbox.forget_notified(p.user_id);
          continue;
        }
      }
      last = LastSeen{p.availability, p.activity, seq};
      const Presence presence = parse_presence(p.availability, p.activity);
      for (UserId agent : watched->second) {
        updates.push_back(AgentPresenceUpdate{agent, ObservedPresence{presence, t, channel, seq}});
      }
      users.push_back(p.user_id);
    }
    if (updates.empty()) return;
    auto report = shared->cc.apply_presences(org, std::move(updates), mapping);
    if (!report) {
      spdlog::error("presence sync: org {}: applying {} presences failed: {}", org.value,
                    users.size(), report.error().message);
      for (const auto& u : users) last_seen.erase(u);  // the next read retries them
      return;
    }
    shared->metrics.state_changes.inc(report->state_changes);
    const Timestamp done = now();
    for (const auto& u : users) {
      if (channel == PresenceChannel::notification) {
        if (auto at = inbox.take_notified(u)) {
          shared->metrics.delay_notification.observe(seconds_between(*at, done));
        }
      } else {
        shared->metrics.delay_poll.observe(seconds_between(started, done));
      }
    }
  }

  // ---- inbox ----

  void process_inbox() {
    if (stopped || stopping) return;
    auto fresh = inbox.read_new();
    if (!fresh) return;
    const Timestamp t = now();
    std::vector<std::int64_t> done;
    for (auto& e : fresh->entries) {
      if (e.kind == InboxKind::lifecycle) {
        for (const auto& n : e.batch.notifications) on_lifecycle(n);
        shared->metrics.lifecycle.inc(e.batch.notifications.size());
        done.push_back(e.seq);
        continue;
      }
      counters.notifications += e.batch.notifications.size();
      shared->metrics.notifications.inc(e.batch.notifications.size());
      const bool rich = std::any_of(e.batch.notifications.begin(), e.batch.notifications.end(),
                                    [](const ChangeNotification& n) {
                                      return n.encrypted_content.has_value();
                                    });
      if (rich && shared->decryptor != nullptr) {
        spawn(apply_rich(std::move(e)), "presence sync: rich notifications");
        continue;
      }
      if (await_reads(e, t)) done.push_back(e.seq);
    }
    if (!done.empty()) inbox.remove(done);
    if (fresh->more) {
      asio::post(strand, [self = shared_from_this()] { self->process_inbox(); });
    }
    wake();
  }

  // Queues a bulk read of the entry's watched users; the entry is removed once read. true:
  // nothing to read (no watched user), remove it now.
  bool await_reads(const InboxEntry& e, Timestamp t) {
    auto users = inbox.await_reads(e, [this](const std::string& u) { return by_user.contains(u); });
    for (const auto& u : users) coalescer.add(u, t);
    return users.empty();
  }

  // A rich batch: checked and decrypted, applied without a read; any doubt reads in bulk.
  asio::awaitable<void> apply_rich(InboxEntry e) {
    auto self = shared_from_this();
    auto decrypted = co_await shared->decryptor->decrypt(e.batch, shared->options.client_id, tenant);
    if (stopped || stopping) co_return;
    const Timestamp t = now();
    if (!decrypted) {
      shared->metrics.rich_fallback.inc();
      spdlog::warn("presence sync: org {}: rich notifications not used ({}); reading in bulk",
                   org.value, decrypted.error().message);
      if (await_reads(e, t)) inbox.remove({e.seq});
      wake();
      co_return;
    }
    shared->metrics.rich_decrypted.inc();
    for (const auto& p : decrypted->presences) {
      if (by_user.contains(p.user_id)) inbox.note_notified(p.user_id, e.received_at);
    }
    apply(decrypted->presences, PresenceChannel::notification, e.received_at, false);
    inbox.remove({e.seq});
  }

  void on_lifecycle(const ChangeNotification& n) {
    const std::string event = n.lifecycle_event.value_or("");
    spdlog::info("presence sync: org {}: lifecycle {} for subscription {}", org.value, event,
                 n.subscription_id);
    if (event == "missed") {
      // Notifications were lost: read everyone now.
      for (const auto& [user, agents] : by_user) {
        if (first_pending.insert(user).second) urgent.push_back(user);
      }
      if (!first_active && !urgent.empty()) {
        first_active = true;
        first_started = now();
        first_completed.reset();
      }
      return;
    }
    keeper.on_lifecycle(event, n.subscription_id);
  }

  // ---- outbound ----

  void on_effect(const AgentEffect& effect) {
    if (stopped) return;
    outbound.on_effect(effect);
  }

  // ---- the loop ----

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    // The watch set first: leftover inbox entries name users that must be known as watched.
    if (!refresh_watch()) {
      asio::co_spawn(shared->actors.executor(), switch_off_from_loop(),
                     LogEscaped{"presence sync: switching off"});
      stopping = true;
    }
    process_inbox();
    while (!stopped) {
      Timestamp t = now();
      if (!stopping && t >= watch_due) {
        if (!refresh_watch()) {
          // Sync is off for this org now (the connector said so): switch off.
          asio::co_spawn(shared->actors.executor(), switch_off_from_loop(),
                         LogEscaped{"presence sync: switching off"});
          stopping = true;
        }
      }
      std::optional<Timestamp> next;
      auto sooner = [&next](Timestamp at) {
        if (!next || at < *next) next = at;
      };
      if (!stopping) {
        // First sync: as fast as the budget allows, ahead of the cadence.
        while (!urgent.empty() && reads_in_flight < shared->options.max_reads_in_flight &&
               t >= urgent_not_before) {
          if (!budget.try_take(t)) {
            sooner(budget.next_available(t));
            break;
          }
          std::vector<std::string> ids;
          while (!urgent.empty() && ids.size() < sync::kMaxPresenceIdsPerCall) {
            std::string id = std::move(urgent.front());
            urgent.pop_front();
            if (by_user.contains(id)) {
              ids.push_back(std::move(id));
            } else {
              first_pending.erase(id);
            }
          }
          if (ids.empty()) {
            finish_first_sync_if_done(t);
            break;
          }
          spawn(read(std::move(ids), ReadKind::first, std::nullopt), "presence sync: first read");
        }
        if (!urgent.empty() && t < urgent_not_before) sooner(urgent_not_before);
        // Notifications: coalesced reads.
        while (reads_in_flight < shared->options.max_reads_in_flight) {
          auto due = coalescer.due_at();
          if (!due) break;
          if (*due > t) {
            sooner(*due);
            break;
          }
          if (!budget.try_take(t)) {
            sooner(budget.next_available(t));
            break;
          }
          auto ids = coalescer.take_now();
          if (!ids) break;
          spawn(read(std::move(*ids), ReadKind::notification, std::nullopt), "presence sync: notification read");
        }
        // Bulk reads, once the first sync is through.
        if (urgent.empty() && first_pending.empty() && poll.batches() > 0) {
          if (reads_in_flight < shared->options.max_reads_in_flight) {
            auto step = poll.next(t);
            if (step.batch) {
              std::vector<std::string> ids = *step.batch->user_ids;
              spawn(read(std::move(ids), ReadKind::poll, std::move(step.batch)), "presence sync: bulk read");
            }
            sooner(step.next_at);
          } else {
            sooner(t + Millis{50});
          }
        }
        keeper.step(t, sooner);
        sooner(watch_due);
      }
      // Outbound (also while switching off: the clears must go out).
      outbound.step(t, sooner);
      if (stopped) break;
      const Timestamp until = next.value_or(t + Millis{1'000});
      if (co_await alarm.wait_until(std::max(until, now() + Millis{1})) == Alarm::Woke::stopped) {
        break;
      }
    }
  }

  asio::awaitable<void> switch_off_from_loop();  // defined after PresenceSync::switch_off

  // On the strand. Clears our sessions, deletes subscriptions; clears the inbox only when the
  // connector is being deleted (otherwise acknowledged entries wait for sync to resume).
  asio::awaitable<std::string> shut_down(bool deleting) {
    auto self = shared_from_this();
    stopping = true;
    std::vector<UserId> all(enabled.begin(), enabled.end());
    if (!all.empty()) {
      if (auto r = shared->cc.set_sync_enabled(org, all, false); !r) {
        spdlog::warn("presence sync: org {}: SyncDisabled failed: {}", org.value, r.error().message);
      }
    }
    enabled.clear();
    // The hooks post the ClearTeamsBusy effects to this strand: let them in, then drain.
    co_await asio::post(strand, asio::use_awaitable);
    wake();
    const Timestamp deadline = now() + shared->options.drain_timeout;
    while (outbound.busy() && now() < deadline) {
      if (co_await drain_pause.wait_until(now() + Millis{20}) == Alarm::Woke::stopped) break;
    }
    const auto counts = co_await keeper.delete_all();
    const std::size_t deleted = counts.first, failed = counts.second;
    if (deleting) inbox.clear();
    stopped = true;
    alarm.stop();
    drain_pause.stop();
    std::string summary = std::to_string(deleted) + " presence subscription" +
                          (deleted == 1 ? "" : "s") + " deleted, " +
                          std::to_string(outbound.sessions_cleared()) + " Teams presence session" +
                          (outbound.sessions_cleared() == 1 ? "" : "s") + " cleared";
    if (failed > 0) {
      summary += " (" + std::to_string(failed) + " could not be deleted in Graph and lapse within the hour)";
    }
    co_return summary;
  }
};

// ---- PresenceSync ---------------------------------------------------------------------------

PresenceSync::PresenceSync(OrgActors& actors, Scheduler& scheduler, ConnectorService& connector,
                           ContactCenter& cc, ContactCenterStore& cc_store, GraphClient& graph,
                           SyncAccountStore& accounts, SyncAccountService& account_tokens,
                           PresenceSubscriptionStore& subscriptions, PresenceInbox& inbox,
                           const TokenSource& tokens, const Clock& clock, Metrics& metrics,
                           NotificationDecryptor* decryptor, PresenceSyncOptions options)
    : shared_(std::make_shared<Shared>(actors, scheduler, connector, cc, cc_store, graph, accounts,
                                       account_tokens, subscriptions, inbox, tokens, clock,
                                       metrics, decryptor, std::move(options))) {}

PresenceSync::~PresenceSync() { stop(); }

Result<void> PresenceSync::start(NotificationUrls urls) {
  if (auto r = validate(shared_->options); !r) return r;
  shared_->urls = std::move(urls);
  PresenceHooks hooks;
  hooks.teams_effect = [this](OrgId org, const AgentEffect& effect) {
    auto sync = find(org);
    if (!sync) return;
    asio::post(sync->strand, [sync, effect] { sync->on_effect(effect); });
  };
  hooks.login = [this](OrgId org, UserId, bool) {
    auto sync = find(org);
    if (!sync) return;
    asio::post(sync->strand, [sync] {
      // Soon, not at once: a refresh reads every agent of the org, and a shift starting (many
      // log-ins a second) must make a few refreshes, not one per agent.
      const Timestamp soon = sync->now() + kLoginRefreshDelay;
      if (sync->watch_due <= soon) return;  // one is due already
      sync->watch_due = soon;
      sync->wake();
    });
  };
  shared_->cc.set_presence_hooks(std::move(hooks));
  auto subs = shared_->subscriptions.list_all_subscriptions();
  if (!subs) return std::move(subs).error();
  shared_->gate.load(*subs);
  shared_->metrics.subscriptions.set(static_cast<double>(subs->size()));
  auto orgs = shared_->connector.active_orgs();
  if (!orgs) return std::move(orgs).error();
  {
    std::lock_guard lock(shared_->mu);
    shared_->started = true;
  }
  for (OrgId org : *orgs) reconcile(org);
  return ok();
}

void PresenceSync::stop() {
  std::unordered_map<OrgId, std::shared_ptr<OrgSync>> orgs;
  {
    std::lock_guard lock(shared_->mu);
    if (shared_->stopped) return;
    shared_->stopped = true;
    orgs.swap(shared_->orgs);
  }
  for (auto& [org, sync] : orgs) {
    asio::post(sync->strand, [sync] { sync->stopped = true; });
    sync->alarm.stop();
    sync->drain_pause.stop();
  }
}

std::shared_ptr<PresenceSync::OrgSync> PresenceSync::find(OrgId org) {
  std::lock_guard lock(shared_->mu);
  auto it = shared_->orgs.find(org);
  return it == shared_->orgs.end() ? nullptr : it->second;
}

void PresenceSync::reconcile(OrgId org) {
  auto active = shared_->connector.active(org);
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
    asio::post(existing->strand, [existing] {
      existing->watch_due = existing->now();
      existing->wake();
    });
  }
}

void PresenceSync::start_org(OrgId org) {
  std::shared_ptr<OrgSync> sync;
  {
    std::lock_guard lock(shared_->mu);
    if (shared_->stopped || !shared_->started || shared_->orgs.contains(org)) return;
    sync = std::make_shared<OrgSync>(shared_, org);
    shared_->orgs.emplace(org, sync);
  }
  spdlog::info("presence sync: org {}: starting", org.value);
  sync->spawn(sync->run(), "presence sync: presence sync loop");
}

asio::awaitable<std::string> PresenceSync::switch_off(OrgId org, bool deleting) {
  std::shared_ptr<OrgSync> sync;
  {
    std::lock_guard lock(shared_->mu);
    if (auto it = shared_->orgs.find(org); it != shared_->orgs.end()) sync = it->second;
  }
  std::string summary;
  if (sync) {
    auto on_strand =
        asio::co_spawn(sync->strand, sync->shut_down(deleting), asio::use_awaitable);
    summary = co_await std::move(on_strand);
    std::lock_guard lock(shared_->mu);
    auto it = shared_->orgs.find(org);
    if (it != shared_->orgs.end() && it->second == sync) shared_->orgs.erase(it);
  } else if (deleting) {
    // Not running (sync was off): remove what may be left from an earlier run.
    std::size_t n = 0;
    if (auto subs = shared_->subscriptions.list_subscriptions(org)) {
      for (const auto& rec : *subs) {
        if (auto r = shared_->subscriptions.delete_subscription(rec.id); !r) {
          shared_->store_failed(org, "forgetting subscription " + rec.id, r.error());
        }
        shared_->gate.erase(rec.id);
        ++n;
      }
    }
    if (auto r = shared_->inbox.clear(org); !r) {
      shared_->store_failed(org, "clearing the inbox", r.error());
    }
    summary = std::to_string(n) + " stored presence subscription" + (n == 1 ? "" : "s") +
              " forgotten";
  }
  spdlog::info("presence sync: org {}: switched off{}", org.value,
               summary.empty() ? "" : ": " + summary);
  co_return summary;
}

asio::awaitable<void> PresenceSync::OrgSync::switch_off_from_loop() {
  auto self = shared_from_this();
  auto on_strand = asio::co_spawn(strand, shut_down(false), asio::use_awaitable);
  (void)co_await std::move(on_strand);  // its summary: logged by shut_down's caller only
  std::lock_guard lock(shared->mu);
  auto it = shared->orgs.find(org);
  if (it != shared->orgs.end() && it->second == self) shared->orgs.erase(it);
}

asio::awaitable<PresenceSyncStatus> PresenceSync::status(OrgId org) {
  auto sync = find(org);
  if (!sync) co_return PresenceSyncStatus{};
  // Locals, not temporaries inside the co_await: GCC 12 may destroy a captured temporary twice.
  auto read = [sync]() -> asio::awaitable<PresenceSyncStatus> { co_return sync->status(); };
  auto on_strand = asio::co_spawn(sync->strand, std::move(read), asio::use_awaitable);
  PresenceSyncStatus s = co_await std::move(on_strand);
  co_return s;
}

asio::awaitable<void> PresenceSync::connector_active(OrgId org, std::string) {
  auto existing = find(org);
  if (existing) {
    // Re-authorised: every user is read again (a gap may have passed).
    asio::post(existing->strand, [existing] {
      for (const auto& [user, agents] : existing->by_user) {
        if (existing->first_pending.insert(user).second) existing->urgent.push_back(user);
      }
      if (!existing->first_active && !existing->urgent.empty()) {
        existing->first_active = true;
        existing->first_started = existing->now();
        existing->first_completed.reset();
      }
      existing->watch_due = existing->now();
      existing->wake();
    });
    co_return;
  }
  reconcile(org);
  co_return;
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
  reconcile(org);
}

std::optional<OrgId> PresenceSync::admit(std::string_view subscription_id,
                                         std::string_view client_state) {
  return decide(subscription_id, client_state).org;
}

GateDecision PresenceSync::decide(std::string_view subscription_id,
                                  std::string_view client_state) {
  return shared_->gate.decide(subscription_id, client_state);
}

void PresenceSync::stored(OrgId org) {
  auto sync = find(org);
  if (!sync) return;
  asio::post(sync->strand, [sync] { sync->process_inbox(); });
}

}  // namespace ccteams
