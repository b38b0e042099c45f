// OrgCenter: load (restart recovery with its repairs) and the supervisor's ways out.
//
// What load() repairs, in this order (contact_center.hpp states the same rules for users):
//  1. A contact Offered to an agent whose desktop does not ring for it: re-queued at its place.
//  2. A contact Connected/OnHold/Consulting/Conferenced whose agent is not Engaged on it:
//     re-queued at its place (the customer is still there; another agent answers), its consulted
//     agent released.
//  3. A consult whose consulted agent neither rings nor talks for it: the consult ends
//     (PartyLeft), the customer stays with the primary agent.
//  4. An agent Reserved for a contact that is not offered to them (nor ringing as a consult):
//     released (OfferWithdrawn: Available, or the idle their remembered presence maps to).
//  5. An agent Engaged on a contact they do not handle (ended, or with someone else): the
//     contact is over for them (ContactEnded): WrapUp for their profile's wrap-up time, then
//     Available.
// Everything consistent is kept as it was, timers included: a ringing offer rings on for the
// rest of its RONA time (its deadline is the agent's `since` plus the RONA timeout; past it,
// RONA applies at once) and counts no new offer; a wrap-up ends at its own deadline.
#include <spdlog/spdlog.h>

#include "app/org_center.hpp"

namespace ccteams {

namespace {

bool connected_like(ContactStatus s) {
  return s == ContactStatus::connected || s == ContactStatus::on_hold ||
         s == ContactStatus::consulting || s == ContactStatus::conferenced;
}

std::string describe(const AgentState& s) {
  std::string out(agent_status_name(s.status));
  if (s.contact) out += " with contact " + std::to_string(s.contact->value);
  return out;
}

}  // namespace

bool OrgCenter::rings(UserId agent, ContactId id) const {
  const AgentState s = current(agent);
  return s.status == AgentStatus::reserved && s.contact == id;
}

bool OrgCenter::talks(UserId agent, ContactId id) const {
  const AgentState s = current(agent);
  return s.status == AgentStatus::engaged && s.contact == id;
}

std::vector<OrgCenter::AgentStep> OrgCenter::release_steps(const Contact& c) {
  std::vector<AgentStep> steps;
  std::vector<UserId> involved;
  if (c.agent) involved.push_back(*c.agent);
  if (auto party = party_agent(c)) involved.push_back(*party);
  for (UserId agent : involved) {
    if (rings(agent, c.id)) {
      steps.push_back({agent, OfferWithdrawn{c.id}});
    } else if (talks(agent, c.id)) {
      steps.push_back({agent, ContactEnded{c.id, profile_of(agent).wrap_up()}});
    }
  }
  return steps;
}

namespace {

// What the store does not keep of an agent: presence sync's bookkeeping. Our session's mark
// (may_show_since) is stored: the store's value stands.
void keep_presence_bookkeeping(const AgentState& from, AgentState& to) {
  to.sync_enabled = from.sync_enabled;
  to.teams_presence = from.teams_presence;
  to.baseline = from.baseline;
  to.remembered = from.remembered;
  to.own_session.active = from.own_session.active;
  to.own_session.cleared_at = from.own_session.cleared_at;
}

}  // namespace

Result<OrgCenter::Rows> OrgCenter::read_rows(Stores& stores, OrgId org) {
  ContactCenterStore& cc = stores.contact_center();
  auto config = OrgConfig::load(cc, org);
  if (!config) return std::move(config).error();
  auto states = cc.list_agent_states(org);
  if (!states) return std::move(states).error();
  auto open = cc.list_open_contacts(org);
  if (!open) return std::move(open).error();
  auto counts = cc.list_queue_counts(org);
  if (!counts) return std::move(counts).error();
  return Rows{std::move(*states), std::move(*open), std::move(*counts), std::move(*config)};
}

Result<void> OrgCenter::load(Rows rows, const AgentMap* memory, Millis overdue_delay) {
  config_ = std::move(rows.config);
  config_stale_ = false;
  absent_codes_.clear();
  for (auto& s : rows.states) {
    if (memory != nullptr) {
      if (auto it = memory->find(s.agent); it != memory->end()) {
        keep_presence_bookkeeping(it->second, s);
      }
    }
    agents_[s.agent] = s;
  }
  for (auto& c : rows.open) contacts_[c.id] = c;
  for (const auto& k : rows.counts) counters_[k.queue] = Counters{k.offered, k.answered, k.rona};
  const Timestamp now = deps_.clock.now();
  for (const Contact& c : rows.open) {
    // The stored version: an earlier repair never touches another contact.
    if (auto r = repair_contact(c); !r) return r;
  }
  for (const AgentState& s : rows.states) {
    if (auto r = repair_agent(current(s.agent), now); !r) return r;
  }
  restore_timers(now, overdue_delay);
  for (auto& [id, c] : contacts_) {
    if (c.status == ContactStatus::queued) table_.enqueue(id, c.queue, c.enqueued_at);
  }
  dispatch();
  return ok();
}

Result<void> OrgCenter::repair_contact(const Contact& c) {
  std::string why;
  Result<Contact> repaired = c;
  if (c.status == ContactStatus::offered && c.agent && !rings(*c.agent, c.id)) {
    why = "offered to agent " + std::to_string(c.agent->value) + " who is " +
          describe(current(*c.agent)) + ": re-queued";
    repaired = settle(c, Requeue{}, {}, PartyRule::caller_decides);
  } else if (connected_like(c.status) && c.agent && !talks(*c.agent, c.id)) {
    why = std::string(contact_status_name(c.status)) + " to agent " +
          std::to_string(c.agent->value) + " who is " + describe(current(*c.agent)) +
          ": re-queued";
    repaired = settle(c, Requeue{}, release_steps(c), PartyRule::caller_decides);
  } else if (auto party = party_agent(c);
             party && !(c.party_joined ? talks(*party, c.id) : rings(*party, c.id))) {
    why = "consulting agent " + std::to_string(party->value) + " who is " +
          describe(current(*party)) + ": the consult ended";
    repaired = settle(c, PartyLeft{*party}, {}, PartyRule::caller_decides);
  } else {
    return ok();
  }
  if (!repaired) return std::move(repaired).error();
  deps_.repaired();  // a re-queued contact joins the routing table with the other queued ones
  spdlog::warn("contact center: recovery: org {} contact {} was {}", org_.value, c.id.value, why);
  return ok();
}

Result<void> OrgCenter::repair_agent(const AgentState& s, Timestamp now) {
  if (!s.contact) return ok();
  const ContactId id = *s.contact;
  auto it = contacts_.find(id);
  const Contact* c = it == contacts_.end() ? nullptr : &it->second;
  AgentEvent fix;
  if (s.status == AgentStatus::reserved) {
    const bool offered = c && c->status == ContactStatus::offered && c->agent == s.agent;
    const bool consulted = c && party_agent(*c) == s.agent && !c->party_joined;
    if (offered || consulted) return ok();
    fix = OfferWithdrawn{id};
  } else if (s.status == AgentStatus::engaged) {
    const bool handles = c && connected_like(c->status) && c->agent == s.agent;
    const bool joined = c && party_agent(*c) == s.agent && c->party_joined;
    if (handles || joined) return ok();
    fix = ContactEnded{id, profile_of(s.agent).wrap_up()};
  } else {
    return ok();  // WrapUp needs no open contact
  }
  auto t = apply(s, fix, now);
  if (!t) return std::move(t).error();
  commit_agent(s, *t);
  deps_.repaired();
  spdlog::warn("contact center: recovery: org {} agent {} was {} (contact {}), now {}", org_.value,
               s.agent.value, agent_status_name(s.status),
               c ? std::string(contact_status_name(c->status)) : "gone",
               agent_status_name(t->state.status));
  return ok();
}

void OrgCenter::restore_timers(Timestamp now, Millis overdue_delay) {
  auto at = [&](Timestamp deadline) { return std::max(deadline, now + overdue_delay); };
  for (auto& [agent, s] : agents_) {
    const UserId a = agent;
    if (s.status == AgentStatus::available) {
      if (table_.is_available(a)) continue;  // a repair made them Available: already in
      auto cfg = config_.get_agent(a);
      if (cfg) table_.agent_available(a, cfg->queues, s.since.value_or(now));
    } else if (s.status == AgentStatus::reserved && s.contact) {
      // Rings on for what is left of its RONA time (RONA at once when none is left).
      const ContactId c = *s.contact;
      if (rona_timers_.contains({c, a})) continue;
      rona_timers_[{c, a}] = deps_.scheduler.schedule(
          at(s.since.value_or(now) + profile_of(a).rona_timeout()),
          [run = deps_.run_in_org, org = org_, a, c] {
            run(org, [a, c](OrgCenter& oc) { oc.on_rona(a, c); });
          });
    } else if (s.status == AgentStatus::wrap_up && s.contact) {
      if (wrap_timers_.contains(a)) continue;
      const ContactId c = *s.contact;
      wrap_timers_[a] = deps_.scheduler.schedule(
          at(s.since.value_or(now) + profile_of(a).wrap_up()),
          [run = deps_.run_in_org, org = org_, a, c] {
            run(org, [a, c](OrgCenter& oc) { oc.on_wrap_up(a, c); });
          });
    }
  }
}

// ---- the ways out ----

Result<AgentStateView> OrgCenter::supervise(UserId agent, SupervisorTarget target) {
  auto read = accounts_.find(agent);  // prepare() read it (DecisionNeeds::account)
  if (read == accounts_.end()) {
    return make_error(Errc::internal, "the agent's account was not read before the decision");
  }
  const Result<UserAccount>& user = read->second;
  if (!user) return user.error();
  if (!user->roles.has(Role::agent)) {
    return make_error(Errc::invalid_input, "this account does not have the agent role");
  }
  const AgentState before = current(agent);
  const Timestamp now = deps_.clock.now();
  if (target.status != AgentStatus::logged_out) {
    if (target.idle_code) {
      auto code = config_.get_idle_code(*target.idle_code);
      if (!code) {
        if (code.error().code == Errc::not_found) {
          return make_error(Errc::invalid_input, "field 'idleCodeId': no such idle code");
        }
        return std::move(code).error();
      }
      if (!code->active) {
        return make_error(Errc::invalid_input, "field 'idleCodeId': the idle code is inactive");
      }
    }
    auto t = apply(before, SupervisorSet{target.idle_code}, now);
    if (!t) return std::move(t).error();
    commit_agent(before, *t);
    dispatch();
    return view(current(agent));
  }
  // A forced log-out settles the contact the agent rings or talks for in the same decision:
  // the primary agent's contact goes back to its queue, a consult ends for the consulted agent.
  // Whatever the contact says, the log-out itself always happens.
  auto it = before.contact ? contacts_.find(*before.contact) : contacts_.end();
  Result<Contact> settled = make_error(Errc::conflict, "no contact of the agent's to settle");
  if (it != contacts_.end() && (rings(agent, it->first) || talks(agent, it->first))) {
    const Contact c = it->second;
    if (party_agent(c) == agent) {
      settled = settle(c, PartyLeft{agent}, {{agent, ForceLogout{}}}, PartyRule::caller_decides);
    } else if (c.agent == agent) {
      std::vector<AgentStep> steps{{agent, ForceLogout{}}};
      for (auto& step : release_steps(c)) {
        if (step.agent != agent) steps.push_back(std::move(step));
      }
      settled = settle(c, Requeue{}, std::move(steps), PartyRule::caller_decides);
      if (settled) requeue(*settled);
    }
  }
  if (!settled) {
    auto t = apply(before, ForceLogout{}, now);
    if (!t) return std::move(t).error();
    commit_agent(before, *t);
  }
  dispatch();
  return view(current(agent));
}

Result<Contact> OrgCenter::force_end(ContactId id) {
  auto c = open_contact(id);
  if (!c) return std::move(c).error();
  auto ct = settle(**c, ForceEnd{}, release_steps(**c), PartyRule::caller_decides);
  if (!ct) return ct;
  dispatch();
  return ct;
}

Result<Contact> OrgCenter::requeue_contact(ContactId id) {
  auto c = open_contact(id);
  if (!c) return std::move(c).error();
  auto ct = settle(**c, Requeue{}, release_steps(**c), PartyRule::caller_decides);
  if (!ct) return ct;
  requeue(*ct);
  dispatch();
  return contact(id);
}

}  // namespace ccteams
