// OrgCenter: contacts, routing and the RONA / wrap-up timers.
#include <algorithm>
#include <cassert>
#include <spdlog/spdlog.h>

#include "app/org_center.hpp"

namespace ccteams {

namespace {

Error not_yours() {
  return make_error(Errc::conflict, "contact is not offered to or handled by you");
}

}  // namespace

Result<Contact> OrgCenter::contact(ContactId id) {
  auto it = contacts_.find(id);
  if (it != contacts_.end()) return it->second;
  // Not open: prepare() read it (DecisionNeeds::contact) for this decision.
  auto read = looked_up_.find(id);
  if (read == looked_up_.end()) {
    return make_error(Errc::internal,
                      "contact " + std::to_string(id.value) + " was not read before the decision");
  }
  return read->second;
}

Result<Contact*> OrgCenter::open_contact(ContactId id) {
  auto it = contacts_.find(id);
  if (it == contacts_.end()) {
    auto ended = contact(id);
    if (!ended) return std::move(ended).error();
    return make_error(Errc::conflict, "contact is " +
                                          std::string(contact_status_name(ended->status)));
  }
  return &it->second;
}

Result<Contact*> OrgCenter::own_contact(UserId agent, ContactId id) {
  auto c = open_contact(id);
  if (c && (*c)->agent != agent) return not_yours();
  return c;
}

void OrgCenter::requeue(const Contact& c) { table_.enqueue(c.id, c.queue, c.enqueued_at); }

AgentEvent OrgCenter::party_event(const PartyAgentChange& change, ContactId contact) {
  switch (change.change) {
    case PartyChange::ring: return Offer{contact, profile_of(change.agent).rona_timeout()};
    case PartyChange::answer: return Accept{contact};
    case PartyChange::withdraw: return OfferWithdrawn{contact};
    case PartyChange::leave: return ContactEnded{contact, profile_of(change.agent).wrap_up()};
  }
  return OfferWithdrawn{contact};
}

// c by value: callers pass the entry of contacts_ that commit_contact replaces or erases.
Result<Contact> OrgCenter::settle(Contact c, const ContactEvent& event,
                                  std::vector<AgentStep> steps, PartyRule party) {
  const Timestamp now = deps_.clock.now();
  auto after = apply(c, event, now);
  if (!after) return after;
  std::optional<UserId> consulted;
  if (party == PartyRule::derive) {
    if (auto change = party_agent_change(c, *after)) {
      const bool given = std::any_of(steps.begin(), steps.end(),
                                     [&](const AgentStep& s) { return s.agent == change->agent; });
      if (!given) {
        // Released agents first: their CancelRonaTimer must not meet a new offer's timer.
        steps.insert(steps.begin(), AgentStep{change->agent, party_event(*change, c.id)});
        consulted = change->agent;
      }
    }
  }
  std::vector<std::pair<AgentState, Transition>> planned;
  planned.reserve(steps.size());
  for (const AgentStep& step : steps) {
    AgentState before = current(step.agent);
    auto t = apply(before, step.event, now);
    if (!t) {
      if (step.agent == consulted) {
        return make_error(t.error().code, "the consulted agent: " + t.error().message);
      }
      return std::move(t).error();
    }
    planned.emplace_back(std::move(before), std::move(*t));
  }
  commit_contact(c, *after);
  for (const auto& [before, t] : planned) commit_agent(before, t);
  return after;
}

Result<Contact> OrgCenter::new_contact() {
  // The one write outside the decision's transaction: prepare() stored the contact, as its id
  // comes from the store. A crash before the decision's write loses only the contact's first
  // event; the Queued contact is complete and load() queues it again.
  if (!inserted_) return make_error(Errc::internal, "the new contact was not stored first");
  const std::optional<Contact> stored = std::exchange(inserted_, std::nullopt);
  const QueueId queue = stored->queue;
  contacts_[stored->id] = *stored;
  requeue(*stored);
  emit_contact(*stored);
  emit_queue(queue);
  dispatch();
  return contacts_.contains(stored->id) ? contacts_[stored->id] : *stored;
}

void OrgCenter::dispatch() {
  for (const RoutingOffer& offer : table_.take_offers()) {
    auto cit = contacts_.find(offer.contact);
    if (cit == contacts_.end()) continue;
    const Contact c = cit->second;
    const AgentState before = current(offer.agent);
    const DesktopProfile profile = profile_of(offer.agent);
    auto r = settle(c, OfferTo{offer.agent}, {{offer.agent, Offer{c.id, profile.rona_timeout()}}});
    if (!r) {
      // The table and the states disagree (a bug or a race with a write failure): keep the
      // contact's place and the agent's availability, and say so.
      spdlog::warn("contact center: offer of contact {} to agent {} refused: {}", c.id.value,
                   offer.agent.value, r.error().message);
      if (contacts_.contains(c.id) && contacts_[c.id].status == ContactStatus::queued) requeue(c);
      if (current(offer.agent).status == AgentStatus::available && before.since) {
        auto cfg = config_.get_agent(offer.agent);
        if (cfg) table_.agent_available(offer.agent, cfg->queues, *before.since);
      }
    }
  }
}

Result<Contact> OrgCenter::accept(UserId agent, ContactId id) {
  auto c = open_contact(id);
  if (!c) return std::move(c).error();
  if ((*c)->agent == agent) return settle(**c, AcceptBy{agent}, {{agent, Accept{id}}});
  if (party_agent(**c) == agent) return settle(**c, PartyAnswered{agent}, {});
  return not_yours();
}

Result<Contact> OrgCenter::decline(UserId agent, ContactId id) {
  auto c = open_contact(id);
  if (!c) return std::move(c).error();
  if ((*c)->agent == agent) {
    auto ct = settle(**c, DeclineBy{agent}, {{agent, Decline{id}}});
    if (!ct) return ct;
    requeue(*ct);
  } else if (party_agent(**c) == agent) {
    if ((*c)->party_joined) {
      return make_error(Errc::conflict, "you have answered this consult; end it to leave");
    }
    if (auto ct = settle(**c, PartyLeft{agent}, {}); !ct) return ct;
  } else {
    return not_yours();
  }
  dispatch();
  return contact(id);
}

void OrgCenter::on_rona(UserId agent, ContactId id) {
  assert(deps_.actors.on_strand(org_) && "organisation state outside its strand");
  rona_timers_.erase({id, agent});
  auto cit = contacts_.find(id);
  if (cit == contacts_.end()) return;
  const Contact c = cit->second;
  const bool offer = c.status == ContactStatus::offered && c.agent == agent;
  const bool consult = party_agent(c) == agent && !c.party_joined;
  if (!offer && !consult) return;  // answered meanwhile
  const IdleCode& rona_code = config_.rona_idle_code();
  // A consult that rings out ends the consult (the primary agent has the customer back) and
  // idles the consulted agent as any unanswered offer does.
  const ContactEvent event = offer ? ContactEvent{RonaBy{agent}} : ContactEvent{PartyLeft{agent}};
  auto ct = settle(c, event, {{agent, RonaTimeout{id, rona_code.id}}});
  if (!ct) {
    spdlog::error("contact center: RONA of contact {} for agent {} not applied: {}", id.value,
                  agent.value, ct.error().message);
    return;
  }
  deps_.rang_out();
  if (offer) requeue(*ct);
  dispatch();
}

void OrgCenter::on_wrap_up(UserId agent, ContactId id) {
  assert(deps_.actors.on_strand(org_) && "organisation state outside its strand");
  wrap_timers_.erase(agent);
  const AgentState before = current(agent);
  auto at = apply(before, WrapUpDone{id}, deps_.clock.now());
  if (!at) return;  // the agent finished wrap-up by hand meanwhile
  commit_agent(before, *at);
  dispatch();
}

Result<Contact> OrgCenter::contact_event(UserId agent, ContactId id, const ContactEvent& event) {
  auto c = own_contact(agent, id);
  if (!c) return std::move(c).error();
  if (const auto* consult = std::get_if<Consult>(&event)) {
    if (const auto* a = std::get_if<AgentParty>(&consult->party)) {
      auto target = config_.get_agent(a->agent);
      if (!target) return make_error(Errc::invalid_input, "field 'agentId': no such agent");
    }
  }
  return settle(**c, event, {});
}

Result<Contact> OrgCenter::transfer(UserId agent, ContactId id, ContactParty party) {
  auto c = own_contact(agent, id);
  if (!c) return std::move(c).error();
  std::vector<AgentStep> steps{{agent, ContactEnded{id, profile_of(agent).wrap_up()}}};
  if (const auto* a = std::get_if<AgentParty>(&party)) {
    auto target_cfg = config_.get_agent(a->agent);
    if (!target_cfg) return make_error(Errc::invalid_input, "field 'agentId': no such agent");
    // The consulted agent already rings or talks for this contact: nothing to offer them.
    if (party_agent(**c) != a->agent) {
      steps.push_back({a->agent, Offer{id, profile_of(a->agent).rona_timeout()}});
    }
  }
  auto ct = settle(**c, Transfer{std::move(party)}, std::move(steps));
  if (!ct) return ct;
  dispatch();
  return ct;
}

Result<Contact> OrgCenter::end(UserId agent, ContactId id) {
  auto c = open_contact(id);
  if (!c) return std::move(c).error();
  Result<Contact> ct = not_yours();
  if ((*c)->agent == agent) {
    ct = settle(**c, End{}, {{agent, ContactEnded{id, profile_of(agent).wrap_up()}}});
  } else if (party_agent(**c) == agent) {
    ct = settle(**c, PartyLeft{agent}, {});  // the consulted agent hangs up
  }
  if (!ct) return ct;
  dispatch();
  return ct;
}

Result<AgentStateView> OrgCenter::wrap_up(UserId agent, ContactId id, const std::string& code) {
  const Timestamp now = deps_.clock.now();
  // An unknown id (or another organisation's) is 404 before the agent's state is looked at, as
  // for every other contact command: the answer never depends on what another organisation has.
  auto stored = contact(id);
  if (!stored) return std::move(stored).error();
  const AgentState before = current(agent);
  auto at = apply(before, WrapUpDone{id}, now);
  if (!at) return std::move(at).error();
  // The code belongs to the contact when this agent handled it last (an agent who transferred
  // it to a colleague, or a consulted agent, publishes theirs without overwriting the record).
  std::optional<Contact> coded;
  if (!code.empty()) {
    auto ct = apply(*stored, RecordWrapUp{agent, code}, now);
    if (ct) {
      coded = std::move(*ct);
    } else if (ct.error().code == Errc::invalid_input) {
      return std::move(ct).error();
    }
  }
  if (coded) decision_.contacts[coded->id] = *coded;
  commit_agent(before, *at);
  if (!code.empty()) {
    emit(agent, WrapUpRecorded{id, agent, code});
  }
  if (coded) emit_contact(*coded);
  dispatch();
  return view(current(agent));
}

Result<Contact> OrgCenter::abandon(ContactId id) {
  auto c = open_contact(id);
  if (!c) return std::move(c).error();
  std::vector<AgentStep> steps;
  if ((*c)->status == ContactStatus::offered && (*c)->agent) {
    const AgentState ringing = current(*(*c)->agent);
    // Only an agent whose desktop rings for it is released (a stale state must not block the
    // caller's hang-up).
    if (ringing.status == AgentStatus::reserved && ringing.contact == id) {
      steps.push_back({*(*c)->agent, OfferWithdrawn{id}});
    }
  }
  auto ct = settle(**c, Abandon{}, std::move(steps));
  if (!ct) return ct;
  dispatch();
  return ct;
}

}  // namespace ccteams
