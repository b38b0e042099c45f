#pragma once
// Internal to app/contact_center: one organisation's live contact-center state. See
// contact_center.hpp for the contract; every method here requires `mu` to be held.

#include <atomic>
#include <boost/json/fwd.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "app/contact_center.hpp"
#include "core/contact_party.hpp"
#include "core/routing.hpp"

namespace ccteams {

struct ContactCenter::Deps {
  ContactCenterStore& store;
  AccountStore& accounts;
  const Clock& clock;
  Scheduler& scheduler;
  CcEventHub& hub;
  ContactCenterOptions options;
  // Runs fn on org's state under its lock (timer callbacks come back through here).
  std::function<void(OrgId, std::function<void(OrgCenter&)>)> run_in_org;
  PresenceHooks presence;
  std::atomic<std::size_t> events_since_prune{0};
};

class OrgCenter {
 public:
  OrgCenter(OrgId org, ContactCenter::Deps& deps) : org_(org), deps_(deps) {}
  std::mutex mu;

  // Restores persisted states and open contacts (see contact_center.hpp), then routes.
  Result<void> load();

  Result<AgentStateView> login(UserId agent, std::optional<IdleCodeId> idle_code);
  Result<AgentStateView> logout(UserId agent);
  Result<AgentStateView> set_available(UserId agent);
  Result<AgentStateView> set_idle(UserId agent, IdleCodeId code);
  Result<AgentStateView> state_of(UserId agent);
  Result<void> check_logged_out(UserId agent);
  Result<std::vector<AgentStateView>> agent_states();
  Result<QueueStatsView> queue_stats(QueueId queue);
  Result<std::vector<QueueStatsView>> all_queue_stats();

  Result<Contact> new_contact(QueueId queue, std::string caller);
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

  Result<PresenceApplyReport> apply_presences(std::vector<AgentPresenceUpdate> updates,
                                              const PresenceMapping& mapping);
  Result<void> set_sync_enabled(const std::vector<UserId>& agents, bool enabled);
  Result<void> teams_busy_cleared(UserId agent, Timestamp at);

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
  // Persist, update routing membership, carry out the effects and publish.
  Result<void> commit_agent(const AgentState& before, const Transition& t);
  // commit_agent without the store write (the caller stored the state already).
  void adopt_agent(const AgentState& before, const Transition& t);
  // Applies one event to each agent, storing the changed states in one transaction and their
  // events in another (presence sync's batches). nullopt transitions are skipped.
  Result<void> commit_agents(const std::vector<std::pair<AgentState, Transition>>& steps);
  // Persist and publish; the queue counters move by after's counts minus before's.
  Result<void> commit_contact(const Contact& before, const Contact& after);
  void requeue(const Contact& c);
  // Offers waiting contacts to available agents (core RoutingTable decides).
  void dispatch();
  void emit(std::optional<UserId> agent, std::string type, boost::json::object body);
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
  // While commit_agents runs: emit() collects events here instead of storing each one.
  std::vector<NewCcEvent>* batched_events_ = nullptr;
};

}  // namespace ccteams
