#include "core/routing.hpp"

#include <algorithm>
#include <queue>

namespace ccteams {

void RoutingTable::agent_available(UserId agent, const std::vector<QueueId>& queues,
                                   Timestamp since) {
  agent_unavailable(agent);
  AgentEntry entry{since, queues};
  // A queue listed twice would leave a dangling set entry on removal.
  std::sort(entry.queues.begin(), entry.queues.end());
  entry.queues.erase(std::unique(entry.queues.begin(), entry.queues.end()), entry.queues.end());
  for (QueueId q : entry.queues) queues_[q].agents.emplace(since, agent);
  agents_.emplace(agent, std::move(entry));
}

void RoutingTable::agent_unavailable(UserId agent) {
  auto it = agents_.find(agent);
  if (it == agents_.end()) return;
  for (QueueId q : it->second.queues) {
    auto qit = queues_.find(q);
    if (qit == queues_.end()) continue;
    qit->second.agents.erase(AgentKey{it->second.since, agent});
    if (qit->second.agents.empty() && qit->second.contacts.empty()) queues_.erase(qit);
  }
  agents_.erase(it);
}

void RoutingTable::enqueue(ContactId contact, QueueId queue, Timestamp enqueued_at) {
  remove_contact(contact);
  queues_[queue].contacts.emplace(enqueued_at, contact);
  contacts_.emplace(contact, ContactEntry{enqueued_at, queue});
}

void RoutingTable::remove_contact(ContactId contact) {
  auto it = contacts_.find(contact);
  if (it == contacts_.end()) return;
  auto qit = queues_.find(it->second.queue);
  if (qit != queues_.end()) {
    qit->second.contacts.erase(ContactKey{it->second.enqueued_at, contact});
    if (qit->second.agents.empty() && qit->second.contacts.empty()) queues_.erase(qit);
  }
  contacts_.erase(it);
}

std::vector<RoutingOffer> RoutingTable::take_offers(std::size_t limit) {
  std::vector<RoutingOffer> offers;
  // A min-heap of the queues that can route, keyed by their oldest contact. An agent serving
  // several queues leaves them all when offered, so a popped queue is re-checked.
  using Head = std::pair<ContactKey, QueueId>;
  std::priority_queue<Head, std::vector<Head>, std::greater<>> ready;
  for (const auto& [id, q] : queues_) {
    if (!q.agents.empty() && !q.contacts.empty()) ready.emplace(*q.contacts.begin(), id);
  }
  while (!ready.empty() && offers.size() < limit) {
    const QueueId queue_id = ready.top().second;
    ready.pop();
    auto qit = queues_.find(queue_id);
    if (qit == queues_.end()) continue;
    Queue& q = qit->second;
    if (q.agents.empty() || q.contacts.empty()) continue;
    const ContactId contact = q.contacts.begin()->second;
    const UserId agent = q.agents.begin()->second;
    offers.push_back(RoutingOffer{contact, queue_id, agent});
    // Erasing may drop emptied queues from queues_, so re-find this one afterwards.
    remove_contact(contact);
    agent_unavailable(agent);
    qit = queues_.find(queue_id);
    if (qit != queues_.end() && !qit->second.agents.empty() && !qit->second.contacts.empty()) {
      ready.emplace(*qit->second.contacts.begin(), queue_id);
    }
  }
  return offers;
}

QueueStats RoutingTable::queue_stats(QueueId queue, Timestamp now) const {
  QueueStats stats;
  auto it = queues_.find(queue);
  if (it == queues_.end()) return stats;
  stats.waiting = it->second.contacts.size();
  stats.available_agents = it->second.agents.size();
  if (!it->second.contacts.empty()) {
    stats.longest_wait = std::max(Millis{0}, now - it->second.contacts.begin()->first);
  }
  return stats;
}

}  // namespace ccteams
