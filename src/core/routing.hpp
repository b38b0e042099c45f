#pragma once
// Routing decisions for one organisation: which waiting contact goes to which available agent.
//
// Policy (issue 5): the oldest waiting contact first (by its original enqueue time, so a contact
// re-queued after a decline or RONA keeps its place), offered to the agent of its queue who has
// been Available the longest; each agent gets at most one offer per round.
//
// Cost: every update is O(log n) per queue the agent serves; take_offers() is
// O(Q + k * (q log n)) for k offers, Q queues and q queues per agent, never a scan of all agents
// or contacts. Pure data structure: not thread-safe; the routing service owns one per org and
// calls it from one strand.

#include <chrono>
#include <cstddef>
#include <limits>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/ids.hpp"
#include "core/time.hpp"

namespace ccteams {

struct RoutingOffer {
  ContactId contact;
  QueueId queue;
  UserId agent;
  friend bool operator==(const RoutingOffer&, const RoutingOffer&) = default;
};

struct QueueStats {
  std::size_t waiting = 0;          // contacts in the queue (not those being offered)
  std::size_t available_agents = 0;
  Millis longest_wait{0};           // now - oldest enqueue time; 0 when empty
};

class RoutingTable {
 public:
  // The agent is Available since `since` and serves these queues. Replaces an earlier entry
  // (new queues, new since). An agent with no queues is kept but never offered anything.
  void agent_available(UserId agent, const std::vector<QueueId>& queues, Timestamp since);
  // The agent is no longer offerable (Idle, Reserved, logged out…). Unknown agents are ignored.
  void agent_unavailable(UserId agent);

  // The contact waits in `queue` since `enqueued_at`. Re-queueing (decline, RONA, a failed
  // offer) passes the ORIGINAL enqueue time so that the contact keeps its place. Replaces an
  // earlier entry for the same contact.
  void enqueue(ContactId contact, QueueId queue, Timestamp enqueued_at);
  // Abandoned, answered elsewhere, or taken by take_offers. Unknown contacts are ignored.
  void remove_contact(ContactId contact);

  // Decides offers greedily, oldest contact first, and REMOVES each offered contact and agent
  // from the table (they are Reserved now). If applying an offer fails later (the agent's state
  // refused it), the caller re-enqueues the contact with its original time. At most `limit`.
  std::vector<RoutingOffer> take_offers(std::size_t limit = std::numeric_limits<std::size_t>::max());

  QueueStats queue_stats(QueueId queue, Timestamp now) const;
  bool is_available(UserId agent) const { return agents_.contains(agent); }
  bool is_waiting(ContactId contact) const { return contacts_.contains(contact); }
  std::size_t available_agent_count() const { return agents_.size(); }
  std::size_t waiting_contact_count() const { return contacts_.size(); }

 private:
  using AgentKey = std::pair<Timestamp, UserId>;       // longest available first
  using ContactKey = std::pair<Timestamp, ContactId>;  // oldest first
  struct AgentEntry {
    Timestamp since;
    std::vector<QueueId> queues;
  };
  struct ContactEntry {
    Timestamp enqueued_at;
    QueueId queue;
  };
  struct Queue {
    std::set<AgentKey> agents;
    std::set<ContactKey> contacts;
  };

  std::unordered_map<UserId, AgentEntry> agents_;
  std::unordered_map<ContactId, ContactEntry> contacts_;
  std::unordered_map<QueueId, Queue> queues_;
};

}  // namespace ccteams
