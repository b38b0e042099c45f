#include "app/presence_sync.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <map>
#include <set>
#include <unordered_set>

#include "app/connector_service.hpp"
#include "app/contact_center.hpp"
#include "app/metrics.hpp"
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
using Strand = asio::strand<asio::any_io_executor>;

namespace {

double seconds_between(Timestamp from, Timestamp to) {
  return std::chrono::duration<double>(to - from).count();
}

// The Teams user a presence notification is about: resourceData.id, else the resource path
// ("communications/presences/{id}" or "users/{id}/presence"), graph-protocol.md §4.3.
std::string notified_user(const ChangeNotification& n) {
  if (n.resource_data && n.resource_data->id && !n.resource_data->id->empty()) {
    return *n.resource_data->id;
  }
  if (!n.resource) return {};
  std::string_view r = *n.resource;
  while (!r.empty() && r.front() == '/') r.remove_prefix(1);
  auto strip = [&r](std::string_view prefix) {
    if (r.size() > prefix.size() && r.substr(0, prefix.size()) == prefix) {
      r.remove_prefix(prefix.size());
      return true;
    }
    return false;
  };
  if (strip("communications/presences/")) {
    auto end = r.find_first_of("/?");
    return std::string(r.substr(0, end));
  }
  if (strip("users/")) {
    auto end = r.find('/');
    if (end == std::string_view::npos || r.substr(end) != "/presence") return {};
    std::string_view id = r.substr(0, end);
    if (id.size() > 6 && id.substr(0, 2) == "('" && id.substr(id.size() - 2) == "')") {
      id = id.substr(2, id.size() - 4);
    }
    return std::string(id);
  }
  return {};
}

std::string presence_filter_resource(const std::vector<std::string>& ids) {
  std::string r = "/communications/presences?$filter=id in (";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) r += ',';
    r += '\'';
    r += ids[i];
    r += '\'';
  }
  r += ')';
  return r;
}

sync::WriteOutcome write_outcome(const GraphError& e, bool clear) {
  switch (e.kind) {
    case GraphErrorKind::throttled: return sync::WriteOutcome::throttled;
    case GraphErrorKind::not_found:
      return clear ? sync::WriteOutcome::not_found : sync::WriteOutcome::rejected;
    case GraphErrorKind::transport:
    case GraphErrorKind::unavailable:
    case GraphErrorKind::decode: return sync::WriteOutcome::failed;
    default: return sync::WriteOutcome::rejected;
  }
}

std::optional<Millis> retry_after(const GraphError& e) {
  if (e.retry_after_seconds > 0) return Millis{e.retry_after_seconds * 1000LL};
  return std::nullopt;
}

// A log-in or log-out is taken into the watch set this long after it (see hooks.login).
constexpr Millis kLoginRefreshDelay{250};

bool authorization_failure(const GraphError& e) {
  return e.kind == GraphErrorKind::unauthorized || e.kind == GraphErrorKind::forbidden;
}

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

struct GateEntry {
  OrgId org;
  std::string digest;
};

struct SyncMetrics {
  explicit SyncMetrics(Metrics& m)
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
        subscriptions_lost(
            m.counter("presence_sync_subscription_changes_total", "", {{"change", "expired_or_removed"}})),
        rich_decrypted(m.counter("presence_sync_rich_notifications_total",
                                 "Rich notification batches, decrypted or read back in bulk",
                                 {{"result", "decrypted"}})),
        rich_fallback(m.counter("presence_sync_rich_notifications_total", "",
                                {{"result", "fallback_read"}})),
        first_sync(m.histogram("presence_sync_first_sync_seconds",
                               "Time to read and apply everyone's presence when sync starts",
                               Metrics::default_latency_buckets())) {}
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
};

struct PresenceSync::Shared {
  asio::any_io_executor ex;
  ConnectorService& connector;
  ContactCenter& cc;
  ContactCenterStore& cc_store;
  GraphClient& graph;
  SyncAccountStore& accounts;
  SyncAccountService& account_tokens;
  PresenceSubscriptionStore& subscriptions;
  PresenceInbox& inbox;
  const TokenSource& tokens;
  const Clock& clock;
  SyncMetrics metrics;
  PresenceSyncOptions options;
  NotificationDecryptor* decryptor = nullptr;

  std::mutex mu;  // guards orgs, stopped
  std::unordered_map<OrgId, std::shared_ptr<OrgSync>> orgs;
  bool started = false;
  bool stopped = false;

  std::mutex gate_mu;  // guards gate, pending_states
  std::unordered_map<std::string, GateEntry> gate;  // subscription id -> org, digest
  std::unordered_map<std::string, OrgId> pending_states;  // digest -> org, while creating

  Shared(asio::any_io_executor e, ConnectorService& c, ContactCenter& cc_, ContactCenterStore& s,
         GraphClient& g, SyncAccountStore& a, SyncAccountService& at,
         PresenceSubscriptionStore& subs, PresenceInbox& in, const TokenSource& t,
         const Clock& cl, Metrics& m, PresenceSyncOptions o)
      : ex(std::move(e)), connector(c), cc(cc_), cc_store(s), graph(g), accounts(a),
        account_tokens(at), subscriptions(subs), inbox(in), tokens(t), clock(cl), metrics(m),
        options(std::move(o)) {}

  void gate_put(const std::string& id, OrgId org, std::string digest) {
    std::lock_guard lock(gate_mu);
    gate[id] = GateEntry{org, std::move(digest)};
  }
  void gate_erase(const std::string& id) {
    std::lock_guard lock(gate_mu);
    gate.erase(id);
  }
};

// ---- one organisation -----------------------------------------------------------------------

struct PresenceSync::OrgSync : std::enable_shared_from_this<OrgSync> {
  OrgSync(std::shared_ptr<Shared> sh, OrgId o)
      : shared(std::move(sh)), org(o), strand(asio::make_strand(shared->ex)), timer(strand),
        budget(shared->options.budget), poll(shared->options.poll, budget),
        coalescer(shared->options.coalescer), outbound(shared->options.outbound, budget) {}

  std::shared_ptr<Shared> shared;
  OrgId org;
  Strand strand;
  asio::steady_timer timer;
  bool woken = false;
  bool stopped = false;   // the loop ends
  bool stopping = false;  // switching off: only outbound clears go on

  std::string tenant;
  PresenceMapping mapping;
  sync::PresenceBudget budget;
  sync::PollScheduler poll;
  sync::NotificationCoalescer coalescer;
  sync::OutboundQueue outbound;

  // The watch set.
  std::unordered_map<UserId, std::string> teams_of;  // eligible agents -> Teams user
  std::unordered_set<UserId> enabled;                // agents we gave SyncEnabled
  std::unordered_map<std::string, std::vector<UserId>> by_user;  // watched Teams users
  Timestamp watch_due{};
  Timestamp subscription_due{};
  bool subscription_busy = false;
  std::string coverage;

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

  // Inbox entries being applied: seq -> (stored at, users not yet read since).
  struct Awaiting {
    Timestamp received_at;
    std::unordered_set<std::string> users;
  };
  std::map<std::int64_t, Awaiting> awaiting;
  std::unordered_map<std::string, std::vector<std::int64_t>> user_entries;
  std::unordered_map<std::string, Timestamp> notified_at;  // for the delay metric
  std::int64_t max_seq = 0;

  std::size_t reads_in_flight = 0, writes_in_flight = 0;
  std::size_t sessions_cleared = 0;

  std::size_t subscription_count = 0;
  std::optional<Timestamp> next_expiry;

  std::mutex status_mu;
  PresenceSyncStatus snapshot;
  PresenceSyncStatus counters;  // reads, throttles...: updated on the strand, copied out

  Timestamp now() const { return shared->clock.now(); }

  void wake() {
    asio::post(strand, [self = shared_from_this()] {
      self->woken = true;
      self->timer.cancel();
    });
  }

  // What the status shows of the stored subscriptions; re-read after each change to them
  // (maintenance, lifecycle events, switching off), not on every read.
  void refresh_subscription_summary() {
    auto subs = shared->subscriptions.list_subscriptions(org);
    if (!subs) return;
    subscription_count = subs->size();
    next_expiry.reset();
    for (const auto& r : *subs) {
      if (!next_expiry || r.expiration < *next_expiry) next_expiry = r.expiration;
    }
  }

  void publish_status() {
    PresenceSyncStatus s = counters;
    s.running = !stopped && !stopping;
    s.linked_agents = teams_of.size();
    s.watched_users = by_user.size();
    s.first_sync_pending = first_pending.size();
    s.first_sync_started = first_started;
    s.first_sync_completed = first_completed;
    s.round_interval = poll.batches() > 0 ? poll.round_interval(now()) : Millis{0};
    s.coverage = coverage;
    s.inbox_awaiting = awaiting.size();
    s.subscriptions = subscription_count;
    s.next_expiry = next_expiry;
    std::lock_guard lock(status_mu);
    snapshot = std::move(s);
  }

  template <class F>
  void spawn(F&& f, const char* what) {
    asio::co_spawn(strand, std::forward<F>(f), [what](const std::exception_ptr& e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("presence sync: {} ended by an exception: {}", what, ex.what());
      }
    });
  }

  void report_authorization(const GraphError& e) {
    if (!authorization_failure(e)) return;
    asio::co_spawn(shared->ex, shared->connector.report_authorization_failure(org, e),
                   asio::detached);
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
      if (subscription_due > soon) subscription_due = soon;
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
    publish_status();
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
      satisfy_entries(p.user_id, started);
      const std::string seq = p.sequence_number.value_or("");
      auto [it, fresh] = last_seen.try_emplace(p.user_id);
      LastSeen& last = it->second;
      if (!fresh && !force) {
        if (compare_sequence(last.sequence, seq) == SequenceVerdict::stale) continue;
        if (last.availability == p.availability && last.activity == p.activity) {
          last.sequence = seq;
          notified_at.erase(p.user_id);
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
        auto n = notified_at.find(u);
        if (n != notified_at.end()) {
          shared->metrics.delay_notification.observe(seconds_between(n->second, done));
          notified_at.erase(n);
        }
      } else {
        shared->metrics.delay_poll.observe(seconds_between(started, done));
      }
    }
  }

  // A read that started at `started` covered user: inbox entries stored before it are done
  // for that user; entries done for every user are removed from the inbox.
  void satisfy_entries(const std::string& user, Timestamp started) {
    auto ue = user_entries.find(user);
    if (ue == user_entries.end()) return;
    std::vector<std::int64_t> done, keep;
    for (std::int64_t seq : ue->second) {
      auto a = awaiting.find(seq);
      if (a == awaiting.end()) continue;
      if (a->second.received_at > started) {
        keep.push_back(seq);
        continue;
      }
      a->second.users.erase(user);
      if (a->second.users.empty()) {
        done.push_back(seq);
        awaiting.erase(a);
      }
    }
    if (keep.empty()) {
      user_entries.erase(ue);
    } else {
      ue->second = std::move(keep);
    }
    if (!done.empty()) {
      if (auto r = shared->inbox.remove(org, done); !r) {
        spdlog::warn("presence sync: org {}: inbox remove failed: {}", org.value, r.error().message);
      }
    }
  }

  // ---- inbox ----

  void process_inbox() {
    if (stopped || stopping) return;
    const std::size_t limit = awaiting.size() + 512;
    auto entries = shared->inbox.pending(org, limit);
    if (!entries) {
      spdlog::warn("presence sync: org {}: inbox read failed: {}", org.value,
                   entries.error().message);
      return;
    }
    const Timestamp t = now();
    std::vector<std::int64_t> done;
    for (auto& e : *entries) {
      if (e.seq <= max_seq) continue;
      max_seq = e.seq;
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
        spawn(apply_rich(std::move(e)), "rich notifications");
        continue;
      }
      if (await_reads(e, t)) done.push_back(e.seq);
    }
    if (!done.empty()) {
      if (auto r = shared->inbox.remove(org, done); !r) {
        spdlog::warn("presence sync: org {}: inbox remove failed: {}", org.value, r.error().message);
      }
    }
    if (entries->size() >= limit) {
      asio::post(strand, [self = shared_from_this()] { self->process_inbox(); });
    }
    wake();
  }

  // Queues a bulk read of the entry's watched users; the entry is removed once read. true:
  // nothing to read (no watched user), remove it now.
  bool await_reads(const InboxEntry& e, Timestamp t) {
    Awaiting a{e.received_at, {}};
    for (const auto& n : e.batch.notifications) {
      std::string user = notified_user(n);
      if (user.empty() || !by_user.contains(user)) continue;
      coalescer.add(user, t);
      auto [it, fresh] = notified_at.try_emplace(user, e.received_at);
      if (!fresh && e.received_at < it->second) it->second = e.received_at;
      a.users.insert(user);
    }
    if (a.users.empty()) return true;
    for (const auto& u : a.users) user_entries[u].push_back(e.seq);
    awaiting.emplace(e.seq, std::move(a));
    return false;
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
      if (await_reads(e, t)) (void)shared->inbox.remove(org, {e.seq});
      wake();
      co_return;
    }
    shared->metrics.rich_decrypted.inc();
    for (const auto& p : decrypted->presences) {
      if (!by_user.contains(p.user_id)) continue;
      auto [it, fresh] = notified_at.try_emplace(p.user_id, e.received_at);
      if (!fresh && e.received_at < it->second) it->second = e.received_at;
    }
    apply(decrypted->presences, PresenceChannel::notification, e.received_at, false);
    if (auto r = shared->inbox.remove(org, {e.seq}); !r) {
      spdlog::warn("presence sync: org {}: inbox remove failed: {}", org.value, r.error().message);
    }
    publish_status();
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
    if (event == "reauthorizationRequired") {
      spawn(reauthorize(n.subscription_id), "reauthorize");
      return;
    }
    if (event == "subscriptionRemoved") {
      set_health(n.subscription_id, StoredSubscriptionHealth::removed);
      subscription_due = now();
    }
  }

  std::optional<PresenceSubscriptionRecord> record_of(const std::string& id) {
    auto subs = shared->subscriptions.list_subscriptions(org);
    if (!subs) return std::nullopt;
    for (auto& r : *subs) {
      if (r.id == id) return std::move(r);
    }
    return std::nullopt;
  }

  void set_health(const std::string& id, StoredSubscriptionHealth h) {
    auto rec = record_of(id);
    if (!rec) return;
    rec->health = h;
    if (auto r = shared->subscriptions.put_subscription(*rec); !r) {
      spdlog::warn("presence sync: storing subscription {} failed: {}", id, r.error().message);
    }
    refresh_subscription_summary();
  }

  asio::awaitable<void> reauthorize(std::string id) {
    auto self = shared_from_this();
    auto rec = record_of(id);
    if (!rec) co_return;
    auto token = co_await shared->account_tokens.access_token(org, SyncAccountId{rec->account_id});
    if (token) {
      auto r = co_await shared->graph.reauthorize_subscription(tenant, *token, id);
      if (r) {
        shared->metrics.subscription_calls_ok.inc();
        co_return;
      }
      shared->metrics.subscription_calls_failed.inc();
      spdlog::warn("presence sync: reauthorizing subscription {} failed: {}", id,
                   r.error().to_error().message);
    }
    // Not honoured: it will stop delivering. The plan recreates it.
    set_health(id, StoredSubscriptionHealth::reauthorization_failed);
    subscription_due = now();
    wake();
  }

  // ---- subscriptions ----

  asio::awaitable<void> maintain_subscriptions() {
    auto self = shared_from_this();
    if (subscription_busy) co_return;
    subscription_busy = true;
    subscription_due = now() + shared->options.subscription_check;
    co_await maintain_once();
    subscription_due = std::min(subscription_due, next_maintenance());
    subscription_busy = false;
    refresh_subscription_summary();
    publish_status();
  }

  // The next renewal or key rotation that falls due, so it happens on time rather than up to a
  // subscription_check late; never sooner than 5 s (a failing renewal is not retried hot).
  Timestamp next_maintenance() {
    Timestamp next = now() + shared->options.subscription_check;
    if (auto subs = shared->subscriptions.list_subscriptions(org)) {
      for (const auto& r : *subs) {
        if (r.health != StoredSubscriptionHealth::ok) continue;
        next = std::min(next, r.expiration - shared->options.subscriptions.renew_margin);
      }
    }
    if (shared->decryptor != nullptr) next = std::min(next, shared->decryptor->next_rotation());
    return std::max(next, now() + std::chrono::seconds{5});
  }

  asio::awaitable<void> maintain_once() {
    if (shared->decryptor != nullptr) {
      // Subscriptions created from now on carry the new certificate; existing ones are PATCHed
      // with it at the end of this pass (the old key still decrypts for a grace period).
      if (auto rotated = shared->decryptor->rotate_if_due(now()); !rotated) {
        spdlog::warn("presence sync: rotating the notification key failed ({}); the current key "
                     "stays in use", rotated.error().message);
      } else if (*rotated) {
        spdlog::info("presence sync: notification encryption key rotated to {}",
                     shared->decryptor->certificate_id());
      }
    }
    if (shared->options.notification_url.empty()) {
      coverage = "no public notification URL (server.public_url): bulk reads only";
      co_return;
    }
    auto accounts = shared->accounts.list_accounts(org);
    auto current = shared->subscriptions.list_subscriptions(org);
    if (!accounts || !current) co_return;
    std::vector<sync::AccountId> healthy;
    for (const auto& a : *accounts) {
      if (a.token_state == SyncTokenState::healthy) healthy.push_back(sync::AccountId{a.id.value});
    }
    std::vector<sync::CurrentSubscription> held;
    std::unordered_map<std::string, PresenceSubscriptionRecord> records;
    for (auto& r : *current) {
      sync::SubscriptionHealth h = sync::SubscriptionHealth::ok;
      if (r.health == StoredSubscriptionHealth::removed) h = sync::SubscriptionHealth::removed;
      if (r.health == StoredSubscriptionHealth::reauthorization_failed) {
        h = sync::SubscriptionHealth::reauthorization_failed;
      }
      held.push_back(sync::CurrentSubscription{r.id, sync::AccountId{r.account_id}, r.user_ids,
                                               r.expiration, h});
      records.emplace(r.id, std::move(r));
    }
    auto plan = sync::plan_subscriptions(watched_ids(), healthy, held, now(),
                                         shared->options.subscriptions);
    std::unordered_set<std::string> handled;  // by this plan: deleted, renewed or forgotten
    coverage = plan.status.message;
    if (healthy.empty() && !by_user.empty()) {
      coverage = "no healthy sync account: add one under Sync accounts; bulk reads only";
    }
    for (auto& step : plan.steps) {
      if (stopped || stopping) co_return;
      if (auto* c = std::get_if<sync::CreateSubscription>(&step)) {
        co_await create(*c);
      } else if (auto* d = std::get_if<sync::DeleteSubscription>(&step)) {
        handled.insert(d->subscription_id);
        co_await remove(d->subscription_id, d->account.value,
                        d->reason == sync::DeleteReason::account_unhealthy);
      } else if (auto* rn = std::get_if<sync::RenewSubscription>(&step)) {
        handled.insert(rn->subscription_id);
        auto it = records.find(rn->subscription_id);
        if (it != records.end()) co_await renew(it->second, rn->expiration);
      } else if (auto* f = std::get_if<sync::ForgetSubscription>(&step)) {
        handled.insert(f->subscription_id);
        (void)shared->subscriptions.delete_subscription(f->subscription_id);
        shared->gate_erase(f->subscription_id);
        shared->metrics.subscriptions_lost.inc();
        shared->metrics.subscriptions.add(-1);
      }
    }
    // After a key rotation (or a key lost with a restart): every rich subscription still on
    // another certificate is PATCHed with the current one (§4.2); renew() always sends it.
    if (shared->decryptor == nullptr) co_return;
    const std::string certificate_id = shared->decryptor->certificate_id();
    for (auto& [id, rec] : records) {
      if (stopped || stopping) co_return;
      if (handled.contains(id) || !rec.include_resource_data ||
          rec.health != StoredSubscriptionHealth::ok || rec.certificate_id == certificate_id) {
        continue;
      }
      co_await renew(rec, now() + shared->options.subscriptions.lifetime);
    }
  }

  asio::awaitable<void> create(const sync::CreateSubscription& c) {
    auto token = co_await shared->account_tokens.access_token(org, SyncAccountId{c.account.value});
    if (!token) {
      spdlog::warn("presence sync: org {}: no token for sync account {}: {}", org.value,
                   c.account.value, token.error().message);
      co_return;
    }
    const std::string client_state = shared->tokens.new_token();
    const std::string digest = shared->tokens.digest(client_state);
    {
      std::lock_guard lock(shared->gate_mu);
      shared->pending_states[digest] = org;
    }
    SubscriptionRequest req;
    req.resource = presence_filter_resource(c.user_ids);
    req.change_type = "updated";
    req.notification_url = shared->options.notification_url;
    if (!shared->options.lifecycle_url.empty()) {
      req.lifecycle_notification_url = shared->options.lifecycle_url;
    }
    req.expiration = c.expiration;
    req.client_state = client_state;
    if (shared->decryptor != nullptr) {
      req.include_resource_data = true;
      req.encryption_certificate = shared->decryptor->encryption_certificate();
      req.encryption_certificate_id = shared->decryptor->certificate_id();
    }
    auto r = co_await shared->graph.create_subscription(tenant, *token, req);
    if (!r) {
      {
        std::lock_guard lock(shared->gate_mu);
        shared->pending_states.erase(digest);
      }
      shared->metrics.subscription_calls_failed.inc();
      spdlog::warn("presence sync: org {}: creating a subscription for {} users failed: {}",
                   org.value, c.user_ids.size(), r.error().to_error().message);
      co_return;
    }
    PresenceSubscriptionRecord rec;
    rec.id = r->id;
    rec.org = org;
    rec.account_id = c.account.value;
    rec.user_ids = c.user_ids;
    rec.expiration = r->expiration;
    rec.client_state_sha256 = digest;
    rec.include_resource_data = req.include_resource_data;
    rec.certificate_id = req.encryption_certificate_id.value_or("");
    rec.created_at = now();
    if (auto s = shared->subscriptions.put_subscription(rec); !s) {
      spdlog::error("presence sync: storing subscription {} failed: {}", rec.id, s.error().message);
    }
    {
      std::lock_guard lock(shared->gate_mu);
      shared->pending_states.erase(digest);
      shared->gate[rec.id] = GateEntry{org, digest};
    }
    shared->metrics.subscription_calls_ok.inc();
    shared->metrics.subscriptions_created.inc();
    shared->metrics.subscriptions.add(1);
    spdlog::info("presence sync: org {}: subscription {} for {} users (sync account {})",
                 org.value, rec.id, rec.user_ids.size(), rec.account_id);
  }

  // Deletes in Graph (not_found counts as done), then locally. best_effort: the local record
  // goes even when Graph could not be asked (the subscription then lapses within the hour).
  asio::awaitable<bool> remove(const std::string& id, std::int64_t account, bool best_effort) {
    bool gone = false;
    auto token = co_await shared->account_tokens.access_token(org, SyncAccountId{account});
    if (token) {
      auto r = co_await shared->graph.delete_subscription(tenant, *token, id);
      gone = r || r.error().kind == GraphErrorKind::not_found;
      if (gone) {
        shared->metrics.subscription_calls_ok.inc();
      } else {
        shared->metrics.subscription_calls_failed.inc();
        spdlog::warn("presence sync: deleting subscription {} failed: {}", id,
                     r.error().to_error().message);
      }
    }
    if (gone || best_effort) {
      (void)shared->subscriptions.delete_subscription(id);
      shared->gate_erase(id);
      shared->metrics.subscriptions_deleted.inc();
      shared->metrics.subscriptions.add(-1);
    }
    co_return gone;
  }

  asio::awaitable<void> renew(PresenceSubscriptionRecord rec, Timestamp expiration) {
    auto token = co_await shared->account_tokens.access_token(org, SyncAccountId{rec.account_id});
    if (!token) co_return;
    SubscriptionRenewal renewal{expiration, std::nullopt, std::nullopt};
    if (rec.include_resource_data && shared->decryptor != nullptr) {
      renewal.encryption_certificate = shared->decryptor->encryption_certificate();
      renewal.encryption_certificate_id = shared->decryptor->certificate_id();
    }
    auto r = co_await shared->graph.renew_subscription(tenant, *token, rec.id, renewal);
    if (r) {
      rec.expiration = r->expiration;
      if (renewal.encryption_certificate_id) rec.certificate_id = *renewal.encryption_certificate_id;
      rec.health = StoredSubscriptionHealth::ok;
      shared->metrics.subscription_calls_ok.inc();
      shared->metrics.subscriptions_renewed.inc();
    } else {
      shared->metrics.subscription_calls_failed.inc();
      spdlog::warn("presence sync: renewing subscription {} failed: {}", rec.id,
                   r.error().to_error().message);
      if (r.error().kind != GraphErrorKind::not_found) co_return;
      rec.health = StoredSubscriptionHealth::removed;  // the next plan recreates it
      subscription_due = now();
    }
    (void)shared->subscriptions.put_subscription(rec);
  }

  // ---- outbound ----

  void on_effect(const AgentEffect& effect) {
    if (stopped) return;
    if (outbound.apply_effect(effect, now())) wake();
  }

  asio::awaitable<void> write(sync::OutboundWrite w) {
    auto self = shared_from_this();
    ++writes_in_flight;
    auto teams = teams_of.find(w.agent);
    const bool clear = w.kind == sync::WriteKind::clear;
    sync::WriteOutcome outcome = sync::WriteOutcome::rejected;
    std::optional<Millis> after;
    if (teams != teams_of.end()) {
      const std::string user = teams->second;
      // Two statements, not a conditional expression: GCC 12 miscompiles co_await inside ?:.
      std::optional<GraphError> failed;
      if (clear) {
        auto r = co_await shared->graph.clear_presence(tenant, user, shared->options.client_id);
        if (!r) failed = r.error();
      } else {
        SetPresenceRequest req{user, shared->options.client_id, "Busy", "InACall",
                               std::chrono::duration_cast<std::chrono::seconds>(w.expiration)};
        auto r = co_await shared->graph.set_presence(tenant, std::move(req));
        if (!r) failed = r.error();
      }
      if (!failed) {
        outcome = sync::WriteOutcome::ok;
      } else {
        outcome = write_outcome(*failed, clear);
        after = retry_after(*failed);
        if (outcome != sync::WriteOutcome::not_found) {
          spdlog::warn("presence sync: org {}: {} for agent {} failed: {}", org.value,
                       clear ? "clearPresence" : "setPresence", w.agent.value,
                       failed->to_error().message);
          report_authorization(*failed);
        }
      }
    }
    --writes_in_flight;
    const Timestamp t = now();
    if (outcome == sync::WriteOutcome::ok || outcome == sync::WriteOutcome::not_found) {
      ++counters.writes;
      shared->metrics.writes_ok.inc();
    } else {
      ++counters.write_failures;
      shared->metrics.writes_failed.inc();
      if (outcome == sync::WriteOutcome::throttled) {
        ++counters.throttles;
        shared->metrics.throttles.inc();
      }
    }
    if (outbound.on_result(t, w, outcome, after)) {
      ++sessions_cleared;
      if (auto r = shared->cc.teams_busy_cleared(org, w.agent, t); !r) {
        spdlog::warn("presence sync: org {}: TeamsBusyCleared failed: {}", org.value,
                     r.error().message);
      }
    }
    wake();
  }

  // ---- the loop ----

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    // The watch set first: leftover inbox entries name users that must be known as watched.
    if (!refresh_watch()) {
      asio::co_spawn(shared->ex, switch_off_from_loop(), asio::detached);
      stopping = true;
    }
    publish_status();
    process_inbox();
    while (!stopped) {
      Timestamp t = now();
      if (!stopping && t >= watch_due) {
        if (!refresh_watch()) {
          // Sync is off for this org now (the connector said so): switch off.
          asio::co_spawn(shared->ex, switch_off_from_loop(), asio::detached);
          stopping = true;
        }
        publish_status();
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
          spawn(read(std::move(ids), ReadKind::first, std::nullopt), "first read");
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
          spawn(read(std::move(*ids), ReadKind::notification, std::nullopt), "notification read");
        }
        // Bulk reads, once the first sync is through.
        if (urgent.empty() && first_pending.empty() && poll.batches() > 0) {
          if (reads_in_flight < shared->options.max_reads_in_flight) {
            auto step = poll.next(t);
            if (step.batch) {
              std::vector<std::string> ids = *step.batch->user_ids;
              spawn(read(std::move(ids), ReadKind::poll, std::move(step.batch)), "bulk read");
            }
            sooner(step.next_at);
          } else {
            sooner(t + Millis{50});
          }
        }
        if (!subscription_busy) {
          if (t >= subscription_due) {
            spawn(maintain_subscriptions(), "subscriptions");
          } else {
            sooner(subscription_due);
          }
        }
        sooner(watch_due);
      }
      // Outbound (also while switching off: the clears must go out).
      while (writes_in_flight < shared->options.max_writes_in_flight) {
        auto step = outbound.next(t);
        if (step.write) {
          spawn(write(*step.write), "presence write");
          continue;
        }
        if (step.next_at) sooner(*step.next_at);
        break;
      }
      if (stopped) break;
      if (woken) {
        woken = false;
        continue;
      }
      const Timestamp until = next.value_or(t + Millis{1'000});
      const auto wait = std::max(Millis{1}, std::chrono::duration_cast<Millis>(until - now()));
      timer.expires_after(wait);
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      woken = false;
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
    asio::steady_timer pause(strand);
    while ((outbound.due_count() > 0 || writes_in_flight > 0) && now() < deadline) {
      pause.expires_after(Millis{20});
      boost::system::error_code ec;
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    std::size_t deleted = 0, failed = 0;
    if (auto subs = shared->subscriptions.list_subscriptions(org)) {
      for (const auto& rec : *subs) {
        if (co_await remove(rec.id, rec.account_id, true)) {
          ++deleted;
        } else {
          ++failed;
        }
      }
    }
    if (deleting) (void)shared->inbox.clear(org);
    stopped = true;
    timer.cancel();
    refresh_subscription_summary();
    publish_status();
    std::string summary = std::to_string(deleted) + " presence subscription" +
                          (deleted == 1 ? "" : "s") + " deleted, " +
                          std::to_string(sessions_cleared) + " Teams presence session" +
                          (sessions_cleared == 1 ? "" : "s") + " cleared";
    if (failed > 0) {
      summary += " (" + std::to_string(failed) + " could not be deleted in Graph and lapse within the hour)";
    }
    co_return summary;
  }
};

// ---- PresenceSync ---------------------------------------------------------------------------

PresenceSync::PresenceSync(asio::any_io_executor ex, ConnectorService& connector,
                           ContactCenter& cc, ContactCenterStore& cc_store, GraphClient& graph,
                           SyncAccountStore& accounts, SyncAccountService& account_tokens,
                           PresenceSubscriptionStore& subscriptions, PresenceInbox& inbox,
                           const TokenSource& tokens, const Clock& clock, Metrics& metrics,
                           PresenceSyncOptions options)
    : shared_(std::make_shared<Shared>(std::move(ex), connector, cc, cc_store, graph, accounts,
                                       account_tokens, subscriptions, inbox, tokens, clock,
                                       metrics, std::move(options))) {}

PresenceSync::~PresenceSync() { stop(); }

void PresenceSync::set_decryptor(NotificationDecryptor* decryptor) {
  shared_->decryptor = decryptor;
}

void PresenceSync::set_notification_urls(std::string notification_url, std::string lifecycle_url) {
  shared_->options.notification_url = std::move(notification_url);
  shared_->options.lifecycle_url = std::move(lifecycle_url);
}

Result<void> PresenceSync::start() {
  if (auto r = validate(shared_->options); !r) return r;
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
      sync->woken = true;
      sync->timer.cancel();
    });
  };
  shared_->cc.set_presence_hooks(std::move(hooks));
  auto subs = shared_->subscriptions.list_all_subscriptions();
  if (!subs) return std::move(subs).error();
  {
    std::lock_guard lock(shared_->gate_mu);
    for (const auto& r : *subs) shared_->gate[r.id] = GateEntry{r.org, r.client_state_sha256};
  }
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
    asio::post(sync->strand, [sync] {
      sync->stopped = true;
      sync->timer.cancel();
    });
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
    asio::co_spawn(shared_->ex, switch_off(org, false), asio::detached);
  } else if (existing) {
    asio::post(existing->strand, [existing] {
      existing->watch_due = existing->now();
      existing->woken = true;
      existing->timer.cancel();
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
  sync->spawn(sync->run(), "presence sync loop");
}

asio::awaitable<std::string> PresenceSync::switch_off(OrgId org, bool deleting) {
  std::shared_ptr<OrgSync> sync;
  {
    std::lock_guard lock(shared_->mu);
    if (auto it = shared_->orgs.find(org); it != shared_->orgs.end()) sync = it->second;
  }
  std::string summary;
  if (sync) {
    co_await asio::post(sync->strand, asio::use_awaitable);
    summary = co_await sync->shut_down(deleting);
    std::lock_guard lock(shared_->mu);
    auto it = shared_->orgs.find(org);
    if (it != shared_->orgs.end() && it->second == sync) shared_->orgs.erase(it);
  } else if (deleting) {
    // Not running (sync was off): remove what may be left from an earlier run.
    std::size_t n = 0;
    if (auto subs = shared_->subscriptions.list_subscriptions(org)) {
      for (const auto& rec : *subs) {
        (void)shared_->subscriptions.delete_subscription(rec.id);
        shared_->gate_erase(rec.id);
        ++n;
      }
    }
    (void)shared_->inbox.clear(org);
    summary = std::to_string(n) + " stored presence subscription" + (n == 1 ? "" : "s") +
              " forgotten";
  }
  spdlog::info("presence sync: org {}: switched off{}", org.value,
               summary.empty() ? "" : ": " + summary);
  co_return summary;
}

asio::awaitable<void> PresenceSync::OrgSync::switch_off_from_loop() {
  auto self = shared_from_this();
  co_await asio::post(strand, asio::use_awaitable);
  (void)co_await shut_down(false);
  std::lock_guard lock(shared->mu);
  auto it = shared->orgs.find(org);
  if (it != shared->orgs.end() && it->second == self) shared->orgs.erase(it);
}

PresenceSyncStatus PresenceSync::status(OrgId org) {
  auto sync = find(org);
  if (!sync) return PresenceSyncStatus{};
  std::lock_guard lock(sync->status_mu);
  return sync->snapshot;
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
  const std::string digest = shared_->tokens.digest(client_state);
  std::lock_guard lock(shared_->gate_mu);
  auto it = shared_->gate.find(std::string(subscription_id));
  if (it != shared_->gate.end()) {
    if (shared_->tokens.equals(digest, it->second.digest)) {
      return GateDecision{it->second.org, GateRejection::unspecified};
    }
    return GateDecision{std::nullopt, GateRejection::client_state};
  }
  // A subscription being created: Graph may notify before our create call has returned.
  if (auto p = shared_->pending_states.find(digest); p != shared_->pending_states.end()) {
    return GateDecision{p->second, GateRejection::unspecified};
  }
  return GateDecision{std::nullopt, GateRejection::unknown_subscription};
}

void PresenceSync::stored(OrgId org) {
  auto sync = find(org);
  if (!sync) return;
  asio::post(sync->strand, [sync] { sync->process_inbox(); });
}

}  // namespace ccteams
