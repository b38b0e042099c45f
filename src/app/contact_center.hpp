#pragma once
// The contact center's live side (issue 5): agent states, contacts, routing with RONA, and the
// events they produce. Decisions are the pure core's (core/agent_state, core/contact,
// core/routing); this service feeds them the time, persists their results, runs the timers
// they ask for and publishes every change.
//
// One transaction per decision: everything one call changes (the contact, every agent it
// touches, the queue counters, the event log) is written in one store transaction, or nothing
// is (org_center.hpp says how); a crash leaves the state before or after a call, never half.
//
// State: one OrgCenter per organisation, loaded from the store on first use (which is also the
// restart recovery: persisted states and open contacts come back with their timers; a ringing
// offer or consult rings on for the rest of its RONA time and counts no new offer).
// recover() loads every organisation with live state at start-up so that queued contacts are
// routed without waiting for a request. Loading checks that agents and contacts agree and
// repairs what an older version or a torn write left, each repair logged and counted
// (repairs()): a contact offered to or handled by an agent who is elsewhere goes back to its
// queue at its old place; a consult whose consulted agent is elsewhere ends (the customer stays
// with the primary agent); an agent ringing for a contact not offered to them is released; an
// agent Engaged on a contact they no longer handle goes to WrapUp (their profile's time) and
// then Available. org_center_recovery.cpp has the rules in code.
//
// Nobody is left with only refusals: supervise() logs any agent out or sets their state, and
// force_end() / requeue_contact() end or re-queue any open contact, releasing its agents.
//
// Errors: conflict when the state machines refuse (their sentence is passed on), not_found for
// another organisation's or an unknown contact, invalid_input for bad targets, forbidden when
// the account is not an agent, and the store's errors.
//
// Thread-safety: one actor per organisation (app/org_actors.hpp). Everything live of an
// organisation (its agents, contacts, routing, RONA and wrap-up timers) is touched only on that
// organisation's strand, so no mutex guards it and its events are published in the order they
// happened. The awaitable methods may be awaited from any executor: each runs its operation on
// the organisation's strand (co_spawn onto it) and resumes the caller on its own executor.
// Timer callbacks (the Scheduler port) start a decision on the strand. Each decision takes the
// organisation's turn, has prepare() read what it needs from the store (Store::run, off the
// I/O threads), decides in memory, and awaits its write (org_center.hpp); the configuration it
// reads (agents' settings, desktop profiles, idle codes, queues) is kept in memory and read
// again after config_changed().
// Presence sync runs on the same strand and awaits the methods marked "on the org's strand".

#include <array>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/cc_event_hub.hpp"
#include "app/cc_events.hpp"
#include "app/metrics.hpp"
#include "app/org_actors.hpp"
#include "app/ports/cc_event_encoder.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/org_ownership.hpp"
#include "app/ports/scheduler.hpp"
#include "app/ports/store.hpp"

namespace ccteams {

class OrgCenter;
struct DecisionNeeds;

// An agent's state with what the API shows beside it.
struct AgentStateView {
  AgentState state;
  std::optional<std::string> idle_code_name;
};

// One presence update for one agent (presence sync feeds these in batches).
struct AgentPresenceUpdate {
  UserId agent;
  ObservedPresence observed;
};

// What a batch of presence updates did, by core PresenceOutcome (index = enum value).
struct PresenceApplyReport {
  std::array<std::size_t, 8> outcomes{};
  std::size_t state_changes = 0;  // agents whose state (status/idle code) changed
  std::size_t count(PresenceOutcome o) const { return outcomes[static_cast<std::size_t>(o)]; }
};

// Presence sync's hooks into the contact center. Both are called on the organisation's strand,
// in the middle of a decision: they must only queue work (post), never call back.
struct PresenceHooks {
  // Every SetTeamsBusy / ClearTeamsBusy / ClearStaleTeamsBusy effect, in order, once the
  // decision that made it is stored.
  std::function<void(OrgId, const AgentEffect&)> teams_effect;
  // An agent logged in (true) or out (false).
  std::function<void(OrgId, UserId, bool logged_in)> login;
};

struct ContactCenterOptions {
  Millis event_retention = std::chrono::hours(24);  // the event log keeps this much history
  std::size_t prune_every_events = 1000;            // how often the log is pruned
  Counter* repairs_metric = nullptr;  // counts load()'s repairs too, when set; must outlive
  Counter* ronas_metric = nullptr;    // offers and consults that rang out (RONA), all orgs
};

class ContactCenter {
 public:
  // actors: the runtime's one OrgActors (each organisation's strand); must outlive this, as
  // must encoder (the events' wire form: adapters/http/api/cc_json.hpp) and ownership (which
  // organisations this instance serves: every one without [cluster]).
  ContactCenter(OrgActors& actors, Store& store, const Clock& clock, Scheduler& scheduler,
                CcEventHub& hub, const CcEventEncoder& encoder, ContactCenterOptions options = {},
                const OrgOwnership& ownership = OrgOwnership::every_org());
  ~ContactCenter();
  ContactCenter(const ContactCenter&) = delete;
  ContactCenter& operator=(const ContactCenter&) = delete;

  // Loads every organisation with persisted live state that this instance serves (see above):
  // lists them on the store's executor and starts each load on its organisation's strand (a
  // failure is logged; that organisation is loaded again on its next call). Any thread; returns
  // at once.
  void recover();

  // ---- the organisation lease (docs/postgresql.md, "Leases and fencing") ----
  // An organisation served only while ownership says so: every decision (a command, a timer, a
  // presence batch, a load) of an organisation this instance does not serve is refused with
  // org_elsewhere() and loads nothing.
  // org became this instance's: its load starts on its strand, as recover() does for each.
  // Any thread; returns at once.
  void org_gained(OrgId org);
  // org is no longer this instance's: once the decision under way (if any) has finished, its
  // timers are cancelled and its live state dropped (the next owner loads it from the store).
  // Any thread; returns at once.
  void org_lost(OrgId org);
  // ok when this instance serves org now; org_elsewhere() otherwise. Any thread.
  Result<void> served(OrgId org) const;
  // org's contact-center configuration (idle codes, desktop profiles, queues, agents' settings)
  // changed: its next decision reads it again. Any thread.
  void config_changed(OrgId org);
  // The organisations' strands (presence sync, the demo callers).
  OrgActors& actors();

  // ---- the agent's desktop ----
  // Desktop log in: Available, or Idle(code, manual) when idle_code is given.
  boost::asio::awaitable<Result<AgentStateView>> login(OrgId org, UserId agent,
                                                       std::optional<IdleCodeId> idle_code);
  boost::asio::awaitable<Result<AgentStateView>> logout(OrgId org, UserId agent);
  boost::asio::awaitable<Result<AgentStateView>> set_available(OrgId org, UserId agent);
  // check_manual_idle_code against the agent's desktop profile first.
  boost::asio::awaitable<Result<AgentStateView>> set_idle(OrgId org, UserId agent, IdleCodeId code);
  boost::asio::awaitable<Result<AgentStateView>> state_of(OrgId org, UserId agent);
  // conflict unless the agent is logged out (or has never logged in).
  boost::asio::awaitable<Result<void>> check_logged_out(OrgId org, UserId agent);

  // ---- supervisors ----
  // Every configured agent of org (LoggedOut for those who never logged in).
  boost::asio::awaitable<Result<std::vector<AgentStateView>>> agent_states(OrgId org);
  boost::asio::awaitable<Result<QueueStatsView>> queue_stats(OrgId org, QueueId queue);
  boost::asio::awaitable<Result<std::vector<QueueStatsView>>> all_queue_stats(OrgId org);
  // A supervisor or admin sets agent's state: status logged_out (forced from any state: a
  // contact ringing for them is re-queued, one they talk on is re-queued with its consulted
  // agent released, a consult they are on ends), available or idle (idle_code, origin
  // supervisor; from Available, Idle or WrapUp: conflict naming the contact otherwise).
  // invalid_input for an unknown or inactive idle code or an account without the agent role.
  boost::asio::awaitable<Result<AgentStateView>> supervise(OrgId org, UserId agent,
                                                           AgentStatus status,
                                                           std::optional<IdleCodeId> idle_code);
  // Ends (Ended, reason "forced") or re-queues (at its old place) any open contact, releasing
  // the agents that ring or talk for it (talking: wrap-up as after an ordinary end). conflict
  // when it has ended already, or (re-queue) is already queued.
  boost::asio::awaitable<Result<Contact>> force_end(OrgId org, ContactId id);
  boost::asio::awaitable<Result<Contact>> requeue_contact(OrgId org, ContactId id);
  // Inconsistencies repaired while loading organisations since start (metrics).
  std::uint64_t repairs() const;

  // ---- contacts ----
  // A customer calls queue (demo telephony). invalid_input ("queueId") for an unknown queue.
  boost::asio::awaitable<Result<Contact>> new_contact(OrgId org, QueueId queue, std::string caller);
  boost::asio::awaitable<Result<Contact>> contact(OrgId org, ContactId id);
  boost::asio::awaitable<Result<Contact>> accept(OrgId org, UserId agent, ContactId id);
  boost::asio::awaitable<Result<Contact>> decline(OrgId org, UserId agent, ContactId id);
  boost::asio::awaitable<Result<Contact>> hold(OrgId org, UserId agent, ContactId id);
  boost::asio::awaitable<Result<Contact>> resume(OrgId org, UserId agent, ContactId id);
  // party: another agent of org, or an E.164 number (normalised here).
  boost::asio::awaitable<Result<Contact>> consult(OrgId org, UserId agent, ContactId id,
                                                  ContactParty party);
  boost::asio::awaitable<Result<Contact>> conference(OrgId org, UserId agent, ContactId id);
  boost::asio::awaitable<Result<Contact>> drop_party(OrgId org, UserId agent, ContactId id);
  boost::asio::awaitable<Result<Contact>> transfer(OrgId org, UserId agent, ContactId id,
                                                   ContactParty party);
  boost::asio::awaitable<Result<Contact>> end(OrgId org, UserId agent, ContactId id);
  // The agent finishes wrap-up of contact id; code is an optional wrap-up reason (published).
  boost::asio::awaitable<Result<AgentStateView>> wrap_up(OrgId org, UserId agent, ContactId id,
                                                         std::string code);
  // The caller hangs up before being answered.
  boost::asio::awaitable<Result<Contact>> abandon(OrgId org, ContactId id);

  // ---- presence sync (issue 6) ----
  // Before serving only.
  void set_presence_hooks(PresenceHooks hooks);
  // The four calls below: precondition, awaited on org's strand (actors().strand(org)), where
  // presence sync runs; each is one decision, written before it returns.
  //
  // Applies a batch of presence updates (DESIGN.md rules 0-5 in core/agent_state) as one
  // decision: the states that changed, their events and any offers it leads to are stored in one
  // transaction, then published; agents returned to Available are offered waiting contacts.
  // Updates for agents that were never configured are ignored. When the store refuses,
  // nothing changes.
  boost::asio::awaitable<Result<PresenceApplyReport>> apply_presences(
      OrgId org, std::vector<AgentPresenceUpdate> updates, PresenceMapping mapping);
  // SyncEnabled / SyncDisabled for these agents (the effective gate presence sync computes).
  // Disabling returns agents idled by sync to Available and clears our Teams session.
  boost::asio::awaitable<Result<void>> set_sync_enabled(OrgId org, std::vector<UserId> agents,
                                                        bool enabled);
  // Graph confirmed our presence session of agent cleared (rule 5's echo window); the session's
  // durable mark is dropped unless the session is wanted again.
  boost::asio::awaitable<Result<void>> teams_busy_cleared(OrgId org, UserId agent, Timestamp at);
  // Our session of agent shows nothing though no clear was confirmed (never sent, lapsed,
  // refused): its durable mark is dropped unless the session is wanted again.
  boost::asio::awaitable<Result<void>> own_session_gone(OrgId org, UserId agent);
  // agent_states, for a caller already on org's strand.
  boost::asio::awaitable<Result<std::vector<AgentStateView>>> agent_states_on_strand(OrgId org);

 private:
  friend class OrgCenter;
  struct Deps;
  // One decision: takes org's turn, prepares (needs), runs fn on org's state and writes what it
  // decided. On org's strand only.
  template <class Fn>
  auto decide(OrgId org, DecisionNeeds needs, Fn fn)
      -> boost::asio::awaitable<decltype(fn(std::declval<OrgCenter&>()))>;
  // decide on org's strand, for a caller anywhere (the awaitable methods).
  template <class Fn>
  auto in_org(OrgId org, DecisionNeeds needs, Fn fn)
      -> boost::asio::awaitable<decltype(fn(std::declval<OrgCenter&>()))>;
  OrgCenter& org_center(OrgId org);
  // Starts org's load on its strand (recover(), org_gained()); when names the occasion in logs.
  void load(OrgId org, const char* when);

  std::unique_ptr<Deps> deps_;
  // Guards the map orgs_ only (finding or adding an organisation's entry, from any strand); no
  // organisation state is under it: an OrgCenter is touched only on its organisation's strand.
  std::mutex mu_;
  std::unordered_map<OrgId, std::unique_ptr<OrgCenter>> orgs_;
};

}  // namespace ccteams
