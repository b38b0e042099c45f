#include "adapters/http/api/cc_json.hpp"

#include <boost/json.hpp>

namespace ccteams::http {

namespace json = boost::json;

namespace {

template <class Id>
json::value id_or_null(const std::optional<Id>& id) {
  return id ? json::value(id->value) : json::value(nullptr);
}

std::string presence_part(std::string_view name, const std::string& raw) {
  return raw.empty() ? std::string(name) : raw;
}

}  // namespace

json::object agent_state_to_json(const AgentState& s,
                                 const std::optional<std::string>& idle_code_name) {
  json::object o;
  o["state"] = agent_status_name(s.status);
  o["idleCodeId"] = id_or_null(s.idle_code);
  o["idleCodeName"] = idle_code_name ? json::value(*idle_code_name) : json::value(nullptr);
  o["origin"] = s.origin ? json::value(idle_origin_name(*s.origin)) : json::value(nullptr);
  o["contactId"] = id_or_null(s.contact);
  o["since"] = s.since ? json::value(format_iso8601(*s.since)) : json::value(nullptr);
  if (s.teams_presence) {
    const auto& p = s.teams_presence->presence;
    o["teamsPresence"] = json::object{
        {"availability", presence_part(availability_name(p.availability), p.raw_availability)},
        {"activity", presence_part(activity_name(p.activity), p.raw_activity)},
        {"seenAt", format_iso8601(s.teams_presence->seen_at)},
        {"channel", presence_channel_name(s.teams_presence->channel)}};
  } else {
    o["teamsPresence"] = nullptr;
  }
  return o;
}

json::object contact_to_json(const Contact& c) {
  json::object o{{"id", c.id.value},
                 {"queueId", c.queue.value},
                 {"state", contact_status_name(c.status)},
                 {"caller", c.caller},
                 {"enqueuedAt", format_iso8601(c.enqueued_at)},
                 {"since", format_iso8601(c.since)},
                 {"offers", c.offers},
                 {"answers", c.answers},
                 {"ronas", c.ronas},
                 {"endReason", end_reason_name(c.end_reason)},
                 {"partyJoined", c.party_joined}};
  o["wrapUpCode"] = c.wrap_up_code.empty() ? json::value(nullptr) : json::value(c.wrap_up_code);
  o["agentId"] = id_or_null(c.agent);
  if (!c.party) {
    o["party"] = nullptr;
  } else if (const auto* a = std::get_if<AgentParty>(&*c.party)) {
    o["party"] = json::object{{"agentId", a->agent.value}};
  } else {
    const auto& p = std::get<PhoneParty>(*c.party);
    o["party"] = json::object{
        {"number", p.number},
        {"teamsUserId", p.teams_user_id.empty() ? json::value(nullptr) : json::value(p.teams_user_id)}};
  }
  return o;
}

json::object queue_stats_to_json(const QueueStatsView& q) {
  return {{"queueId", q.queue.value},
          {"waiting", q.waiting},
          {"availableAgents", q.available_agents},
          {"longestWaitSeconds", std::chrono::duration_cast<std::chrono::seconds>(q.longest_wait).count()},
          {"offered", q.offered},
          {"answered", q.answered},
          {"rona", q.rona}};
}

std::string CcEventJson::encode(const CcEvent& event, Timestamp at) const {
  json::object o{{"type", cc_event_type(event)}, {"at", format_iso8601(at)}};
  struct Payload {
    json::object& o;
    void operator()(const AgentStateChanged& e) const {
      o["agentId"] = e.state.agent.value;
      o["state"] = agent_state_to_json(e.state, e.idle_code_name);
    }
    void operator()(const ContactChanged& e) const { o["contact"] = contact_to_json(e.contact); }
    void operator()(const WrapUpRecorded& e) const {
      o["contactId"] = e.contact.value;
      o["agentId"] = e.agent.value;
      o["code"] = e.code;
    }
    void operator()(const QueueStatsChanged& e) const { o["queue"] = queue_stats_to_json(e.stats); }
  };
  std::visit(Payload{o}, event);
  return json::serialize(o);
}

}  // namespace ccteams::http
