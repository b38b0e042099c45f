#pragma once
// JSON of the contact center's live objects, shared by the REST API and the event log (whose
// events app hands to CcEventJson through its encoder port): one home per codec (STYLE §13).
// Field names as DESIGN.md.

#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "app/cc_events.hpp"
#include "app/ports/cc_event_encoder.hpp"
#include "core/agent_state.hpp"
#include "core/contact.hpp"

namespace ccteams::http {

// {"state","idleCodeId","idleCodeName","origin","contactId","since","teamsPresence":null|
//  {"availability","activity","seenAt","channel"}}; absent parts are null ("since" is null for
// an agent who has never logged in).
boost::json::object agent_state_to_json(const AgentState& s,
                                        const std::optional<std::string>& idle_code_name);

// {"id","queueId","state","agentId","caller","enqueuedAt","since","offers","answers","ronas",
//  "endReason","party":null|{"agentId"}|{"number","teamsUserId"},"partyJoined",
//  "wrapUpCode":null|text}
boost::json::object contact_to_json(const Contact& c);

// {"queueId","waiting","availableAgents","longestWaitSeconds","offered","answered","rona"}
boost::json::object queue_stats_to_json(const QueueStatsView& q);

// The contact center's events as the log keeps them and the events WebSocket sends them:
// {"type","at"} and then, by type, agent.state {"agentId","state": agent_state_to_json(…)},
// contact {"contact": contact_to_json(…)}, contact.wrapup {"contactId","agentId","code"},
// queue.stats {"queue": queue_stats_to_json(…)}.
class CcEventJson final : public CcEventEncoder {
 public:
  // CcEventEncoder
  std::string encode(const CcEvent& event, Timestamp at) const override;
};

}  // namespace ccteams::http
