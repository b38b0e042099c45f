// OrgCenter: contacts, routing and the RONA / wrap-up timers.
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "app/org_center.hpp"
#include "core/e164.hpp"

namespace ccteams {

Result<Contact> OrgCenter::contact(ContactId id) {
  auto it = contacts_.find(id);
  if (it != contacts_.end()) return it->second;
  return deps_.store.get_contact(org_, id);
}

Result<Contact*> OrgCenter::own_contact(UserId agent, ContactId id) {
  auto it = contacts_.find(id);
  if (it == contacts_.end()) {
    auto ended = deps_.store.get_contact(org_, id);
    if (!ended) return std::move(ended).error();
    return make_error(Errc::conflict, "contact is " +
                                          std::string(contact_status_name(ended->status)));
  }
  if (it->second.agent != agent) {
    return make_error(Errc::conflict, "contact is not offered to or handled by you");
  }
  return &it->second;
}

void OrgCenter::requeue(const Contact& c) { table_.enqueue(c.id, c.queue, c.enqueued_at); }

Result<Contact> OrgCenter::new_contact(QueueId queue, std::string caller) {
  auto q = deps_.store.get_queue(org_, queue);
  if (!q) {
    if (q.error().code == Errc::not_found) {
      return make_error(Errc::invalid_input, "field 'queueId': no such queue");
    }
    return std::move(q).error();
  }
  const Timestamp now = deps_.clock.now();
  auto stored = deps_.store.put_contact(ccteams::new_contact(ContactId{}, org_, queue,
                                                             std::move(caller), now));
  if (!stored) return std::move(stored).error();
  contacts_[stored->id] = *stored;
  requeue(*stored);
  emit_contact(*stored);
  emit_queue(queue);
  dispatch();
  return contacts_.contains(stored->id) ? contacts_[stored->id] : *stored;
}

void OrgCenter::dispatch() {
  const Timestamp now = deps_.clock.now();
  for (const RoutingOffer& offer : table_.take_offers()) {
    auto cit = contacts_.find(offer.contact);
    if (cit == contacts_.end()) continue;
    const Contact c = cit->second;
    const AgentState before = current(offer.agent);
    const DesktopProfile profile = profile_of(offer.agent);
    auto at = apply(before, Offer{c.id, profile.rona_timeout()}, now);
    auto ct = apply(c, OfferTo{offer.agent}, now);
    if (!at || !ct) {
      // The table and the states disagree (a bug or a race with a write failure): keep the
      // contact's place and the agent's availability, and say so.
      spdlog::warn("contact center: offer of contact {} to agent {} refused: {}", c.id.value,
                   offer.agent.value, (!at ? at.error() : ct.error()).message);
      requeue(c);
      if (at && before.status == AgentStatus::available) {
        auto cfg = deps_.store.get_agent(org_, offer.agent);
        if (cfg) table_.agent_available(offer.agent, cfg->queues, before.since);
      }
      continue;
    }
    if (auto r = commit_contact(*ct); !r) {
      spdlog::error("contact center: storing offer failed: {}", r.error().message);
      requeue(c);
      continue;
    }
    if (auto r = commit_agent(before, *at); !r) {
      spdlog::error("contact center: storing agent offer failed: {}", r.error().message);
    }
    ++counters_[c.queue].offered;
    emit_queue(c.queue);
  }
}

Result<Contact> OrgCenter::accept(UserId agent, ContactId id) {
  auto c = own_contact(agent, id);
  if (!c) return std::move(c).error();
  const Timestamp now = deps_.clock.now();
  const AgentState before = current(agent);
  auto ct = apply(**c, AcceptBy{agent}, now);
  if (!ct) return ct;
  auto at = apply(before, Accept{id}, now);
  if (!at) return std::move(at).error();
  if (auto r = commit_contact(*ct); !r) return std::move(r).error();
  if (auto r = commit_agent(before, *at); !r) return std::move(r).error();
  ++counters_[ct->queue].answered;
  emit_queue(ct->queue);
  return ct;
}

Result<Contact> OrgCenter::decline(UserId agent, ContactId id) {
  auto c = own_contact(agent, id);
  if (!c) return std::move(c).error();
  const Timestamp now = deps_.clock.now();
  const AgentState before = current(agent);
  auto ct = apply(**c, DeclineBy{agent}, now);
  if (!ct) return ct;
  auto at = apply(before, Decline{id}, now);
  if (!at) return std::move(at).error();
  if (auto r = commit_contact(*ct); !r) return std::move(r).error();
  requeue(*ct);
  if (auto r = commit_agent(before, *at); !r) return std::move(r).error();
  dispatch();
  return contact(id);
}

void OrgCenter::on_rona(UserId agent, ContactId id) {
  rona_timers_.erase(id);
  auto cit = contacts_.find(id);
  if (cit == contacts_.end() || cit->second.agent != agent) return;  // answered meanwhile
  const Timestamp now = deps_.clock.now();
  auto rona_code = deps_.store.ensure_rona_idle_code(org_);
  if (!rona_code) {
    spdlog::error("contact center: no RONA idle code: {}", rona_code.error().message);
    return;
  }
  const AgentState before = current(agent);
  auto at = apply(before, RonaTimeout{id, rona_code->id}, now);
  auto ct = apply(cit->second, RonaBy{agent}, now);
  if (!at || !ct) return;  // the offer was settled while the timer fired
  if (auto r = commit_contact(*ct); !r) {
    spdlog::error("contact center: storing RONA failed: {}", r.error().message);
    return;
  }
  requeue(*ct);
  if (auto r = commit_agent(before, *at); !r) {
    spdlog::error("contact center: storing RONA state failed: {}", r.error().message);
  }
  ++counters_[ct->queue].rona;
  emit_queue(ct->queue);
  dispatch();
}

void OrgCenter::on_wrap_up(UserId agent, ContactId id) {
  wrap_timers_.erase(agent);
  const AgentState before = current(agent);
  auto at = apply(before, WrapUpDone{id}, deps_.clock.now());
  if (!at) return;  // the agent finished wrap-up by hand meanwhile
  if (auto r = commit_agent(before, *at); !r) {
    spdlog::error("contact center: storing wrap-up end failed: {}", r.error().message);
    return;
  }
  dispatch();
}

Result<Contact> OrgCenter::contact_event(UserId agent, ContactId id, const ContactEvent& event) {
  auto c = own_contact(agent, id);
  if (!c) return std::move(c).error();
  ContactEvent checked = event;
  if (auto* consult = std::get_if<Consult>(&checked)) {
    if (const auto* a = std::get_if<AgentParty>(&consult->party)) {
      auto target = deps_.store.get_agent(org_, a->agent);
      if (!target) return make_error(Errc::invalid_input, "field 'agentId': no such agent");
    }
  }
  auto ct = apply(**c, checked, deps_.clock.now());
  if (!ct) return ct;
  if (auto r = commit_contact(*ct); !r) return std::move(r).error();
  return ct;
}

Result<Contact> OrgCenter::transfer(UserId agent, ContactId id, ContactParty party) {
  auto c = own_contact(agent, id);
  if (!c) return std::move(c).error();
  const Timestamp now = deps_.clock.now();
  const AgentState before = current(agent);
  auto ct = apply(**c, Transfer{party}, now);
  if (!ct) return ct;
  auto at = apply(before, ContactEnded{id, profile_of(agent).wrap_up()}, now);
  if (!at) return std::move(at).error();
  std::optional<Transition> target_t;
  AgentState target_before;
  if (const auto* a = std::get_if<AgentParty>(&party)) {
    auto target_cfg = deps_.store.get_agent(org_, a->agent);
    if (!target_cfg) return make_error(Errc::invalid_input, "field 'agentId': no such agent");
    target_before = current(a->agent);
    auto tt = apply(target_before, Offer{id, profile_of(a->agent).rona_timeout()}, now);
    if (!tt) return std::move(tt).error();  // e.g. the target is not Available
    target_t = std::move(*tt);
  }
  if (auto r = commit_contact(*ct); !r) return std::move(r).error();
  if (auto r = commit_agent(before, *at); !r) return std::move(r).error();
  if (target_t) {
    if (auto r = commit_agent(target_before, *target_t); !r) return std::move(r).error();
    ++counters_[ct->queue].offered;
    emit_queue(ct->queue);
  }
  dispatch();
  return ct;
}

Result<Contact> OrgCenter::end(UserId agent, ContactId id) {
  auto c = own_contact(agent, id);
  if (!c) return std::move(c).error();
  const Timestamp now = deps_.clock.now();
  const AgentState before = current(agent);
  auto ct = apply(**c, End{}, now);
  if (!ct) return ct;
  auto at = apply(before, ContactEnded{id, profile_of(agent).wrap_up()}, now);
  if (!at) return std::move(at).error();
  if (auto r = commit_contact(*ct); !r) return std::move(r).error();
  if (auto r = commit_agent(before, *at); !r) return std::move(r).error();
  dispatch();
  return ct;
}

Result<AgentStateView> OrgCenter::wrap_up(UserId agent, ContactId id, const std::string& code) {
  const AgentState before = current(agent);
  auto at = apply(before, WrapUpDone{id}, deps_.clock.now());
  if (!at) return std::move(at).error();
  if (auto r = commit_agent(before, *at); !r) return std::move(r).error();
  if (!code.empty()) {
    emit(agent, "contact.wrapup",
         boost::json::object{{"contactId", id.value}, {"agentId", agent.value}, {"code", code}});
  }
  dispatch();
  return view(current(agent));
}

Result<Contact> OrgCenter::abandon(ContactId id) {
  auto it = contacts_.find(id);
  if (it == contacts_.end()) {
    auto ended = deps_.store.get_contact(org_, id);
    if (!ended) return std::move(ended).error();
    return make_error(Errc::conflict, "contact is " +
                                          std::string(contact_status_name(ended->status)));
  }
  const Timestamp now = deps_.clock.now();
  const Contact c = it->second;
  auto ct = apply(c, Abandon{}, now);
  if (!ct) return ct;
  std::optional<Transition> at;
  AgentState before;
  if (c.status == ContactStatus::offered && c.agent) {
    before = current(*c.agent);
    auto t = apply(before, OfferWithdrawn{id}, now);
    if (t) at = std::move(*t);
  }
  if (auto r = commit_contact(*ct); !r) return std::move(r).error();
  if (at) {
    if (auto r = commit_agent(before, *at); !r) return std::move(r).error();
  }
  dispatch();
  return ct;
}

}  // namespace ccteams
