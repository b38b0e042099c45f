#include "core/sync_outbound.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <variant>

namespace ccteams::sync {

Result<void> validate(const OutboundConfig& c) {
  using std::chrono::hours;
  using std::chrono::minutes;
  if (c.session_duration < minutes{5} || c.session_duration > hours{4}) {
    return make_error(Errc::invalid_input, "outbound: session_duration must be 5 min to 4 h");
  }
  if (c.renew_percent < 10 || c.renew_percent > 95) {
    return make_error(Errc::invalid_input, "outbound: renew_percent must be 10-95");
  }
  if (c.retry_initial <= Millis::zero() || c.retry_max < c.retry_initial) {
    return make_error(Errc::invalid_input,
                      "outbound: retry_initial must be positive and not above retry_max");
  }
  return ok();
}

OutboundQueue::OutboundQueue(OutboundConfig config, PresenceBudget& budget)
    : config_(config), budget_(budget) {
  assert(validate(config_));
}

Millis OutboundQueue::backoff(int failures) const {
  const int shift = std::clamp(failures - 1, 0, 20);
  return std::min(config_.retry_max, config_.retry_initial * (std::int64_t{1} << shift));
}

std::optional<Timestamp> OutboundQueue::needs_write(Entry& e, Timestamp now) const {
  // Graph turns an expired session into nothing (§3.3): no clear is needed for it any more.
  if (e.shown != SessionShown::nothing && e.expires_at && *e.expires_at <= now) {
    e.shown = SessionShown::nothing;
    e.expires_at.reset();
    e.renew_at.reset();
  }
  if (e.in_flight) return std::nullopt;
  std::optional<Timestamp> t;
  if (e.wants_busy) {
    t = (e.shown == SessionShown::busy && e.renew_at) ? *e.renew_at : now;
  } else if (e.shown != SessionShown::nothing) {
    t = now;
  }
  if (t && e.not_before && *t < *e.not_before) t = *e.not_before;
  return t;
}

void OutboundQueue::reschedule(UserId agent, Timestamp now, bool confirmed) {
  const auto it = entries_.find(agent);
  if (it == entries_.end()) return;
  Entry& e = it->second;
  if (e.due) due_.erase({*e.due, agent});
  e.due = needs_write(e, now);
  if (e.due) {
    due_.insert({*e.due, agent});
  } else if (!e.in_flight && !e.wants_busy && e.shown == SessionShown::nothing) {
    entries_.erase(it);  // nothing shown, nothing wanted: keep memory to the agents that matter
    if (!confirmed) settled_.push_back(agent);
  }
}

void OutboundQueue::want_busy(UserId agent, Timestamp now) {
  Entry& e = entries_[agent];
  if (e.wants_busy) return;  // already wanted: keep the renewal schedule
  e.wants_busy = true;
  reschedule(agent, now);
}

void OutboundQueue::want_clear(UserId agent, Timestamp now) {
  const auto it = entries_.find(agent);
  if (it == entries_.end()) {  // nothing set, nothing wanted: nothing to clear
    settled_.push_back(agent);
    return;
  }
  it->second.wants_busy = false;
  reschedule(agent, now);
}

void OutboundQueue::want_stale_clear(UserId agent, Timestamp now) {
  Entry& e = entries_[agent];
  e.wants_busy = false;
  // A write of ours under way, or a session of ours known, already decides what goes next.
  if (!e.in_flight && e.shown == SessionShown::nothing) {
    e.shown = SessionShown::unknown;
    e.expires_at = now + config_.session_duration;
  }
  reschedule(agent, now);
}

bool OutboundQueue::apply_effect(const AgentEffect& effect, Timestamp now) {
  if (const auto* s = std::get_if<SetTeamsBusy>(&effect)) {
    want_busy(s->agent, now);
    return true;
  }
  if (const auto* c = std::get_if<ClearTeamsBusy>(&effect)) {
    want_clear(c->agent, now);
    return true;
  }
  if (const auto* c = std::get_if<ClearStaleTeamsBusy>(&effect)) {
    want_stale_clear(c->agent, now);
    return true;
  }
  return false;
}

OutboundStep OutboundQueue::next(Timestamp now) {
  while (!due_.empty()) {
    const auto [t, agent] = *due_.begin();
    if (t > now) return {std::nullopt, t};
    Entry& e = entries_.at(agent);
    const auto need = needs_write(e, now);
    if (!need || *need > now) {  // e.g. the session lapsed meanwhile: nothing to clear
      reschedule(agent, now);
      continue;
    }
    if (!budget_.try_take(now)) return {std::nullopt, budget_.next_available(now)};
    OutboundWrite w;
    w.agent = agent;
    w.kind = e.wants_busy ? WriteKind::set_busy : WriteKind::clear;
    w.expiration = e.wants_busy ? config_.session_duration : Millis::zero();
    w.renewal = e.wants_busy && e.shown == SessionShown::busy;
    w.sent_at = now;
    due_.erase({t, agent});
    e.due.reset();
    e.in_flight = true;
    std::optional<Timestamp> next_at;
    if (!due_.empty()) next_at = std::max(now, due_.begin()->first);
    return {w, next_at};
  }
  return {std::nullopt, std::nullopt};
}

bool OutboundQueue::on_result(Timestamp now, const OutboundWrite& w, WriteOutcome outcome,
                              std::optional<Millis> retry_after) {
  const bool is_set = w.kind == WriteKind::set_busy;
  const bool cleared =
      !is_set && (outcome == WriteOutcome::ok || outcome == WriteOutcome::not_found);
  const auto it = entries_.find(w.agent);
  if (it == entries_.end()) return cleared;  // forgotten while in flight
  Entry& e = it->second;
  e.in_flight = false;
  if (is_set && outcome == WriteOutcome::not_found) outcome = WriteOutcome::rejected;
  switch (outcome) {
    case WriteOutcome::ok:
    case WriteOutcome::not_found:
      budget_.on_success();
      e.failures = 0;
      e.not_before.reset();
      if (is_set) {
        e.shown = SessionShown::busy;
        e.expires_at = w.sent_at + config_.session_duration;
        e.renew_at = w.sent_at + config_.session_duration * config_.renew_percent / 100;
      } else {
        e.shown = SessionShown::nothing;
        e.expires_at.reset();
        e.renew_at.reset();
      }
      break;
    case WriteOutcome::throttled:
      // Graph did not apply it: what Teams shows is unchanged.
      budget_.on_throttled(now, retry_after);
      ++e.failures;
      e.not_before = now + ((retry_after && *retry_after > Millis::zero()) ? *retry_after
                                                                           : backoff(e.failures));
      break;
    case WriteOutcome::failed:
      ++e.failures;
      e.not_before = now + backoff(e.failures);
      // A set that timed out may have been applied: until its would-be expiry a clear must go.
      if (is_set && e.shown == SessionShown::nothing) {
        e.shown = SessionShown::unknown;
        e.expires_at = w.sent_at + config_.session_duration;
      }
      break;
    case WriteOutcome::rejected:
      // Repeating a refused write cannot help: drop the wish. A refused clear leaves the
      // session to lapse at its expiry.
      e.failures = 0;
      e.not_before.reset();
      if (is_set) {
        e.wants_busy = false;
      } else {
        e.shown = SessionShown::nothing;
        e.expires_at.reset();
        e.renew_at.reset();
      }
      break;
  }
  reschedule(w.agent, now, cleared);
  return cleared;
}

void OutboundQueue::forget(UserId agent) {
  const auto it = entries_.find(agent);
  if (it == entries_.end()) return;
  if (it->second.due) due_.erase({*it->second.due, agent});
  entries_.erase(it);
}

std::optional<OutboundAgentView> OutboundQueue::view(UserId agent) const {
  const auto it = entries_.find(agent);
  if (it == entries_.end()) return std::nullopt;
  const Entry& e = it->second;
  return OutboundAgentView{e.wants_busy, e.shown, e.expires_at, e.in_flight, e.due, e.failures};
}

}  // namespace ccteams::sync
