// OrgCenter: agent commands, the decision's commits, presence. Contacts and routing are in
// org_center_contacts.cpp, load and the ways out in org_center_recovery.cpp, events in
// org_center_events.cpp, prepare() and the write in org_center_store.cpp.
#include "app/org_center.hpp"

#include <spdlog/spdlog.h>

#include <cassert>
#include <limits>

namespace ccteams {

namespace asio = boost::asio;

AgentState OrgCenter::current(UserId agent) const {
  auto it = agents_.find(agent);
  if (it != agents_.end()) return it->second;
  return logged_out_agent(agent, std::nullopt);  // never logged in
}

Result<AgentState> OrgCenter::agent_for_desktop(UserId agent) {
  // prepare() read the account (and made the settings row) for this decision.
  auto it = accounts_.find(agent);
  if (it == accounts_.end()) {
    return make_error(Errc::internal, "the agent's account was not read before the decision");
  }
  if (!it->second) return it->second.error();
  if (!it->second->roles.has(Role::agent)) {
    return make_error(Errc::forbidden, "this account does not have the agent role");
  }
  return current(agent);
}

DesktopProfile OrgCenter::profile_of(UserId agent) {
  auto cfg = config_.get_agent(agent);
  if (cfg && cfg->desktop_profile) {
    auto p = config_.get_desktop_profile(*cfg->desktop_profile);
    if (p) return *p;
  }
  DesktopProfile defaults;
  defaults.org = org_;
  return defaults;
}

std::optional<std::string> OrgCenter::idle_code_name(const std::optional<IdleCodeId>& id) {
  if (!id) return std::nullopt;
  auto code = config_.get_idle_code(*id);
  if (!code) return std::nullopt;
  return code->name;
}

Result<AgentStateView> OrgCenter::view(const AgentState& s) {
  return AgentStateView{s, idle_code_name(s.idle_code)};
}

// ---- agent commands ----

Result<AgentStateView> OrgCenter::login(UserId agent, std::optional<IdleCodeId> idle_code) {
  auto before = agent_for_desktop(agent);
  if (!before) return std::move(before).error();
  if (idle_code) {
    auto code = config_.get_idle_code(*idle_code);
    if (!code) return std::move(code).error();
    if (auto r = check_manual_idle_code(*code, profile_of(agent)); !r) return std::move(r).error();
  }
  auto t = apply(*before, Login{idle_code}, deps_.clock.now());
  if (!t) return std::move(t).error();
  commit_agent(*before, *t);
  dispatch();
  return view(current(agent));
}

Result<AgentStateView> OrgCenter::logout(UserId agent) {
  auto before = agent_for_desktop(agent);
  if (!before) return std::move(before).error();
  auto t = apply(*before, Logout{}, deps_.clock.now());
  if (!t) return std::move(t).error();
  commit_agent(*before, *t);
  return view(t->state);
}

Result<AgentStateView> OrgCenter::set_available(UserId agent) {
  auto before = agent_for_desktop(agent);
  if (!before) return std::move(before).error();
  auto t = apply(*before, SetAvailable{}, deps_.clock.now());
  if (!t) return std::move(t).error();
  commit_agent(*before, *t);
  dispatch();
  return view(current(agent));
}

Result<AgentStateView> OrgCenter::set_idle(UserId agent, IdleCodeId code_id) {
  auto before = agent_for_desktop(agent);
  if (!before) return std::move(before).error();
  auto code = config_.get_idle_code(code_id);
  if (!code) {
    if (code.error().code == Errc::not_found) {
      return make_error(Errc::invalid_input, "field 'idleCodeId': no such idle code");
    }
    return std::move(code).error();
  }
  if (auto r = check_manual_idle_code(*code, profile_of(agent)); !r) return std::move(r).error();
  auto t = apply(*before, SetIdle{code_id}, deps_.clock.now());
  if (!t) return std::move(t).error();
  commit_agent(*before, *t);
  return view(t->state);
}

Result<AgentStateView> OrgCenter::state_of(UserId agent) {
  auto s = agent_for_desktop(agent);
  if (!s) return std::move(s).error();
  return view(*s);
}

Result<void> OrgCenter::check_logged_out(UserId agent) {
  const AgentState s = current(agent);
  if (s.status != AgentStatus::logged_out) {
    return make_error(Errc::conflict, "agent is " + std::string(agent_status_name(s.status)) +
                                          "; they must log out first (a supervisor can log "
                                          "them out whatever they hold)");
  }
  return ok();
}

Result<std::vector<AgentStateView>> OrgCenter::agent_states() {
  std::vector<AgentStateView> out;
  for (const auto& c : config_.list_agents()) {
    auto v = view(current(c.user));
    if (v) out.push_back(std::move(*v));
  }
  return out;
}

// ---- commits and events ----

namespace {

bool stored_fields_changed(const AgentState& before, const AgentState& s) {
  return before.status != s.status || before.idle_code != s.idle_code ||
         before.origin != s.origin || before.contact != s.contact || before.since != s.since ||
         before.own_session.may_show_since != s.own_session.may_show_since;
}

}  // namespace

void OrgCenter::commit_agent(const AgentState& before, const Transition& t) {
  if (stored_fields_changed(before, t.state)) decision_.states[t.state.agent] = t.state;
  adopt_agent(before, t);
}

void OrgCenter::adopt_agent(const AgentState& before, const Transition& t) {
  decision_.before.try_emplace(before.agent, before);  // the first step's: as it was found
  const AgentState& s = t.state;
  agents_[s.agent] = s;
  if (s.status == AgentStatus::available) {
    if (!table_.is_available(s.agent) || before.status != AgentStatus::available) {
      auto cfg = config_.get_agent(s.agent);
      table_.agent_available(s.agent, cfg ? cfg->queues : std::vector<QueueId>{},
                             s.since.value_or(deps_.clock.now()));
    }
  } else {
    table_.agent_unavailable(s.agent);
  }
  bool published = false;
  for (const auto& effect : t.effects) {
    if (const auto* rona = std::get_if<StartRonaTimer>(&effect)) {
      const UserId a = s.agent;
      const ContactId c = rona->contact;
      rona_timers_[{c, a}] = deps_.scheduler.schedule(
          rona->deadline, [run = deps_.run_in_org, org = org_, a, c] {
            run(org, [a, c](OrgCenter& oc) { oc.on_rona(a, c); });
          });
    } else if (const auto* cancel = std::get_if<CancelRonaTimer>(&effect)) {
      rona_timers_.erase({cancel->contact, s.agent});  // the handle cancels on destruction
    } else if (const auto* wrap = std::get_if<StartWrapUpTimer>(&effect)) {
      const UserId a = s.agent;
      const ContactId c = wrap->contact;
      wrap_timers_[a] = deps_.scheduler.schedule(
          wrap->deadline, [run = deps_.run_in_org, org = org_, a, c] {
            run(org, [a, c](OrgCenter& oc) { oc.on_wrap_up(a, c); });
          });
    } else if (std::holds_alternative<StateChanged>(effect) ||
               std::holds_alternative<TeamsPresenceUpdated>(effect)) {
      if (!published) emit_agent_state(s);
      published = true;
    } else if (std::holds_alternative<SetTeamsBusy>(effect) ||
               std::holds_alternative<ClearTeamsBusy>(effect) ||
               std::holds_alternative<ClearStaleTeamsBusy>(effect)) {
      // Presence sync's outbound writer (it only queues the intent), once the change is stored.
      if (deps_.presence.teams_effect) {
        decision_.after_commit.emplace_back(
            [hook = deps_.presence.teams_effect, org = org_, effect] { hook(org, effect); });
      }
    }
    // RequeueContact is done by the contact operation that caused it (it holds the contact).
  }
  if (s.status != AgentStatus::wrap_up) wrap_timers_.erase(s.agent);
  const bool was_in = before.status != AgentStatus::logged_out;
  const bool is_in = s.status != AgentStatus::logged_out;
  if (was_in != is_in && deps_.presence.login) {
    decision_.after_commit.emplace_back(
        [hook = deps_.presence.login, org = org_, agent = s.agent, is_in] {
          hook(org, agent, is_in);
        });
  }
}

Result<PresenceApplyReport> OrgCenter::apply_presences(std::vector<AgentPresenceUpdate> updates,
                                                       const PresenceMapping& mapping) {
  const Timestamp now = deps_.clock.now();
  PresenceApplyReport report;
  std::vector<std::pair<AgentState, Transition>> steps;
  steps.reserve(updates.size());
  // The same agent twice in one batch: each update sees the previous one's result.
  std::unordered_map<UserId, std::size_t> index;
  for (auto& u : updates) {
    auto seen = index.find(u.agent);
    AgentState before;
    if (seen != index.end()) {
      before = steps[seen->second].second.state;
    } else {
      auto it = agents_.find(u.agent);
      if (it == agents_.end()) continue;  // never logged in: nothing to record yet
      before = it->second;
    }
    const PresenceChanged event = presence_changed(std::move(u.observed), mapping);
    const PresenceOutcome outcome = classify_presence(before, event);
    ++report.outcomes[static_cast<std::size_t>(outcome)];
    auto t = apply(before, event, now);
    if (!t) continue;  // presence is never refused; defensive
    if (stored_fields_changed(before, t->state)) ++report.state_changes;
    if (seen != index.end()) {
      steps[seen->second].second = std::move(*t);  // keeps the first `before`
    } else {
      index.emplace(u.agent, steps.size());
      steps.emplace_back(std::move(before), std::move(*t));
    }
  }
  for (const auto& [before, t] : steps) commit_agent(before, t);
  if (report.state_changes > 0) dispatch();
  return report;
}

Result<void> OrgCenter::set_sync_enabled(const std::vector<UserId>& agents, bool enabled) {
  const Timestamp now = deps_.clock.now();
  std::vector<std::pair<AgentState, Transition>> steps;
  for (UserId agent : agents) {
    auto it = agents_.find(agent);
    AgentState before = it != agents_.end() ? it->second : logged_out_agent(agent, std::nullopt);
    if (before.sync_enabled == enabled) continue;
    const AgentEvent event = enabled ? AgentEvent{SyncEnabled{}} : AgentEvent{SyncDisabled{}};
    auto t = apply(before, event, now);
    if (!t) continue;
    steps.emplace_back(std::move(before), std::move(*t));
  }
  if (steps.empty()) return ok();
  for (const auto& [before, t] : steps) commit_agent(before, t);
  dispatch();
  return ok();
}

Result<void> OrgCenter::teams_busy_cleared(UserId agent, Timestamp at) {
  auto it = agents_.find(agent);
  if (it == agents_.end()) return ok();
  const AgentState before = it->second;
  auto t = apply(before, TeamsBusyCleared{at}, deps_.clock.now());
  if (!t) return std::move(t).error();
  commit_agent(before, *t);  // the echo window moves (memory); the mark goes (stored)
  return ok();
}

Result<void> OrgCenter::own_session_gone(UserId agent) {
  auto it = agents_.find(agent);
  if (it == agents_.end()) return ok();
  const AgentState before = it->second;
  auto t = apply(before, OwnSessionGone{}, deps_.clock.now());
  if (!t) return std::move(t).error();
  commit_agent(before, *t);
  return ok();
}

void OrgCenter::commit_contact(const Contact& before, const Contact& c) {
  decision_.contacts[c.id] = c;
  // The same deltas the store's counters take (migration 5), so memory and store agree.
  Counters& k = counters_[c.queue];
  k.offered += c.offers - before.offers;
  k.answered += c.answers - before.answers;
  k.rona += c.ronas - before.ronas;
  if (c.status == ContactStatus::ended) {
    contacts_.erase(c.id);
    table_.remove_contact(c.id);
    // Every agent's timer for it: the range of keys (c.id, any agent).
    rona_timers_.erase(
        rona_timers_.lower_bound({c.id, UserId{std::numeric_limits<std::int64_t>::min()}}),
        rona_timers_.upper_bound({c.id, UserId{std::numeric_limits<std::int64_t>::max()}}));
  } else {
    contacts_[c.id] = c;
  }
  emit_contact(c);
  emit_queue(c.queue);
}

}  // namespace ccteams
