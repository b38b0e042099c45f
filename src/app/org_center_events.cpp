// OrgCenter's events (contact_center.hpp): what a decision changed, handed to the encoder port
// and kept in the decision until finish() writes and publishes it; and the queue statistics
// that go with them.
#include "app/org_center.hpp"

namespace ccteams {

OrgCenter::Decision OrgCenter::take_decision() {
  for (QueueId q : std::exchange(decision_.queues, {})) {
    auto stats = queue_stats(q);
    if (stats) emit(std::nullopt, QueueStatsChanged{*stats});
  }
  return std::exchange(decision_, Decision{});
}

void OrgCenter::emit(std::optional<UserId> agent, CcEvent event) {
  const Timestamp now = deps_.clock.now();
  std::string body = deps_.encoder.encode(event, now);
  decision_.events.push_back(
      NewCcEvent{agent, std::string(cc_event_type(event)), now, std::move(body)});
}

void OrgCenter::emit_agent_state(const AgentState& s) {
  emit(s.agent, AgentStateChanged{s, idle_code_name(s.idle_code)});
}

void OrgCenter::emit_contact(const Contact& c) { emit(c.agent, ContactChanged{c}); }

void OrgCenter::emit_queue(QueueId queue) { decision_.queues.insert(queue); }

Result<QueueStatsView> OrgCenter::queue_stats(QueueId queue) {
  auto q = config_.get_queue(queue);
  if (!q) return std::move(q).error();
  const QueueStats s = table_.queue_stats(queue, deps_.clock.now());
  const Counters& c = counters_[queue];
  return QueueStatsView{queue,      s.waiting, s.available_agents, s.longest_wait, c.offered,
                        c.answered, c.rona};
}

Result<std::vector<QueueStatsView>> OrgCenter::all_queue_stats() {
  std::vector<QueueStatsView> out;
  for (const auto& q : config_.list_queues()) {
    auto s = queue_stats(q.id);
    if (s) out.push_back(*s);
  }
  return out;
}

}  // namespace ccteams
