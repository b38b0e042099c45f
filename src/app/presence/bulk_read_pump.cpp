#include "app/presence/bulk_read_pump.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "app/presence/graph_outcomes.hpp"
#include "core/presence.hpp"

namespace ccteams::presence {

namespace asio = boost::asio;

namespace {

double seconds_between(Timestamp from, Timestamp to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

BulkReadPump::BulkReadPump(BulkReadPumpDeps deps)
    : deps_(std::move(deps)), poll_(deps_.poll, deps_.budget), coalescer_(deps_.coalescer) {}

void BulkReadPump::watch_changed(const WatchSet::Change& change, Timestamp t) {
  for (const auto& user : change.first_reads) first_read(user, t);
  std::erase_if(last_seen_, [this](const auto& kv) { return !deps_.watch.watched(kv.first); });
  if (change.users_changed) poll_.set_users(deps_.watch.watched_ids());
  if (urgent_.empty() && !first_active_ && !first_completed_) {
    first_started_ = t;  // nobody to read: the first sync is complete at once
    first_completed_ = t;
  }
}

void BulkReadPump::read_everyone(Timestamp t) {
  for (const auto& user : deps_.watch.watched_ids()) first_read(user, t);
  deps_.loop.wake();
}

void BulkReadPump::first_read(const std::string& user, Timestamp t) {
  if (!first_pending_.insert(user).second) return;
  urgent_.push_back(user);
  if (!first_active_) {
    first_active_ = true;
    first_started_ = t;
    first_completed_.reset();
  }
}

void BulkReadPump::notified(const std::string& user, Timestamp t) {
  coalescer_.add(user, t);
  deps_.loop.wake();
}

Millis BulkReadPump::round_interval(Timestamp now) const {
  return poll_.batches() > 0 ? poll_.round_interval(now) : Millis{0};
}

void BulkReadPump::step(Timestamp t, const std::function<void(Timestamp)>& sooner) {
  first_sync_step(t, sooner);
  notification_step(t, sooner);
  cadence_step(t, sooner);
}

// As fast as the budget allows, ahead of the cadence.
void BulkReadPump::first_sync_step(Timestamp t, const std::function<void(Timestamp)>& sooner) {
  while (!urgent_.empty() && in_flight_ < deps_.max_in_flight && t >= urgent_not_before_) {
    if (!deps_.budget.try_take(t)) {
      sooner(deps_.budget.next_available(t));
      break;
    }
    std::vector<std::string> ids;
    while (!urgent_.empty() && ids.size() < sync::kMaxPresenceIdsPerCall) {
      std::string id = std::move(urgent_.front());
      urgent_.pop_front();
      if (deps_.watch.watched(id)) {
        ids.push_back(std::move(id));
      } else {
        first_pending_.erase(id);
      }
    }
    if (ids.empty()) {
      finish_first_sync_if_done(t);
      break;
    }
    start_read(std::move(ids), ReadKind::first, std::nullopt);
  }
  if (!urgent_.empty() && t < urgent_not_before_) sooner(urgent_not_before_);
}

void BulkReadPump::notification_step(Timestamp t, const std::function<void(Timestamp)>& sooner) {
  while (in_flight_ < deps_.max_in_flight) {
    auto due = coalescer_.due_at();
    if (!due) break;
    if (*due > t) {
      sooner(*due);
      break;
    }
    if (!deps_.budget.try_take(t)) {
      sooner(deps_.budget.next_available(t));
      break;
    }
    auto ids = coalescer_.take_now();
    if (!ids) break;
    start_read(std::move(*ids), ReadKind::notification, std::nullopt);
  }
}

// Once the first sync is through.
void BulkReadPump::cadence_step(Timestamp t, const std::function<void(Timestamp)>& sooner) {
  if (!urgent_.empty() || !first_pending_.empty() || poll_.batches() == 0) return;
  if (in_flight_ >= deps_.max_in_flight) {
    sooner(t + Millis{50});
    return;
  }
  auto step = poll_.next(t);
  if (step.batch) {
    std::vector<std::string> ids = *step.batch->user_ids;
    start_read(std::move(ids), ReadKind::poll, std::move(step.batch));
  }
  sooner(step.next_at);
}

// Counted in flight from here, not from when the coroutine first runs: several reads started
// in one step must already count against the bound.
void BulkReadPump::start_read(std::vector<std::string> ids, ReadKind kind,
                              std::optional<sync::PollBatch> batch) {
  ++in_flight_;
  const char* what = kind == ReadKind::first          ? "presence sync: first read"
                     : kind == ReadKind::notification ? "presence sync: notification read"
                                                      : "presence sync: bulk read";
  deps_.loop.spawn(read(std::move(ids), kind, std::move(batch)), what);
}

asio::awaitable<void> BulkReadPump::read(std::vector<std::string> ids, ReadKind kind,
                                         std::optional<sync::PollBatch> batch) {
  const Timestamp started = deps_.loop.now();
  auto r = co_await deps_.graph.get_presences(tenant_, ids);
  --in_flight_;
  if (!deps_.loop.running()) co_return;
  const Timestamp t = deps_.loop.now();
  if (!r) {
    read_failed(r.error(), ids, kind, batch, t);
    deps_.loop.wake();
    co_return;
  }
  ++reads_;
  deps_.metrics.reads_ok.inc();
  if (batch) {
    poll_.on_result(t, *batch, sync::ReadOutcome::ok);
  } else {
    deps_.budget.on_success();
  }
  const PresenceChannel channel =
      kind == ReadKind::notification ? PresenceChannel::notification : PresenceChannel::poll;
  co_await apply(std::move(*r), channel, started, kind == ReadKind::first);
  if (kind == ReadKind::first) {
    for (const auto& id : ids) first_pending_.erase(id);
    finish_first_sync_if_done(t);
  }
  deps_.loop.wake();
}

// The cadence retries its batch; a first read goes back to the front of the queue; a
// notification read's users are queued again.
void BulkReadPump::read_failed(const GraphError& e, const std::vector<std::string>& ids,
                               ReadKind kind, const std::optional<sync::PollBatch>& batch,
                               Timestamp t) {
  ++failures_;
  deps_.metrics.reads_failed.inc();
  const bool throttled = e.kind == GraphErrorKind::throttled;
  if (throttled) {
    ++throttles_;
    deps_.metrics.throttles.inc();
  }
  if (batch) {
    poll_.on_result(t, *batch, throttled ? sync::ReadOutcome::throttled : sync::ReadOutcome::failed,
                    retry_after(e));
  } else if (throttled) {
    deps_.budget.on_throttled(t, retry_after(e));
  }
  if (kind == ReadKind::first) {
    for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
      if (deps_.watch.watched(*it)) {
        urgent_.push_front(*it);
      } else {
        first_pending_.erase(*it);
      }
    }
    // A 429 waits on the budget; any other failure is not retried hot.
    if (!throttled) urgent_not_before_ = t + Millis{1'000};
    finish_first_sync_if_done(t);
  } else if (kind == ReadKind::notification) {
    for (const auto& id : ids) coalescer_.add(id, t);
  }
  spdlog::warn("presence sync: org {}: getPresencesByUserId ({} ids) failed: {}", deps_.org.value,
               ids.size(), e.to_error().message);
  deps_.loop.report_authorization(e);
}

void BulkReadPump::finish_first_sync_if_done(Timestamp t) {
  if (!first_active_ || !first_pending_.empty()) return;
  first_active_ = false;
  first_completed_ = t;
  deps_.metrics.first_sync.observe(seconds_between(*first_started_, t));
  spdlog::info("presence sync: org {}: first sync of {} users in {} ms", deps_.org.value,
               deps_.watch.watched_count(), (t - *first_started_).count());
}

// `force` for first reads: a newly watched agent needs its presence even when the Teams user's
// last presence was seen for another agent.
asio::awaitable<void> BulkReadPump::apply(std::vector<GraphPresence> presences,
                                          PresenceChannel channel, Timestamp started, bool force) {
  const Timestamp t = deps_.loop.now();
  std::vector<AgentPresenceUpdate> updates;
  std::vector<std::string> users;
  for (const auto& p : presences) {
    const std::vector<UserId>* agents = deps_.watch.agents_of(p.user_id);
    if (agents == nullptr) continue;
    deps_.inbox.satisfied(p.user_id, started);
    const std::string seq = p.sequence_number.value_or("");
    auto [it, fresh] = last_seen_.try_emplace(p.user_id);
    LastSeen& last = it->second;
    if (!fresh && !force) {
      if (compare_sequence(last.sequence, seq) == SequenceVerdict::stale) continue;
      if (last.availability == p.availability && last.activity == p.activity) {
        last.sequence = seq;
        deps_.inbox.forget_notified(p.user_id);
        continue;
      }
    }
    last = LastSeen{p.availability, p.activity, seq};
    const Presence presence = parse_presence(p.availability, p.activity);
    for (UserId agent : *agents) {
      updates.push_back(AgentPresenceUpdate{agent, ObservedPresence{presence, t, channel, seq}});
    }
    users.push_back(p.user_id);
  }
  if (updates.empty()) co_return;
  auto report = co_await deps_.apply(std::move(updates));
  if (!report) {
    spdlog::error("presence sync: org {}: applying {} presences failed: {}", deps_.org.value,
                  users.size(), report.error().message);
    for (const auto& u : users) last_seen_.erase(u);  // the next read retries them
    co_return;
  }
  deps_.metrics.state_changes.inc(report->state_changes);
  const Timestamp done = deps_.loop.now();
  for (const auto& u : users) {
    if (channel == PresenceChannel::notification) {
      if (auto at = deps_.inbox.take_notified(u)) {
        deps_.metrics.delay_notification.observe(seconds_between(*at, done));
      }
    } else {
      deps_.metrics.delay_poll.observe(seconds_between(started, done));
    }
  }
}

}  // namespace ccteams::presence
