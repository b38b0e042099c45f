#pragma once
// JSON of the contact center's live objects, shared by the event log (app) and the REST API
// (adapters/http): one home per codec (STYLE §13). Field names as DESIGN.md.

#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "core/agent_state.hpp"
#include "core/contact.hpp"

namespace ccteams {

// {"state","idleCodeId","idleCodeName","origin","contactId","since","teamsPresence":null|
//  {"availability","activity","seenAt","channel"}}; absent parts are null ("since" is null for
// an agent who has never logged in).
boost::json::object agent_state_to_json(const AgentState& s,
                                        const std::optional<std::string>& idle_code_name);

// {"id","queueId","state","agentId","caller","enqueuedAt","since","offers","answers","ronas",
//  "endReason","party":null|{"agentId"}|{"number","teamsUserId"},"partyJoined",
//  "wrapUpCode":null|text}
boost::json::object contact_to_json(const Contact& c);

// Queue statistics for supervisors.
struct QueueStatsView {
  QueueId queue;
  std::size_t waiting = 0;
  std::size_t available_agents = 0;
  Millis longest_wait{0};
  // Cumulative since the queue was created (persisted: they survive restarts).
  std::int64_t offered = 0;   // offers made, transfers to agents included
  std::int64_t answered = 0;  // offers accepted
  std::int64_t rona = 0;      // offers that rang out
};
// {"queueId","waiting","availableAgents","longestWaitSeconds","offered","answered","rona"}
boost::json::object queue_stats_to_json(const QueueStatsView& q);

}  // namespace ccteams
