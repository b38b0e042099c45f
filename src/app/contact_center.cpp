#include "app/contact_center.hpp"

#include <spdlog/spdlog.h>

#include "app/org_center.hpp"
#include "core/e164.hpp"

namespace ccteams {

namespace {

// Phone parties arrive as typed; the core wants them normalised (E.164).
Result<ContactParty> normalized(ContactParty party) {
  if (auto* p = std::get_if<PhoneParty>(&party)) {
    auto number = normalize_e164(p->number);
    if (!number) {
      return make_error(Errc::invalid_input, "field 'number': " + number.error().message);
    }
    p->number = std::move(*number);
  }
  return party;
}

}  // namespace

ContactCenter::ContactCenter(ContactCenterStore& store, AccountStore& accounts, const Clock& clock,
                             Scheduler& scheduler, CcEventHub& hub, ContactCenterOptions options)
    : deps_(new Deps{store, accounts, clock, scheduler, hub, options, {}, {}, {}}) {
  deps_->run_in_org = [this](OrgId org, std::function<void(OrgCenter&)> fn) {
    auto r = with_org(org, [&](OrgCenter& oc) -> Result<bool> {
      fn(oc);
      return true;
    });
    if (!r) spdlog::error("contact center: timer for org {}: {}", org.value, r.error().message);
  };
}

// Timer handles cancel in the OrgCenters' destructors, before deps_ goes.
ContactCenter::~ContactCenter() { orgs_.clear(); }

Result<OrgCenter*> ContactCenter::org_center(OrgId org) {
  std::unique_lock lock(mu_);
  auto it = orgs_.find(org);
  if (it != orgs_.end()) return it->second.get();
  auto center = std::make_unique<OrgCenter>(org, *deps_);
  OrgCenter* raw = center.get();
  // Loaded by the first with_org, under the organisation's own lock (not mu_).
  orgs_.emplace(org, std::move(center));
  return raw;
}

template <class Fn>
auto ContactCenter::with_org(OrgId org, Fn&& fn) -> decltype(fn(std::declval<OrgCenter&>())) {
  auto center = org_center(org);
  if (!center) return std::move(center).error();
  std::lock_guard lock((*center)->mu);
  if (auto loaded = (*center)->ensure_loaded(); !loaded) {
    spdlog::error("contact center: loading org {} failed: {}", org.value,
                  loaded.error().message);
    return std::move(loaded).error();
  }
  auto result = fn(**center);
  // One decision, one transaction: nothing the call decided is acknowledged before it is stored.
  if (auto written = (*center)->finish(); !written) return std::move(written).error();
  return result;
}

std::uint64_t ContactCenter::repairs() const { return deps_->repairs.load(); }

Result<AgentStateView> ContactCenter::supervise(OrgId org, UserId agent, AgentStatus status,
                                                std::optional<IdleCodeId> idle_code) {
  return with_org(org, [&](OrgCenter& oc) {
    return oc.supervise(agent, SupervisorTarget{status, idle_code});
  });
}
Result<Contact> ContactCenter::force_end(OrgId org, ContactId id) {
  return with_org(org, [&](OrgCenter& oc) { return oc.force_end(id); });
}
Result<Contact> ContactCenter::requeue_contact(OrgId org, ContactId id) {
  return with_org(org, [&](OrgCenter& oc) { return oc.requeue_contact(id); });
}

Result<void> ContactCenter::recover() {
  auto orgs = deps_->store.orgs_with_live_state();
  if (!orgs) return std::move(orgs).error();
  std::size_t failed = 0;
  for (OrgId org : *orgs) {
    // with_org logs the failure; that organisation is loaded again on its next call.
    if (!with_org(org, [](OrgCenter&) { return Result<bool>(true); })) ++failed;
  }
  if (failed > 0) {
    spdlog::warn("contact center: {} of {} organisations could not be loaded at start", failed,
                 orgs->size());
  }
  return ok();
}

Result<AgentStateView> ContactCenter::login(OrgId org, UserId agent,
                                            std::optional<IdleCodeId> idle_code) {
  return with_org(org, [&](OrgCenter& oc) { return oc.login(agent, idle_code); });
}
Result<AgentStateView> ContactCenter::logout(OrgId org, UserId agent) {
  return with_org(org, [&](OrgCenter& oc) { return oc.logout(agent); });
}
Result<AgentStateView> ContactCenter::set_available(OrgId org, UserId agent) {
  return with_org(org, [&](OrgCenter& oc) { return oc.set_available(agent); });
}
Result<AgentStateView> ContactCenter::set_idle(OrgId org, UserId agent, IdleCodeId code) {
  return with_org(org, [&](OrgCenter& oc) { return oc.set_idle(agent, code); });
}
Result<AgentStateView> ContactCenter::state_of(OrgId org, UserId agent) {
  return with_org(org, [&](OrgCenter& oc) { return oc.state_of(agent); });
}
Result<void> ContactCenter::check_logged_out(OrgId org, UserId agent) {
  return with_org(org, [&](OrgCenter& oc) { return oc.check_logged_out(agent); });
}
Result<std::vector<AgentStateView>> ContactCenter::agent_states(OrgId org) {
  return with_org(org, [&](OrgCenter& oc) { return oc.agent_states(); });
}
Result<QueueStatsView> ContactCenter::queue_stats(OrgId org, QueueId queue) {
  return with_org(org, [&](OrgCenter& oc) { return oc.queue_stats(queue); });
}
Result<std::vector<QueueStatsView>> ContactCenter::all_queue_stats(OrgId org) {
  return with_org(org, [&](OrgCenter& oc) { return oc.all_queue_stats(); });
}
Result<Contact> ContactCenter::new_contact(OrgId org, QueueId queue, std::string caller) {
  return with_org(org, [&](OrgCenter& oc) { return oc.new_contact(queue, std::move(caller)); });
}
Result<Contact> ContactCenter::contact(OrgId org, ContactId id) {
  return with_org(org, [&](OrgCenter& oc) { return oc.contact(id); });
}
Result<Contact> ContactCenter::accept(OrgId org, UserId agent, ContactId id) {
  return with_org(org, [&](OrgCenter& oc) { return oc.accept(agent, id); });
}
Result<Contact> ContactCenter::decline(OrgId org, UserId agent, ContactId id) {
  return with_org(org, [&](OrgCenter& oc) { return oc.decline(agent, id); });
}
Result<Contact> ContactCenter::hold(OrgId org, UserId agent, ContactId id) {
  return with_org(org, [&](OrgCenter& oc) { return oc.contact_event(agent, id, Hold{}); });
}
Result<Contact> ContactCenter::resume(OrgId org, UserId agent, ContactId id) {
  return with_org(org, [&](OrgCenter& oc) { return oc.contact_event(agent, id, Resume{}); });
}
Result<Contact> ContactCenter::consult(OrgId org, UserId agent, ContactId id, ContactParty party) {
  auto p = normalized(std::move(party));
  if (!p) return std::move(p).error();
  return with_org(org, [&](OrgCenter& oc) { return oc.contact_event(agent, id, Consult{*p}); });
}
Result<Contact> ContactCenter::conference(OrgId org, UserId agent, ContactId id) {
  return with_org(org, [&](OrgCenter& oc) { return oc.contact_event(agent, id, Conference{}); });
}
Result<Contact> ContactCenter::drop_party(OrgId org, UserId agent, ContactId id) {
  return with_org(org, [&](OrgCenter& oc) { return oc.contact_event(agent, id, DropParty{}); });
}
Result<Contact> ContactCenter::transfer(OrgId org, UserId agent, ContactId id,
                                        ContactParty party) {
  auto p = normalized(std::move(party));
  if (!p) return std::move(p).error();
  return with_org(org, [&](OrgCenter& oc) { return oc.transfer(agent, id, *p); });
}
Result<Contact> ContactCenter::end(OrgId org, UserId agent, ContactId id) {
  return with_org(org, [&](OrgCenter& oc) { return oc.end(agent, id); });
}
Result<AgentStateView> ContactCenter::wrap_up(OrgId org, UserId agent, ContactId id,
                                              std::string code) {
  return with_org(org, [&](OrgCenter& oc) { return oc.wrap_up(agent, id, code); });
}
Result<Contact> ContactCenter::abandon(OrgId org, ContactId id) {
  return with_org(org, [&](OrgCenter& oc) { return oc.abandon(id); });
}

void ContactCenter::set_presence_hooks(PresenceHooks hooks) { deps_->presence = std::move(hooks); }

Result<PresenceApplyReport> ContactCenter::apply_presences(OrgId org,
                                                           std::vector<AgentPresenceUpdate> updates,
                                                           const PresenceMapping& mapping) {
  return with_org(org, [&](OrgCenter& oc) { return oc.apply_presences(std::move(updates), mapping); });
}

Result<void> ContactCenter::set_sync_enabled(OrgId org, const std::vector<UserId>& agents,
                                             bool enabled) {
  return with_org(org, [&](OrgCenter& oc) { return oc.set_sync_enabled(agents, enabled); });
}

Result<void> ContactCenter::teams_busy_cleared(OrgId org, UserId agent, Timestamp at) {
  return with_org(org, [&](OrgCenter& oc) { return oc.teams_busy_cleared(agent, at); });
}

}  // namespace ccteams
