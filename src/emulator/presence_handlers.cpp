// Presence endpoints (graph-protocol.md §3.4): reads, bulk reads (≤650 ids), setPresence,
// clearPresence, setUserPreferredPresence and clearUserPreferredPresence, all throttled by
// the presence bucket (1,500 requests / 30 s per app per tenant).
#include <boost/json/parse.hpp>

#include "adapters/http/json_io.hpp"
#include "emulator/emulator_state.hpp"

namespace ccteams::emulator {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxPresenceIds = 650;

json::object presence_json(const State& s, const PresenceView& v, bool with_context) {
  json::object o;
  if (with_context) {
    o["@odata.context"] = s.graph_base + "/v1.0/$metadata#users('" + v.user_id + "')/presence";
  }
  o["id"] = v.user_id;
  o["availability"] = v.state.availability;
  o["activity"] = v.state.activity;
  o["statusMessage"] = nullptr;
  o["outOfOfficeSettings"] = json::object{{"message", nullptr}, {"isOutOfOffice", false}};
  o["sequenceNumber"] = v.sequence_number;
  return o;
}

GraphError not_found(std::string_view id) {
  return graph_error(404, "NotFound", "The requested user '" + std::string(id) +
                                          "' is invalid or does not exist.");
}

// Shared admission: token, permission, throttling. On success returns the caller.
struct Admitted {
  std::optional<Caller> caller;
  std::optional<http::Response> refusal;
};

Admitted admit(State& s, const http::Request& req, bool write) {
  Admitted a;
  auto caller = authenticate(s, req);
  if (!caller) {
    a.refusal = graph_error_response(s, req, caller.error());
    return a;
  }
  auto e = write ? require_any(*caller, {"Presence.ReadWrite.All"}, {"Presence.ReadWrite"})
                 : require_any(*caller, {"Presence.Read.All", "Presence.ReadWrite.All"},
                               {"Presence.Read", "Presence.Read.All", "Presence.ReadWrite"});
  if (e) {
    a.refusal = graph_error_response(s, req, *e);
    return a;
  }
  if (auto t = throttled(s, req, *caller, "presence", presence_limit(), 1)) {
    a.refusal = std::move(*t);
    return a;
  }
  a.caller = std::move(*caller);
  return a;
}

http::Response get_presence(State& s, http::Request& req, std::string_view id) {
  auto a = admit(s, req, false);
  if (a.refusal) return std::move(*a.refusal);
  const DirectoryUser* u = a.caller->tenant->directory.find_user(id);
  if (u == nullptr) return graph_error_response(s, req, not_found(id));
  return graph_json(200, presence_json(s, a.caller->tenant->presence.presence(u->id, s.now()), true));
}

http::Response get_presences_by_user_id(State& s, http::Request& req) {
  auto a = admit(s, req, false);
  if (a.refusal) return std::move(*a.refusal);
  auto body = http::parse_json_object(req);
  const json::value* ids = body ? body->if_contains("ids") : nullptr;
  if (ids == nullptr || !ids->is_array() || ids->as_array().empty()) {
    return graph_error_response(
        s, req, graph_error(400, "BadRequest", "The request body must contain a non-empty 'ids' array."));
  }
  if (ids->as_array().size() > kMaxPresenceIds) {
    return graph_error_response(
        s, req, graph_error(400, "BadRequest",
                            "The number of ids in the request exceeds the maximum of 650."));
  }
  json::array value;
  std::set<std::string> seen;
  for (const auto& v : ids->as_array()) {
    if (!v.is_string()) {
      return graph_error_response(s, req,
                                  graph_error(400, "BadRequest", "Every id must be a string."));
    }
    const DirectoryUser* u = a.caller->tenant->directory.find_user(v.as_string());
    if (u == nullptr || !seen.insert(u->id).second) continue;  // unknown ids are left out
    value.push_back(presence_json(s, a.caller->tenant->presence.presence(u->id, s.now()), false));
  }
  return graph_json(200, json::object{{"@odata.context",
                                       s.graph_base + "/v1.0/$metadata#Collection(presence)"},
                                      {"value", std::move(value)}});
}

// Delegated writes only touch the signed-in user's own presence.
std::optional<GraphError> own_presence_only(const Caller& c, const DirectoryUser& u) {
  if (c.delegated && c.user_id != u.id) {
    return graph_error(403, "Authorization_RequestDenied",
                       "Insufficient privileges to complete the operation.");
  }
  return std::nullopt;
}

std::optional<std::string> body_string(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

http::Response presence_write(State& s, http::Request& req, std::string_view action) {
  auto a = admit(s, req, true);
  if (a.refusal) return std::move(*a.refusal);
  const std::string_view id = req.path_param("id");
  const DirectoryUser* u = a.caller->tenant->directory.find_user(id);
  if (u == nullptr) return graph_error_response(s, req, not_found(id));
  if (auto e = own_presence_only(*a.caller, *u)) return graph_error_response(s, req, *e);
  json::object body;
  if (action != "clearUserPreferredPresence") {
    auto parsed = http::parse_json_object(req);
    if (!parsed) {
      return graph_error_response(s, req, graph_error(400, "BadRequest", parsed.error().message));
    }
    body = std::move(*parsed);
  }
  const auto now = s.now();
  const auto session = body_string(body, "sessionId");
  const auto duration = body_string(body, "expirationDuration");
  const PresencePair pair{body_string(body, "availability").value_or(""),
                          body_string(body, "activity").value_or("")};
  GraphResult<Done> r = Done{};
  if (action == "setPresence" || action == "clearPresence") {
    // The IMPORTANT box of the docs: sessionId is the calling application's client id.
    if (!session || !http::iequals(*session, a.caller->app_id)) {
      return graph_error_response(
          s, req, graph_error(400, "BadRequest",
                              "sessionId must be the application (client) id of the caller."));
    }
    r = action == "setPresence"
            ? a.caller->tenant->presence.set_presence(u->id, *session, pair,
                                      duration ? std::optional<std::string_view>(*duration)
                                               : std::nullopt,
                                      now)
            : a.caller->tenant->presence.clear_presence(u->id, *session, now);
  } else if (action == "setUserPreferredPresence") {
    r = a.caller->tenant->presence.set_preferred(
        u->id, pair, duration ? std::optional<std::string_view>(*duration) : std::nullopt, now);
  } else {
    a.caller->tenant->presence.clear_preferred(u->id, now);
  }
  if (!r) return graph_error_response(s, req, r.error());
  return http::empty_response(200);
}

}  // namespace

void register_presence_routes(http::Router& router, const std::shared_ptr<State>& s) {
  router.add("GET", "/v1.0/users/{id}/presence",
             graph_route(s, [](State& st, http::Request& req) {
               return get_presence(st, req, req.path_param("id"));
             }));
  router.add("GET", "/v1.0/communications/presences/{id}",
             graph_route(s, [](State& st, http::Request& req) {
               return get_presence(st, req, req.path_param("id"));
             }));
  router.add("GET", "/v1.0/me/presence", graph_route(s, [](State& st, http::Request& req) {
               auto caller = authenticate(st, req);
               if (!caller) return graph_error_response(st, req, caller.error());
               return get_presence(st, req, caller->user_id);
             }));
  router.add("POST", "/v1.0/communications/getPresencesByUserId",
             graph_route(s, get_presences_by_user_id));
  for (const char* action : {"setPresence", "clearPresence", "setUserPreferredPresence",
                             "clearUserPreferredPresence"}) {
    router.add("POST", std::string("/v1.0/users/{id}/presence/") + action,
               graph_route(s, [action](State& st, http::Request& req) {
                 return presence_write(st, req, action);
               }));
  }
}

}  // namespace ccteams::emulator
