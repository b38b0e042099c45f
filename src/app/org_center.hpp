#pragma once
// Internal to app/contact_center: one organisation's live contact-center state. See
// contact_center.hpp for the contract; every method here requires `mu` to be held.

#include <atomic>
#include <boost/json/fwd.hpp>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "app/contact_center.hpp"
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
  Result<Contact> accept(UserId agent, ContactId id);
  Result<Contact> decline(UserId agent, ContactId id);
  // Contact-only events (hold, resume, consult, conference, drop party) by its agent.
  Result<Contact> contact_event(UserId agent, ContactId id, const ContactEvent& event);
  Result<Contact> transfer(UserId agent, ContactId id, ContactParty party);
  Result<Contact> end(UserId agent, ContactId id);
  Result<AgentStateView> wrap_up(UserId agent, ContactId id, const std::string& code);
  Result<Contact> abandon(ContactId id);

  void on_rona(UserId agent, ContactId contact);
  void on_wrap_up(UserId agent, ContactId contact);

 private:
  struct Counters {
    std::int64_t offered = 0, answered = 0, rona = 0;
  };

  // The agent's current state (LoggedOut when never seen). forbidden when the account lacks
  // the agent role; creates the agent's settings row with defaults when missing.
  Result<AgentState> agent_for_desktop(UserId agent);
  AgentState current(UserId agent) const;
  DesktopProfile profile_of(UserId agent);
  Result<Contact*> own_contact(UserId agent, ContactId id);
  Result<AgentStateView> view(const AgentState& s);
  std::optional<std::string> idle_code_name(const std::optional<IdleCodeId>& id);

  // Persist, update routing membership, carry out the effects and publish.
  Result<void> commit_agent(const AgentState& before, const Transition& t);
  Result<void> commit_contact(const Contact& c);
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
  std::unordered_map<ContactId, std::unique_ptr<TimerHandle>> rona_timers_;
  std::unordered_map<UserId, std::unique_ptr<TimerHandle>> wrap_timers_;
  std::unordered_map<QueueId, Counters> counters_;
};

}  // namespace ccteams
