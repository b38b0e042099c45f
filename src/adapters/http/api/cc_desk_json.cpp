#include "adapters/http/api/cc_desk_json.hpp"

#include <boost/json.hpp>

#include "adapters/http/api/cc_json.hpp"
#include "adapters/http/json_io.hpp"

namespace ccteams::http {

namespace json = boost::json;

namespace {

Result<std::optional<std::int64_t>> positive_id(const json::object& o, std::string_view key) {
  auto v = optional_int(o, key);
  if (!v) return v;
  if (*v && **v <= 0) {
    return make_error(Errc::invalid_input, "field '" + std::string(key) + "' must be an id");
  }
  return v;
}

}  // namespace

Result<StateRequest> state_request_from_json(const json::object& o, bool supervisor) {
  auto name = required_string(o, "state");
  if (!name) return std::move(name).error();
  auto code = positive_id(o, "idleCodeId");
  if (!code) return std::move(code).error();
  if (supervisor && *name == "LoggedOut") {
    if (*code) return make_error(Errc::invalid_input, "field 'idleCodeId' is only for Idle");
    return StateRequest{AgentStatus::logged_out, std::nullopt};
  }
  if (*name == "Available") {
    if (*code) return make_error(Errc::invalid_input, "field 'idleCodeId' is only for Idle");
    return StateRequest{AgentStatus::available, std::nullopt};
  }
  if (*name == "Idle") {
    if (!*code) return make_error(Errc::invalid_input, "field 'idleCodeId' is required for Idle");
    return StateRequest{AgentStatus::idle, IdleCodeId{**code}};
  }
  if (supervisor) {
    return make_error(Errc::invalid_input,
                      "field 'state' must be \"LoggedOut\", \"Available\" or \"Idle\" (the "
                      "others are set by the contact center)");
  }
  return make_error(Errc::invalid_input,
                    "field 'state' must be \"Available\" or \"Idle\" (the others are set by "
                    "the contact center)");
}

Result<std::optional<IdleCodeId>> session_request_from_json(const json::object& o) {
  auto code = positive_id(o, "idleCodeId");
  if (!code) return std::move(code).error();
  if (!*code) return std::optional<IdleCodeId>{};
  return std::optional<IdleCodeId>{IdleCodeId{**code}};
}

Result<ContactParty> party_from_json(const json::object& o) {
  auto agent = positive_id(o, "agentId");
  if (!agent) return std::move(agent).error();
  auto number = optional_string(o, "number");
  if (!number) return std::move(number).error();
  auto teams = optional_string(o, "teamsUserId");
  if (!teams) return std::move(teams).error();
  if (*agent && *number) {
    return make_error(Errc::invalid_input, "give either field 'agentId' or field 'number'");
  }
  if (*agent) return ContactParty{AgentParty{UserId{**agent}}};
  if (*number) return ContactParty{PhoneParty{**number, teams->value_or("")}};
  return make_error(Errc::invalid_input, "field 'agentId' or field 'number' is required");
}

Result<DemoContactRequest> demo_contact_from_json(const json::object& o) {
  auto queue = positive_id(o, "queueId");
  if (!queue) return std::move(queue).error();
  if (!*queue) return make_error(Errc::invalid_input, "field 'queueId' is required");
  auto caller = optional_string(o, "caller");
  if (!caller) return std::move(caller).error();
  std::string c = caller->value_or("+15550100");
  if (c.empty() || c.size() > 64) {
    return make_error(Errc::invalid_input, "field 'caller' must be 1-64 characters");
  }
  return DemoContactRequest{QueueId{**queue}, std::move(c)};
}

json::object agent_state_view_to_json(UserId agent, const AgentStateView& v) {
  return {{"agentId", agent.value}, {"state", agent_state_to_json(v.state, v.idle_code_name)}};
}

}  // namespace ccteams::http
