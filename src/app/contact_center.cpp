#include "app/contact_center.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cassert>

#include "app/log_escaped.hpp"
#include "app/org_center.hpp"
#include "core/e164.hpp"

namespace ccteams {

namespace asio = boost::asio;

namespace {

// A desktop command: the agent's account (the role) and settings row.
DecisionNeeds desktop(UserId agent) {
  DecisionNeeds needs;
  needs.account = agent;
  needs.desktop = true;
  return needs;
}

// A command on a contact: read it when it is not open in memory (ended).
DecisionNeeds about(ContactId id) {
  DecisionNeeds needs;
  needs.contact = id;
  return needs;
}

// A supervisor's command on an agent: their account (the role).
DecisionNeeds account_of(UserId agent) {
  DecisionNeeds needs;
  needs.account = agent;
  return needs;
}

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

ContactCenter::ContactCenter(OrgActors& actors, Store& store, const Clock& clock,
                             Scheduler& scheduler, CcEventHub& hub, const CcEventEncoder& encoder,
                             ContactCenterOptions options, const OrgOwnership& ownership)
    : deps_(new Deps{actors, store, clock, scheduler, hub, encoder, options, ownership, {}, {}, {},
                     {}}) {
  // A timer's callback runs on the scheduler's thread: it hands the work to org's strand as a
  // decision. A callback that arrives after this object is gone does nothing (the weak pointer
  // expired).
  deps_->run_in_org = [this, alive = std::weak_ptr<void>(deps_->alive)](
                          OrgId org, std::function<void(OrgCenter&)> fn) {
    auto timer_decision = [this, alive, org, fn = std::move(fn)]() -> asio::awaitable<void> {
      if (alive.expired()) co_return;
      auto r = co_await decide(org, {}, [&](OrgCenter& oc) -> Result<bool> {
        fn(oc);
        return true;
      });
      // A timer that was already on its way when the organisation went elsewhere does nothing.
      if (!r && !is_org_elsewhere(r.error())) {
        spdlog::error("contact center: timer for org {}: {}", org.value, r.error().message);
      }
    };
    asio::co_spawn(deps_->actors.strand(org), std::move(timer_decision),
                   LogEscaped{"a contact-center timer"});
  };
}

// Timer handles cancel in the OrgCenters' destructors, before deps_ goes; callbacks already
// posted to a strand see `alive` expired.
ContactCenter::~ContactCenter() {
  deps_->alive.reset();
  orgs_.clear();
}

OrgActors& ContactCenter::actors() { return deps_->actors; }

OrgCenter& ContactCenter::org_center(OrgId org) {
  std::lock_guard lock(mu_);  // the map only: the OrgCenter itself is its strand's
  auto it = orgs_.find(org);
  if (it == orgs_.end()) it = orgs_.emplace(org, std::make_unique<OrgCenter>(org, *deps_)).first;
  return *it->second;  // loaded by the first with_org, on the organisation's strand
}

template <class Fn>
auto ContactCenter::decide(OrgId org, DecisionNeeds needs, Fn fn)
    -> asio::awaitable<decltype(fn(std::declval<OrgCenter&>()))> {
  assert(deps_->actors.on_strand(org) && "organisation state outside its strand");
  OrgCenter& center = org_center(org);
  // One decision at a time: the store waits below let the strand run other work meanwhile.
  const OrgTurn::Held turn = co_await center.turn().take();
  // Asked under the turn: a decision queued behind org_lost()'s drop must not load it again.
  if (!deps_->ownership.serves(org)) co_return org_elsewhere(org);
  if (auto prepared = co_await center.prepare(std::move(needs)); !prepared) {
    co_return std::move(prepared).error();
  }
  auto result = fn(center);
  // One decision, one transaction: nothing the call decided is acknowledged before it is stored.
  if (auto written = co_await center.finish(); !written) co_return std::move(written).error();
  co_return result;
}

template <class Fn>
auto ContactCenter::in_org(OrgId org, DecisionNeeds needs, Fn fn)
    -> asio::awaitable<decltype(fn(std::declval<OrgCenter&>()))> {
  using R = decltype(fn(std::declval<OrgCenter&>()));
  // co_spawn moves the work onto the strand (a dispatch would not); the caller resumes on its
  // own executor. The result comes back through this frame (co_spawn's own would need a
  // default-constructible R).
  // The lambda and co_spawn's operation are locals, not temporaries of the co_await expression:
  // GCC 12 may destroy a capturing temporary there twice.
  std::optional<R> out;
  auto work = [this, org, &needs, &fn, &out]() -> asio::awaitable<void> {
    out.emplace(co_await decide(org, std::move(needs), fn));
  };
  auto on_strand = asio::co_spawn(deps_->actors.strand(org), work, asio::use_awaitable);
  co_await std::move(on_strand);
  co_return std::move(*out);
}

void ContactCenter::config_changed(OrgId org) {
  asio::post(deps_->actors.strand(org), [this, org, alive = std::weak_ptr<void>(deps_->alive)] {
    if (alive.expired()) return;
    org_center(org).config_changed();
  });
}

std::uint64_t ContactCenter::repairs() const { return deps_->repairs.load(); }

asio::awaitable<Result<AgentStateView>> ContactCenter::supervise(
    OrgId org, UserId agent, AgentStatus status, std::optional<IdleCodeId> idle_code) {
  co_return co_await in_org(org, account_of(agent), [&](OrgCenter& oc) {
    return oc.supervise(agent, SupervisorTarget{status, idle_code});
  });
}
asio::awaitable<Result<Contact>> ContactCenter::force_end(OrgId org, ContactId id) {
  co_return co_await in_org(org, about(id), [&](OrgCenter& oc) { return oc.force_end(id); });
}
asio::awaitable<Result<Contact>> ContactCenter::requeue_contact(OrgId org, ContactId id) {
  co_return co_await in_org(org, about(id), [&](OrgCenter& oc) { return oc.requeue_contact(id); });
}

void ContactCenter::recover() {
  // The list comes from the store's executor; each organisation's load is a decision on its
  // strand (one that fails is logged, and that organisation is loaded again on its next call).
  deps_->store.post([this, alive = std::weak_ptr<void>(deps_->alive)](Stores& s) {
    if (alive.expired()) return;
    auto orgs = s.contact_center().orgs_with_live_state();
    if (!orgs) {
      spdlog::error("contact center: the organisations to recover could not be listed: {}",
                    orgs.error().message);
      return;
    }
    // With [cluster], the organisations this instance does not serve are the owners' to load
    // (org_gained() loads those it gains later).
    for (OrgId org : *orgs) {
      if (deps_->ownership.serves(org)) load(org, "at start");
    }
  });
}

void ContactCenter::load(OrgId org, const char* when) {
  auto work = [this, alive = std::weak_ptr<void>(deps_->alive), org,
               when]() -> asio::awaitable<void> {
    if (alive.expired()) co_return;
    auto r = co_await decide(org, {}, [](OrgCenter&) { return Result<bool>(true); });
    if (!r && !is_org_elsewhere(r.error())) {
      spdlog::warn("contact center: organisation {} could not be loaded {}", org.value, when);
    }
  };
  asio::co_spawn(deps_->actors.strand(org), std::move(work), LogEscaped{"an organisation's load"});
}

void ContactCenter::org_gained(OrgId org) { load(org, "on gaining its lease"); }

void ContactCenter::org_lost(OrgId org) {
  auto work = [this, alive = std::weak_ptr<void>(deps_->alive), org]() -> asio::awaitable<void> {
    if (alive.expired()) co_return;
    OrgCenter* center = nullptr;
    {
      std::lock_guard lock(mu_);
      auto it = orgs_.find(org);
      if (it == orgs_.end()) co_return;  // never loaded here
      center = it->second.get();
    }
    // After the decision under way: its write is fenced by the database if it comes too late.
    const OrgTurn::Held turn = co_await center->turn().take();
    // Always, even when gained again meanwhile: another owner may have changed the organisation
    // in between; the gain's load, queued behind this, reads it afresh.
    center->drop();
    spdlog::info("contact center: organisation {} dropped from memory (served elsewhere now)",
                 org.value);
  };
  asio::co_spawn(deps_->actors.strand(org), std::move(work), LogEscaped{"an organisation's drop"});
}

Result<void> ContactCenter::served(OrgId org) const {
  if (deps_->ownership.serves(org)) return ok();
  return org_elsewhere(org);
}

asio::awaitable<Result<AgentStateView>> ContactCenter::login(OrgId org, UserId agent,
                                                             std::optional<IdleCodeId> idle_code) {
  co_return co_await in_org(org, desktop(agent),
                            [&](OrgCenter& oc) { return oc.login(agent, idle_code); });
}
asio::awaitable<Result<AgentStateView>> ContactCenter::logout(OrgId org, UserId agent) {
  co_return co_await in_org(org, desktop(agent), [&](OrgCenter& oc) { return oc.logout(agent); });
}
asio::awaitable<Result<AgentStateView>> ContactCenter::set_available(OrgId org, UserId agent) {
  co_return co_await in_org(org, desktop(agent),
                            [&](OrgCenter& oc) { return oc.set_available(agent); });
}
asio::awaitable<Result<AgentStateView>> ContactCenter::set_idle(OrgId org, UserId agent,
                                                                IdleCodeId code) {
  co_return co_await in_org(org, desktop(agent),
                            [&](OrgCenter& oc) { return oc.set_idle(agent, code); });
}
asio::awaitable<Result<AgentStateView>> ContactCenter::state_of(OrgId org, UserId agent) {
  co_return co_await in_org(org, desktop(agent), [&](OrgCenter& oc) { return oc.state_of(agent); });
}
asio::awaitable<Result<void>> ContactCenter::check_logged_out(OrgId org, UserId agent) {
  co_return co_await in_org(org, {}, [&](OrgCenter& oc) { return oc.check_logged_out(agent); });
}
asio::awaitable<Result<std::vector<AgentStateView>>> ContactCenter::agent_states(OrgId org) {
  co_return co_await in_org(org, {}, [&](OrgCenter& oc) { return oc.agent_states(); });
}
asio::awaitable<Result<QueueStatsView>> ContactCenter::queue_stats(OrgId org, QueueId queue) {
  co_return co_await in_org(org, {}, [&](OrgCenter& oc) { return oc.queue_stats(queue); });
}
asio::awaitable<Result<std::vector<QueueStatsView>>> ContactCenter::all_queue_stats(OrgId org) {
  co_return co_await in_org(org, {}, [&](OrgCenter& oc) { return oc.all_queue_stats(); });
}
asio::awaitable<Result<Contact>> ContactCenter::new_contact(OrgId org, QueueId queue,
                                                            std::string caller) {
  DecisionNeeds needs;
  needs.insert =
      ccteams::new_contact(ContactId{}, org, queue, std::move(caller), deps_->clock.now());
  co_return co_await in_org(org, std::move(needs), [](OrgCenter& oc) { return oc.new_contact(); });
}
asio::awaitable<Result<Contact>> ContactCenter::contact(OrgId org, ContactId id) {
  co_return co_await in_org(org, about(id), [&](OrgCenter& oc) { return oc.contact(id); });
}
asio::awaitable<Result<Contact>> ContactCenter::accept(OrgId org, UserId agent, ContactId id) {
  co_return co_await in_org(org, about(id), [&](OrgCenter& oc) { return oc.accept(agent, id); });
}
asio::awaitable<Result<Contact>> ContactCenter::decline(OrgId org, UserId agent, ContactId id) {
  co_return co_await in_org(org, about(id), [&](OrgCenter& oc) { return oc.decline(agent, id); });
}
asio::awaitable<Result<Contact>> ContactCenter::hold(OrgId org, UserId agent, ContactId id) {
  co_return co_await in_org(org, about(id),
                            [&](OrgCenter& oc) { return oc.contact_event(agent, id, Hold{}); });
}
asio::awaitable<Result<Contact>> ContactCenter::resume(OrgId org, UserId agent, ContactId id) {
  co_return co_await in_org(org, about(id),
                            [&](OrgCenter& oc) { return oc.contact_event(agent, id, Resume{}); });
}
asio::awaitable<Result<Contact>> ContactCenter::consult(OrgId org, UserId agent, ContactId id,
                                                        ContactParty party) {
  auto p = normalized(std::move(party));
  if (!p) co_return std::move(p).error();
  co_return co_await in_org(
      org, about(id), [&](OrgCenter& oc) { return oc.contact_event(agent, id, Consult{*p}); });
}
asio::awaitable<Result<Contact>> ContactCenter::conference(OrgId org, UserId agent, ContactId id) {
  co_return co_await in_org(
      org, about(id), [&](OrgCenter& oc) { return oc.contact_event(agent, id, Conference{}); });
}
asio::awaitable<Result<Contact>> ContactCenter::drop_party(OrgId org, UserId agent, ContactId id) {
  co_return co_await in_org(
      org, about(id), [&](OrgCenter& oc) { return oc.contact_event(agent, id, DropParty{}); });
}
asio::awaitable<Result<Contact>> ContactCenter::transfer(OrgId org, UserId agent, ContactId id,
                                                         ContactParty party) {
  auto p = normalized(std::move(party));
  if (!p) co_return std::move(p).error();
  co_return co_await in_org(org, about(id),
                            [&](OrgCenter& oc) { return oc.transfer(agent, id, *p); });
}
asio::awaitable<Result<Contact>> ContactCenter::end(OrgId org, UserId agent, ContactId id) {
  co_return co_await in_org(org, about(id), [&](OrgCenter& oc) { return oc.end(agent, id); });
}
asio::awaitable<Result<AgentStateView>> ContactCenter::wrap_up(OrgId org, UserId agent,
                                                               ContactId id, std::string code) {
  co_return co_await in_org(org, about(id),
                            [&](OrgCenter& oc) { return oc.wrap_up(agent, id, code); });
}
asio::awaitable<Result<Contact>> ContactCenter::abandon(OrgId org, ContactId id) {
  co_return co_await in_org(org, about(id), [&](OrgCenter& oc) { return oc.abandon(id); });
}

void ContactCenter::set_presence_hooks(PresenceHooks hooks) { deps_->presence = std::move(hooks); }

asio::awaitable<Result<PresenceApplyReport>> ContactCenter::apply_presences(
    OrgId org, std::vector<AgentPresenceUpdate> updates, PresenceMapping mapping) {
  DecisionNeeds needs;  // the mapping's codes, with their names, for the events
  for (const auto& rule : mapping.rules()) needs.idle_codes.push_back(rule.idle_code);
  co_return co_await decide(org, std::move(needs), [&](OrgCenter& oc) {
    return oc.apply_presences(std::move(updates), mapping);
  });
}

asio::awaitable<Result<void>> ContactCenter::set_sync_enabled(OrgId org, std::vector<UserId> agents,
                                                              bool enabled) {
  co_return co_await decide(org, {},
                            [&](OrgCenter& oc) { return oc.set_sync_enabled(agents, enabled); });
}

asio::awaitable<Result<void>> ContactCenter::teams_busy_cleared(OrgId org, UserId agent,
                                                                Timestamp at) {
  co_return co_await decide(org, {},
                            [&](OrgCenter& oc) { return oc.teams_busy_cleared(agent, at); });
}

asio::awaitable<Result<void>> ContactCenter::own_session_gone(OrgId org, UserId agent) {
  co_return co_await decide(org, {}, [&](OrgCenter& oc) { return oc.own_session_gone(agent); });
}

asio::awaitable<Result<std::vector<AgentStateView>>> ContactCenter::agent_states_on_strand(
    OrgId org) {
  co_return co_await decide(org, {}, [](OrgCenter& oc) { return oc.agent_states(); });
}

}  // namespace ccteams
