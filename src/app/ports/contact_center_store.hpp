#pragma once
// Persistence of the contact center's configuration and live state (issue 5): idle codes,
// desktop profiles, queues, agents, agent states, contacts and the event log.
//
// Every call takes the caller's OrgId: a row of another organisation is not_found, never
// returned or changed (DESIGN.md: every row belongs to exactly one org).
// Thread-safety: every call may be made from any thread; each call is atomic on its own.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/agent_state.hpp"
#include "core/contact.hpp"
#include "core/desktop_profile.hpp"
#include "core/idle_code.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

struct CcQueue {
  QueueId id;
  OrgId org;
  std::string name;
  friend bool operator==(const CcQueue&, const CcQueue&) = default;
};

// The contact-center settings of a user account with the agent role.
struct AgentConfig {
  UserId user;
  OrgId org;
  std::optional<DesktopProfileId> desktop_profile;
  std::vector<QueueId> queues;              // in the order given, no repeats
  std::optional<std::string> teams_user_id;  // the linked Teams (Entra) user id
  friend bool operator==(const AgentConfig&, const AgentConfig&) = default;
};

// A queue's cumulative counts: the sums of its contacts' offers, answers and ronas.
struct QueueCounts {
  QueueId queue;
  std::int64_t offered = 0;
  std::int64_t answered = 0;
  std::int64_t rona = 0;
  friend bool operator==(const QueueCounts&, const QueueCounts&) = default;
};

// One entry of the event log. `agent` is the agent the event concerns, when there is one: an
// agent may see only events about themselves; supervisors and admins see the whole org.
struct CcEventRecord {
  std::int64_t seq = 0;  // assigned by the store, increasing across the whole service
  OrgId org;
  std::optional<UserId> agent;
  std::string type;
  Timestamp at;
  std::string body;  // the complete event as JSON text, seq included
};

// An event to append (commit).
struct NewCcEvent {
  std::optional<UserId> agent;
  std::string type;
  Timestamp at;
  std::string body_without_seq;
};

// Everything one decision of an organisation changes (a contact event with the agents it
// touches, an agent command, a batch of presence updates, a restart repair), written together.
struct CcCommit {
  std::vector<Contact> contacts;     // existing contacts (id != 0), each replaced as put_contact
  std::vector<AgentState> states;    // each agent's stored fields, replaced
  std::vector<NewCcEvent> events;    // appended in order, after the rows
  bool empty() const { return contacts.empty() && states.empty() && events.empty(); }
};

class ContactCenterStore {
 public:
  virtual ~ContactCenterStore() = default;

  // ---- idle codes ----
  // Creates the code (its id is ignored and assigned). conflict when the name is taken in org.
  virtual Result<IdleCode> create_idle_code(OrgId org, const IdleCode& code) = 0;
  virtual Result<IdleCode> get_idle_code(OrgId org, IdleCodeId id) = 0;
  virtual Result<std::vector<IdleCode>> list_idle_codes(OrgId org) = 0;
  // Replaces name and active. conflict when the name is taken.
  virtual Result<IdleCode> update_idle_code(OrgId org, const IdleCode& code) = 0;
  virtual Result<void> delete_idle_code(OrgId org, IdleCodeId id) = 0;
  // The org's RONA code, created on first use.
  virtual Result<IdleCode> ensure_rona_idle_code(OrgId org) = 0;
  // Names of the desktop profiles whose allowed list contains the code.
  virtual Result<std::vector<std::string>> profiles_using_idle_code(OrgId org, IdleCodeId id) = 0;

  // ---- desktop profiles ----
  // not_found when an allowed idle code is not one of org's; conflict when the name is taken.
  virtual Result<DesktopProfile> create_desktop_profile(const DesktopProfile& profile) = 0;
  virtual Result<DesktopProfile> get_desktop_profile(OrgId org, DesktopProfileId id) = 0;
  virtual Result<std::vector<DesktopProfile>> list_desktop_profiles(OrgId org) = 0;
  virtual Result<DesktopProfile> update_desktop_profile(const DesktopProfile& profile) = 0;
  // conflict while agents use the profile.
  virtual Result<void> delete_desktop_profile(OrgId org, DesktopProfileId id) = 0;

  // ---- queues ----
  virtual Result<CcQueue> create_queue(const CcQueue& queue) = 0;
  virtual Result<CcQueue> get_queue(OrgId org, QueueId id) = 0;
  virtual Result<std::vector<CcQueue>> list_queues(OrgId org) = 0;
  virtual Result<CcQueue> update_queue(const CcQueue& queue) = 0;
  // conflict while contacts wait in it; agents stop serving it.
  virtual Result<void> delete_queue(OrgId org, QueueId id) = 0;

  // ---- agents ----
  // Creates or replaces the agent's settings. not_found when the user, the profile or a queue
  // is not org's.
  virtual Result<AgentConfig> put_agent(const AgentConfig& agent) = 0;
  virtual Result<AgentConfig> get_agent(OrgId org, UserId user) = 0;
  virtual Result<std::vector<AgentConfig>> list_agents(OrgId org) = 0;
  // Also removes the agent's persisted state.
  virtual Result<void> delete_agent(OrgId org, UserId user) = 0;

  // ---- live state ----
  virtual Result<std::vector<AgentState>> list_agent_states(OrgId org) = 0;
  // Inserts when contact.id is 0 (the id is assigned and returned), else replaces. The queue's
  // counts (list_queue_counts) move with the contact's offers/answers/ronas in the same write.
  virtual Result<Contact> put_contact(const Contact& contact) = 0;
  virtual Result<Contact> get_contact(OrgId org, ContactId id) = 0;
  // Contacts not Ended, oldest first.
  virtual Result<std::vector<Contact>> list_open_contacts(OrgId org) = 0;
  // Organisations with a persisted agent state or open contact (restart recovery).
  virtual Result<std::vector<OrgId>> orgs_with_live_state() = 0;
  // Cumulative counts of org's existing queues that have any (queues without are absent).
  virtual Result<std::vector<QueueCounts>> list_queue_counts(OrgId org) = 0;

  // ---- event log ----
  // ---- one decision ----
  // Writes every contact, agent state and event of change in ONE transaction: all or none, so a
  // crash leaves the state before or after the decision, never half of it. The queue counters
  // move with the contacts. An agent state keeps status, idle code, origin, contact and since
  // (what a restart needs); the agent must have been put first. An event's body_without_seq is
  // a JSON object's text, which the store completes with "seq". Returns the stored events, in
  // order. Errors: not_found when a
  // contact or an agent is not org's (nothing is written), and the store's own.
  virtual Result<std::vector<CcEventRecord>> commit(OrgId org, const CcCommit& change) = 0;
  // org's events with seq > after, oldest first, at most limit.
  virtual Result<std::vector<CcEventRecord>> events_after(OrgId org, std::int64_t after,
                                                          std::size_t limit) = 0;
  // Bounded retention: drops events older than before; returns how many.
  virtual Result<int> prune_events(Timestamp before) = 0;
};

}  // namespace ccteams
