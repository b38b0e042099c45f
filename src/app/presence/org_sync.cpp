#include "app/presence/org_sync.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "app/connector_service.hpp"
#include "app/log_escaped.hpp"
#include "app/org_actors.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/notification_decryptor.hpp"
#include "app/presence/graph_outcomes.hpp"
#include "app/sync_account_service.hpp"

namespace ccteams::presence {

namespace asio = boost::asio;

namespace {

// The subscriptions follow a change of the watch set this long after it: many agents logging in
// at once make one repacking.
constexpr Millis kRepackDelay{2'000};
constexpr Millis kInboxRetry{5'000};  // after a failed inbox read

}  // namespace

SyncServices::SyncServices(OrgActors& ac, Scheduler& sc, ConnectorService& c, ContactCenter& cc_,
                           PresenceGraph g, SyncAccountService& at, Store& st, const TokenSource& t,
                           const Clock& cl, Metrics& m, NotificationDecryptor* d,
                           PresenceSyncOptions o, const OrgOwnership& own)
    : actors(ac),
      scheduler(sc),
      connector(c),
      cc(cc_),
      graph(g),
      account_tokens(at),
      store(st),
      tokens(t),
      clock(cl),
      metrics(m),
      options(std::move(o)),
      decryptor(d),
      gate(t),
      ownership(own) {}

void SyncServices::store_failed(OrgId org, std::string_view what, const Error& e) {
  metrics.store_failures.inc();
  spdlog::warn("presence sync: org {}: {} failed: {}", org.value, what, e.message);
}

OrgSync::OrgSync(std::shared_ptr<SyncServices> services, OrgId org, SwitchedOff switched_off)
    : s_(std::move(services)),
      org_(org),
      switched_off_(std::move(switched_off)),
      strand_(s_->actors.strand(org)),
      alarm_(strand_, s_->scheduler),
      drain_pause_(strand_, s_->scheduler),
      graph_(s_->graph, s_->ownership, org),
      budget_(s_->options.budget),
      watch_(WatchSetDeps{org, s_->options.watch_refresh,
                          [this](std::vector<UserId> agents, bool enabled) {
                            return s_->cc.set_sync_enabled(org_, std::move(agents), enabled);
                          }}),
      inbox_(s_->store, org, s_->metrics),
      pump_(BulkReadPumpDeps{*this, graph_, budget_, s_->metrics, inbox_, watch_, org,
                             s_->options.poll, s_->options.coalescer,
                             s_->options.max_reads_in_flight,
                             [this](std::vector<AgentPresenceUpdate> updates) {
                               return s_->cc.apply_presences(org_, std::move(updates), mapping_);
                             }}),
      outbound_(OutboundWriterDeps{
          *this, graph_, budget_, s_->metrics, org, s_->options.client_id,
          s_->options.outbound, s_->options.max_writes_in_flight,
          [this](UserId agent) { return watch_.teams_user(agent); },
          [this](UserId agent, Timestamp at) { return s_->cc.teams_busy_cleared(org_, agent, at); },
          [this](UserId agent) { return s_->cc.own_session_gone(org_, agent); }}),
      keeper_(SubscriptionKeeperDeps{
          *this,
          graph_,
          s_->store,
          [this](SyncAccountId account) { return s_->account_tokens.access_token(org_, account); },
          [this](SyncAccountId account, std::string refused) {
            return s_->account_tokens.access_token_refused(org_, account, std::move(refused));
          },
          s_->tokens,
          s_->gate,
          s_->decryptor,
          s_->metrics,
          org,
          {s_->urls.notification, s_->urls.lifecycle},
          s_->options.subscription_check,
          s_->options.subscription_probe,
          s_->options.subscriptions,
          [this] { return watch_.watched_ids(); }}) {}

void OrgSync::start() { spawn(run(), "presence sync: presence sync loop"); }

void OrgSync::stop() {
  asio::post(strand_, [self = shared_from_this()] { self->stopped_ = true; });
  alarm_.stop();
  drain_pause_.stop();
}

// ---- OrgLoop ----

Timestamp OrgSync::now() const { return s_->clock.now(); }

void OrgSync::spawn(asio::awaitable<void> work, const char* what) {
  asio::co_spawn(
      strand_,
      [self = shared_from_this(), w = std::move(work)]() mutable -> asio::awaitable<void> {
        co_await std::move(w);
      },
      LogEscaped{what});
}

void OrgSync::report_authorization(const GraphError& e) {
  if (!authorization_failure(e)) return;
  asio::co_spawn(s_->actors.executor(), s_->connector.report_authorization_failure(org_, e),
                 LogEscaped{"presence sync: reporting an authorization failure"});
}

// ---- arriving work ----

void OrgSync::on_effect(const AgentEffect& effect) {
  if (stopped_) return;
  outbound_.on_effect(effect);
}

void OrgSync::agent_logged_in_or_out() {
  if (watch_.agent_logged_in_or_out(now())) wake();
}

void OrgSync::settings_changed() {
  watch_.due_by(now());
  wake();
}

void OrgSync::reauthorized() {
  pump_.read_everyone(now());
  settings_changed();
}

PresenceSyncStatus OrgSync::status() const {
  PresenceSyncStatus s;
  s.running = running();
  s.linked_agents = watch_.linked();
  s.watched_users = watch_.watched_count();
  s.first_sync_pending = pump_.first_sync_pending();
  s.first_sync_started = pump_.first_sync_started();
  s.first_sync_completed = pump_.first_sync_completed();
  s.round_interval = pump_.round_interval(now());
  s.subscriptions = keeper_.count();
  s.next_expiry = keeper_.next_expiry();
  s.coverage = keeper_.coverage();
  s.reads = pump_.reads();
  s.read_failures = pump_.failures();
  s.throttles = pump_.throttles() + outbound_.throttles();
  s.writes = outbound_.writes();
  s.write_failures = outbound_.failures();
  s.notifications = notifications_;
  s.inbox_awaiting = inbox_.awaiting();
  return s;
}

// ---- the loop ----

asio::awaitable<void> OrgSync::run() {
  // The watch set first: leftover inbox entries name users that must be known as watched.
  if (const bool on = co_await refresh_watch(); !on) switch_off_from_loop();
  process_inbox();
  while (!stopped_) {
    if (!stopping_ && now() >= watch_.due()) {
      if (const bool on = co_await refresh_watch(); !on) switch_off_from_loop();
      if (stopped_) break;
    }
    const Timestamp t = now();
    std::optional<Timestamp> next;
    auto sooner = [&next](Timestamp at) {
      if (!next || at < *next) next = at;
    };
    if (!stopping_) {
      pump_.step(t, sooner);
      keeper_.step(t, sooner);
      sooner(watch_.due());
      if (inbox_retry_at_ && t >= *inbox_retry_at_) {
        inbox_retry_at_.reset();
        process_inbox();
      }
      if (inbox_retry_at_) sooner(*inbox_retry_at_);
    }
    // Also while switching off: the clears must go out.
    outbound_.step(t, sooner);
    if (stopped_) break;
    const Timestamp until = next.value_or(t + Millis{1'000});
    if (co_await alarm_.wait_until(std::max(until, now() + Millis{1})) == Alarm::Woke::stopped) {
      break;
    }
  }
}

asio::awaitable<Result<WatchInputs>> OrgSync::watch_inputs() {
  const OrgId org = org_;
  auto read = [&](Stores& st) -> Result<WatchInputs> {
    auto agents = st.contact_center().list_agents(org);
    if (!agents) return std::move(agents).error();
    auto profiles = st.contact_center().list_desktop_profiles(org);
    if (!profiles) return std::move(profiles).error();
    return WatchInputs{std::move(*agents), std::move(*profiles), {}};
  };
  auto in = co_await s_->store.read(read);
  if (!in) co_return in;
  // The states after the store's answer (a decision of the contact center's, on this strand).
  auto states = co_await s_->cc.agent_states(org_);
  if (!states) co_return std::move(states).error();
  for (const auto& v : *states) in->status.emplace(v.state.agent, v.state.status);
  co_return in;
}

asio::awaitable<bool> OrgSync::refresh_watch() {
  auto inputs = co_await watch_inputs();
  // Switching off began while the store answered: it gave SyncDisabled to everyone already.
  if (!running()) co_return true;
  // Everything below is read after the awaits; only the recomputation awaits again (the
  // contact center's SyncEnabled/SyncDisabled decisions), and what follows it needs no re-check.
  auto active = co_await s_->connector.active(org_);
  if (!running()) co_return true;
  const Timestamp t = now();
  if (!active || !active->presence_sync) co_return false;
  tenant_ = active->tenant;
  pump_.set_tenant(tenant_);
  outbound_.set_tenant(tenant_);
  keeper_.set_tenant(tenant_);
  mapping_ = active->mapping;
  auto change = co_await watch_.recompute(t, std::move(inputs));
  if (!change) co_return true;
  pump_.watch_changed(*change, t);
  if (change->users_changed) keeper_.due_by(t + kRepackDelay);
  co_return true;
}

// Sync is off for this org now (the connector said so): switch off from outside the loop.
void OrgSync::switch_off_from_loop() {
  stopping_ = true;
  asio::co_spawn(
      s_->actors.executor(),
      [self = shared_from_this()]() -> asio::awaitable<void> {
        auto on_strand = asio::co_spawn(self->strand_, self->shut_down(false), asio::use_awaitable);
        (void)co_await std::move(on_strand);  // its summary: logged by shut_down's caller only
        self->switched_off_(self);
      },
      LogEscaped{"presence sync: switching off"});
}

// On the strand. Clears our sessions, deletes subscriptions; clears the inbox only when the
// connector is being deleted (otherwise acknowledged entries wait for sync to resume).
asio::awaitable<std::string> OrgSync::shut_down(bool deleting) {
  auto self = shared_from_this();
  stopping_ = true;
  co_await watch_.disable_all();
  // The hooks post the ClearTeamsBusy effects to this strand: let them in, then drain.
  co_await asio::post(strand_, asio::use_awaitable);
  wake();
  const Timestamp deadline = now() + s_->options.drain_timeout;
  while (outbound_.busy() && now() < deadline) {
    if (co_await drain_pause_.wait_until(now() + Millis{20}) == Alarm::Woke::stopped) break;
  }
  const auto counts = co_await keeper_.delete_all();
  const std::size_t deleted = counts.first, failed = counts.second;
  if (deleting) co_await inbox_.clear();
  stopped_ = true;
  alarm_.stop();
  drain_pause_.stop();
  const std::size_t cleared = outbound_.sessions_cleared();
  std::string summary = std::to_string(deleted) + " presence subscription" +
                        (deleted == 1 ? "" : "s") + " deleted, " + std::to_string(cleared) +
                        " Teams presence session" + (cleared == 1 ? "" : "s") + " cleared";
  if (failed > 0) {
    summary +=
        " (" + std::to_string(failed) + " could not be deleted in Graph and lapse within the hour)";
  }
  co_return summary;
}

// ---- notifications ----

void OrgSync::handed(InboxEntry entry) {
  // Before the first read was asked for, that read finds the entry (it was committed before
  // it was handed); after, the tracker says whether a read took it already.
  if (!running() || !inbox_read_ || !inbox_.claim(entry.seq)) return;
  std::vector<InboxEntry> one;
  one.push_back(std::move(entry));
  take(std::move(one));
}

void OrgSync::inbox_grown() {
  if (!inbox_read_) return;  // the first read, still to come, finds them
  process_inbox();
}

void OrgSync::process_inbox() {
  if (!running()) return;
  inbox_read_ = true;
  if (inbox_reading_) {
    inbox_read_again_ = true;
    return;
  }
  inbox_reading_ = true;
  spawn(read_inbox(), "presence sync: inbox");
}

asio::awaitable<void> OrgSync::read_inbox() {
  auto fresh = co_await inbox_.read_new();
  inbox_reading_ = false;
  const bool again = std::exchange(inbox_read_again_, false);
  if (!running()) co_return;
  if (!fresh) {
    // Hand-offs bring what is stored from now on; what the read was for waits for a retry.
    inbox_retry_at_ = now() + kInboxRetry;
    wake();
    co_return;
  }
  take(std::move(fresh->entries));
  if (fresh->more || again) process_inbox();
}

// Entries claimed from the inbox tracker (read or handed): lifecycle events act now, change
// notifications are decrypted or queued for a bulk read.
void OrgSync::take(std::vector<InboxEntry> entries) {
  const Timestamp t = now();
  std::vector<std::int64_t> done;
  for (auto& e : entries) {
    if (e.kind == InboxKind::lifecycle) {
      for (const auto& n : e.batch.notifications) on_lifecycle(n);
      s_->metrics.lifecycle.inc(e.batch.notifications.size());
      done.push_back(e.seq);
      continue;
    }
    notifications_ += e.batch.notifications.size();
    s_->metrics.notifications.inc(e.batch.notifications.size());
    const bool rich =
        std::any_of(e.batch.notifications.begin(), e.batch.notifications.end(),
                    [](const ChangeNotification& n) { return n.encrypted_content.has_value(); });
    if (rich && s_->decryptor != nullptr) {
      spawn(apply_rich(std::move(e)), "presence sync: rich notifications");
      continue;
    }
    if (await_reads(e, t)) done.push_back(e.seq);
  }
  if (!done.empty()) inbox_.remove(done);
  wake();
}

// Queues a bulk read of the entry's watched users; the entry is removed once read. true:
// nothing to read (no watched user), remove it now.
bool OrgSync::await_reads(const InboxEntry& e, Timestamp t) {
  auto users = inbox_.await_reads(e, [this](const std::string& u) { return watch_.watched(u); });
  for (const auto& u : users) pump_.notified(u, t);
  return users.empty();
}

// A rich batch: checked and decrypted, applied without a read; any doubt reads in bulk.
asio::awaitable<void> OrgSync::apply_rich(InboxEntry e) {
  auto decrypted = co_await s_->decryptor->decrypt(e.batch, s_->options.client_id, tenant_);
  if (!running()) co_return;
  const Timestamp t = now();
  if (!decrypted) {
    s_->metrics.rich_fallback.inc();
    spdlog::warn("presence sync: org {}: rich notifications not used ({}); reading in bulk",
                 org_.value, decrypted.error().message);
    if (await_reads(e, t)) inbox_.remove({e.seq});
    wake();
    co_return;
  }
  s_->metrics.rich_decrypted.inc();
  for (const auto& p : decrypted->presences) {
    if (watch_.watched(p.user_id)) inbox_.note_notified(p.user_id, e.received_at);
  }
  co_await pump_.apply(std::move(decrypted->presences), PresenceChannel::notification,
                       e.received_at, false);
  inbox_.remove({e.seq});
}

void OrgSync::on_lifecycle(const ChangeNotification& n) {
  spdlog::info("presence sync: org {}: lifecycle {} for subscription {}", org_.value,
               n.lifecycle_event_text.value_or(""), n.subscription_id);
  const LifecycleEvent event = n.lifecycle_event.value_or(LifecycleEvent::other);
  if (event == LifecycleEvent::missed) {
    pump_.read_everyone(now());  // notifications were lost: read everyone now
    return;
  }
  keeper_.on_lifecycle(event, n.subscription_id);
}

}  // namespace ccteams::presence
