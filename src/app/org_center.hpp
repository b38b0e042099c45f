#pragma once
// Internal to app/contact_center: one organisation's live contact-center state. See
// contact_center.hpp for the contract; every method here runs on the organisation's strand
// (OrgActors): no mutex guards this state.
//
// One transaction per decision. Every entry into an organisation (a command, a timer, a presence
// batch, load) is one decision: while it runs, memory changes at once and the writes it implies
// (each contact's and agent's last version, the events) gather in `decision_`; finish() writes
// them in one store transaction, then publishes the events and runs the presence hooks. A crash
// leaves the store before or after the whole decision. If that write fails, memory is rebuilt
// from the store (load(), the same path as a restart) and the caller gets the error.
//
// The store is awaited only around a decision, never inside one: prepare() loads what the
// decision will read (the organisation at first use, its configuration when it changed, the
// account or the ended contact a command names) and finish() writes it. The decision itself is
// synchronous, on memory. A decision holds the organisation's turn (org_turn.hpp) from before
// prepare() until finish() returned, so decisions never interleave.
// Files: org_center.cpp (agent commands, commits, presence), org_center_contacts.cpp (contacts,
// routing, timers), org_center_recovery.cpp (load, repairs at start, the supervisor's ways out),
// org_center_events.cpp (events, queue statistics), org_center_store.cpp (prepare, the write,
// loads and reloads).

#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "app/contact_center.hpp"
#include "app/org_config.hpp"
#include "app/org_turn.hpp"
#include "core/contact_party.hpp"
#include "core/routing.hpp"

namespace ccteams {

struct ContactCenter::Deps {
  OrgActors& actors;
  Store& store;
  const Clock& clock;
  Scheduler& scheduler;
  CcEventHub& hub;
  const CcEventEncoder& encoder;
  ContactCenterOptions options;
  const OrgOwnership& ownership;  // which organisations this instance serves
  // Posts fn to org's strand and runs it there as one decision (timer callbacks come back
  // through here).
  std::function<void(OrgId, std::function<void(OrgCenter&)>)> run_in_org;
  PresenceHooks presence;
  std::atomic<std::size_t> events_since_prune{0};
  std::atomic<std::uint64_t> repairs{0};  // inconsistencies load() repaired (all orgs)
  // Reset when the ContactCenter goes: work already posted to a strand then does nothing.
  std::shared_ptr<void> alive = std::make_shared<int>(0);
  void repaired() {
    ++repairs;
    if (options.repairs_metric != nullptr) options.repairs_metric->inc();
  }
  void rang_out() {
    if (options.ronas_metric != nullptr) options.ronas_metric->inc();
  }
};

// What a supervisor (or admin) sets an agent to: LoggedOut (forced), Available, or
// Idle(idle_code, supervisor).
struct SupervisorTarget {
  AgentStatus status = AgentStatus::available;
  std::optional<IdleCodeId> idle_code;
};

// What a decision reads from the store besides the organisation and its configuration.
struct DecisionNeeds {
  std::optional<UserId> account;  // this user's account (the agent role is checked)
  bool desktop = false;           // and their agent settings row, made with defaults if missing
  std::optional<ContactId> contact;  // this contact, when it is not open in memory (ended)
  std::optional<Contact> insert;     // a new contact to store first (its id comes from the store)
  // Idle codes the decision may name (a presence mapping's): the configuration is read again
  // when one is not in it yet (codes made outside the configuration service, by the connector).
  std::vector<IdleCodeId> idle_codes;
};

class OrgCenter {
 public:
  OrgCenter(OrgId org, ContactCenter::Deps& deps) : org_(org), deps_(deps) {}

  // The organisation's queue of decisions (see the top of this file).
  OrgTurn& turn() { return turn_; }
  // Before every decision, holding the turn: loads the organisation when it is not (first use,
  // or a reload that failed): persisted states and open contacts, repaired where they disagree
  // (the rules are in contact_center.hpp), timers with their remaining time, then routing; the
  // repairs are written before anything is served. Then the configuration when it is stale, and
  // what needs names. On failure nothing is kept in memory (load) or the command's error is
  // returned (desktop: forbidden without the agent role); the next call tries again.
  boost::asio::awaitable<Result<void>> prepare(DecisionNeeds needs);
  // Ends the decision under way: writes it in one transaction, then publishes and runs hooks.
  // On a write failure memory is reloaded from the store and the error returned.
  boost::asio::awaitable<Result<void>> finish();
  // The configuration changed: the next prepare() reads it again.
  void config_changed() { config_stale_ = true; }
  // The organisation is served elsewhere now: everything in memory goes (timers cancelled, the
  // configuration and the presence bookkeeping too); the next prepare() loads from the store.
  // Holding the turn.
  void drop();

  Result<AgentStateView> login(UserId agent, std::optional<IdleCodeId> idle_code);
  Result<AgentStateView> logout(UserId agent);
  Result<AgentStateView> set_available(UserId agent);
  Result<AgentStateView> set_idle(UserId agent, IdleCodeId code);
  Result<AgentStateView> state_of(UserId agent);
  Result<void> check_logged_out(UserId agent);
  Result<std::vector<AgentStateView>> agent_states();
  Result<QueueStatsView> queue_stats(QueueId queue);
  Result<std::vector<QueueStatsView>> all_queue_stats();

  // The contact prepare() stored (needs.insert): queued and routed.
  Result<Contact> new_contact();
  Result<Contact> contact(ContactId id);
  // accept, decline and end also serve the consulted agent: answer, decline, leave the consult.
  Result<Contact> accept(UserId agent, ContactId id);
  Result<Contact> decline(UserId agent, ContactId id);
  // Events the contact's own agent gives (hold, resume, consult, conference, drop party).
  Result<Contact> contact_event(UserId agent, ContactId id, const ContactEvent& event);
  Result<Contact> transfer(UserId agent, ContactId id, ContactParty party);
  Result<Contact> end(UserId agent, ContactId id);
  Result<AgentStateView> wrap_up(UserId agent, ContactId id, const std::string& code);
  Result<Contact> abandon(ContactId id);

  // The ways out that always exist (org_center_recovery.cpp): a supervisor sets an agent's state
  // or logs them out whatever they hold, and ends or re-queues any open contact.
  Result<AgentStateView> supervise(UserId agent, SupervisorTarget target);
  Result<Contact> force_end(ContactId id);
  Result<Contact> requeue_contact(ContactId id);

  Result<PresenceApplyReport> apply_presences(std::vector<AgentPresenceUpdate> updates,
                                              const PresenceMapping& mapping);
  Result<void> set_sync_enabled(const std::vector<UserId>& agents, bool enabled);
  Result<void> teams_busy_cleared(UserId agent, Timestamp at);
  Result<void> own_session_gone(UserId agent);

  void on_rona(UserId agent, ContactId contact);
  void on_wrap_up(UserId agent, ContactId contact);

 private:
  struct Counters {
    std::int64_t offered = 0, answered = 0, rona = 0;
  };
  // One agent's part in a contact change.
  struct AgentStep {
    UserId agent;
    AgentEvent event;
  };
  // Whether settle() adds the consulted agent's change (party_agent_change) by itself.
  enum class PartyRule : std::uint8_t { derive, caller_decides };
  // The writes of the decision under way (see the top of this file).
  struct Decision {
    std::map<ContactId, Contact> contacts;  // the last version of each changed contact
    std::map<UserId, AgentState> states;    // the last version of each changed agent
    std::map<UserId, AgentState> before;    // each touched agent as the decision found it
    std::vector<NewCcEvent> events;
    std::set<QueueId> queues;                     // whose stats are published at the end
    std::vector<std::function<void()>> after_commit;  // presence hooks, in order
  };
  using AgentMap = std::unordered_map<UserId, AgentState>;

  // The agent's current state (LoggedOut when never seen). forbidden when the account lacks
  // the agent role; creates the agent's settings row with defaults when missing.
  Result<AgentState> agent_for_desktop(UserId agent);
  AgentState current(UserId agent) const;
  DesktopProfile profile_of(UserId agent);
  // The open contact id: not_found when unknown, conflict naming its state when it has ended.
  Result<Contact*> open_contact(ContactId id);
  // open_contact, and conflict unless agent is the contact's agent.
  Result<Contact*> own_contact(UserId agent, ContactId id);
  Result<AgentStateView> view(const AgentState& s);
  std::optional<std::string> idle_code_name(const std::optional<IdleCodeId>& id);

  // The one way a contact changes together with its agents: applies event to c and each step
  // to its agent's current state (plus the consulted agent's change under PartyRule::derive),
  // then commits the contact and every agent; when the contact machine or any agent's refuses,
  // nothing is committed and that refusal is returned. A store failure part-way is returned
  // as is (what was committed stays; the store is the truth the next load() starts from).
  Result<Contact> settle(Contact c, const ContactEvent& event, std::vector<AgentStep> steps,
                         PartyRule party = PartyRule::derive);
  // The agent event a consulted agent's change means (timeouts from their desktop profile).
  AgentEvent party_event(const PartyAgentChange& change, ContactId contact);
  // Adopts the new state (memory, routing membership, timers, hooks) and adds it and its event
  // to the decision.
  void commit_agent(const AgentState& before, const Transition& t);
  // commit_agent without the write (bookkeeping that is not stored, such as the echo window).
  void adopt_agent(const AgentState& before, const Transition& t);
  // Adopts the contact and adds it and its event to the decision; the queue counters move by
  // after's counts minus before's (as the store's do).
  void commit_contact(const Contact& before, const Contact& after);
  // What load() reads, in one store job.
  struct Rows {
    std::vector<AgentState> states;
    std::vector<Contact> open;
    std::vector<QueueCounts> counts;
    OrgConfig config;
  };
  static Result<Rows> read_rows(Stores& stores, OrgId org);
  // Reads the rows, then load(rows, …), then writes the repairs; on failure forgets all.
  boost::asio::awaitable<Result<void>> load_and_repair(const AgentMap* memory,
                                                       Millis overdue_delay);
  // load() puts the rows in memory and repairs; memory, when given, supplies what the store
  // does not keep (presence bookkeeping: sync gate, Teams presence, our session's echo window;
  // its durable mark comes from the store); an overdue
  // timer fires no sooner than overdue_delay from now.
  Result<void> load(Rows rows, const AgentMap* memory, Millis overdue_delay);
  // prepare()'s reads for needs (the organisation is loaded).
  boost::asio::awaitable<Result<void>> read_needs(const DecisionNeeds& needs);
  // The decision under way, with its queue statistics events added; decision_ starts afresh.
  Decision take_decision();
  // Writes d in one transaction, then publishes its events and runs its hooks.
  boost::asio::awaitable<Result<void>> write(Decision& d);
  // Forgets everything in memory (timers cancelled); the next prepare() loads again.
  void forget();
  // After a failed write: memory again from the store, each touched agent's presence
  // bookkeeping as the decision found it, overdue timers a moment later (a store that keeps
  // failing must not make them spin).
  boost::asio::awaitable<void> reload(std::map<UserId, AgentState> before);
  // The steps that release the agents whose state points at c (ringing: OfferWithdrawn,
  // talking: ContactEnded with their wrap-up), for a contact taken away from them.
  std::vector<AgentStep> release_steps(const Contact& c);
  // load()'s repairs (org_center_recovery.cpp); each is logged and counted.
  Result<void> repair_contact(const Contact& c);
  Result<void> repair_agent(const AgentState& s, Timestamp now);
  void restore_timers(Timestamp now, Millis overdue_delay);
  // Whether the agent's desktop rings for / talks on contact id.
  bool rings(UserId agent, ContactId id) const;
  bool talks(UserId agent, ContactId id) const;
  void requeue(const Contact& c);
  // Offers waiting contacts to available agents (core RoutingTable decides).
  void dispatch();
  void emit(std::optional<UserId> agent, CcEvent event);
  void emit_agent_state(const AgentState& s);
  void emit_contact(const Contact& c);
  void emit_queue(QueueId queue);

  OrgId org_;
  ContactCenter::Deps& deps_;
  std::unordered_map<UserId, AgentState> agents_;
  std::unordered_map<ContactId, Contact> contacts_;  // open contacts only
  RoutingTable table_;
  // By (contact, agent): a contact may ring two agents at once for a moment (a transfer away
  // from a consulted agent who is still ringing releases one and offers the other).
  std::map<std::pair<ContactId, UserId>, std::unique_ptr<TimerHandle>> rona_timers_;
  std::unordered_map<UserId, std::unique_ptr<TimerHandle>> wrap_timers_;
  std::unordered_map<QueueId, Counters> counters_;
  Decision decision_;
  bool loaded_ = false;
  AgentMap carried_;  // presence bookkeeping kept across a reload that failed
  OrgTurn turn_;
  OrgConfig config_;
  bool config_stale_ = false;
  std::set<IdleCodeId> absent_codes_;  // needed codes the last configuration read lacked
  // What prepare() read for the decision under way (read_needs); cleared by the next prepare.
  std::unordered_map<UserId, Result<UserAccount>> accounts_;
  std::unordered_map<ContactId, Result<Contact>> looked_up_;
  std::optional<Contact> inserted_;
};

}  // namespace ccteams
