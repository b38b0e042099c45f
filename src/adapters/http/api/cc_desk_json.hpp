#pragma once
// JSON codecs of the desktop and contact-control requests (STYLE §13).

#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "app/contact_center.hpp"

namespace ccteams::http {

// PUT /api/v1/me/state: {"state":"Available"} or {"state":"Idle","idleCodeId":n}; with
// supervisor (PUT /api/v1/agents/{id}/state) also {"state":"LoggedOut"}.
struct StateRequest {
  AgentStatus status = AgentStatus::available;
  std::optional<IdleCodeId> idle_code;
};
Result<StateRequest> state_request_from_json(const boost::json::object& o,
                                             bool supervisor = false);

// POST /api/v1/me/session: {} or {"idleCodeId":n} (log in Idle with that code).
Result<std::optional<IdleCodeId>> session_request_from_json(const boost::json::object& o);

// consult / transfer: {"agentId":n} or {"number":"+1…","teamsUserId"?}.
Result<ContactParty> party_from_json(const boost::json::object& o);

// POST /api/v1/demo/contacts: {"queueId":n,"caller"?}.
struct DemoContactRequest {
  QueueId queue;
  std::string caller;
};
Result<DemoContactRequest> demo_contact_from_json(const boost::json::object& o);

// {"state": agent_state_to_json(…)} plus "agentId".
boost::json::object agent_state_view_to_json(UserId agent, const AgentStateView& v);

}  // namespace ccteams::http
