// Control API, part two: directory changes, a user's own Teams client presence, and fault
// injection. See control_handlers.cpp for the list of routes.
#include <boost/json/array.hpp>

#include "adapters/http/json_io.hpp"
#include "emulator/emulator_state.hpp"
#include "emulator/user_json.hpp"

namespace ccteams::emulator {

namespace json = boost::json;

namespace {

http::Response bad(std::string message) {
  return http::error_response(make_error(Errc::invalid_input, std::move(message)));
}
http::Response missing(std::string message) {
  return http::error_response(make_error(Errc::not_found, std::move(message)));
}

std::optional<std::string> str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::optional<std::string>(std::string(v->as_string()))
                             : std::nullopt;
}

json::object pair_json(const PresencePair& p) {
  return {{"availability", p.availability}, {"activity", p.activity}};
}

http::Response presence_state(State& s, EmulatedTenant& t, const DirectoryUser& u) {
  const auto now = s.now();
  json::array sessions;
  for (const auto& x : t.presence.sessions(u.id, now)) {
    json::object o = pair_json(x.state);
    o["sessionId"] = x.session_id;
    o["lastSet"] = format_iso8601(x.last_set);
    o["expiresAt"] = x.expires_at ? json::value(format_iso8601(*x.expires_at))
                                  : json::value(nullptr);
    sessions.push_back(std::move(o));
  }
  const auto client = t.presence.client_state(u.id);
  const auto view = t.presence.presence(u.id, now);
  json::object agg = pair_json(view.state);
  agg["sequenceNumber"] = view.sequence_number;
  return http::json_response(
      200, json::object{{"id", u.id},
                        {"clientState", client ? json::value(pair_json(*client))
                                               : json::value(nullptr)},
                        {"sessions", std::move(sessions)},
                        {"presence", std::move(agg)}});
}

// The tenant named by ?tenant (the home tenant by default) and its user named in the path.
struct Target {
  EmulatedTenant* tenant = nullptr;
  const DirectoryUser* user = nullptr;
  std::optional<http::Response> error;
};

Target target_user(State& s, const http::Request& req) {
  Target t;
  t.tenant = control_tenant(s, req, t.error);
  if (t.tenant == nullptr) return t;
  t.user = t.tenant->directory.find_user(req.path_param("id"));
  if (t.user == nullptr) t.error = missing("no such user in tenant " + t.tenant->directory.domain());
  return t;
}

http::Response get_user_presence(State& s, http::Request& req) {
  auto t = target_user(s, req);
  if (t.error) return std::move(*t.error);
  return presence_state(s, *t.tenant, *t.user);
}

// A Teams client's state from {"availability", "activity"?} (activity defaults to the
// availability); nullopt when availability is missing or empty.
std::optional<PresencePair> client_state_of(const json::object& o) {
  auto availability = str(o, "availability");
  if (!availability || availability->empty()) return std::nullopt;
  std::string activity = str(o, "activity").value_or("");
  if (activity.empty()) activity = *availability;
  return PresencePair{std::move(*availability), std::move(activity)};
}

// The user's own Teams client changes state (any pair Teams can show, including
// Busy/InAMeeting and DoNotDisturb/Focusing; Offline signs the client out).
http::Response set_user_presence(State& s, http::Request& req) {
  auto t = target_user(s, req);
  if (t.error) return std::move(*t.error);
  const DirectoryUser* u = t.user;
  auto body = http::parse_json_object(req);
  if (!body) return http::error_response(body.error());
  auto state = client_state_of(*body);
  if (!state) return bad("availability is required");
  t.tenant->presence.set_client_state(u->id, *state, s.now());
  return presence_state(s, *t.tenant, *u);
}

// Many users' Teams clients change state at once (a load generator's call): {"changes": [{"id",
// "availability", "activity"?}, ...]}, at most kMaxPresenceChanges. Every entry is checked
// first; one bad entry refuses the call and changes nothing.
constexpr std::size_t kMaxPresenceChanges = 1000;

http::Response set_presences(State& s, http::Request& req) {
  std::optional<http::Response> error;
  EmulatedTenant* tenant = control_tenant(s, req, error);
  if (tenant == nullptr) return std::move(*error);
  auto body = http::parse_json_object(req);
  if (!body) return http::error_response(body.error());
  const auto* changes = body->if_contains("changes");
  if (changes == nullptr || !changes->is_array()) return bad("changes must be an array");
  const auto& list = changes->as_array();
  if (list.size() > kMaxPresenceChanges) {
    return bad("at most " + std::to_string(kMaxPresenceChanges) + " changes per call");
  }
  struct Change {
    std::string id;
    PresencePair state;
  };
  std::vector<Change> checked;
  checked.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = "changes[" + std::to_string(i) + "]";
    if (!list[i].is_object()) return bad(at + " must be an object");
    const auto& o = list[i].as_object();
    auto id = str(o, "id");
    if (!id || tenant->directory.find_user(*id) == nullptr) {
      return bad(at + ": no such user in tenant " + tenant->directory.domain());
    }
    auto state = client_state_of(o);
    if (!state) return bad(at + ": availability is required");
    checked.push_back({std::move(*id), std::move(*state)});
  }
  const auto now = s.now();
  for (auto& c : checked) tenant->presence.set_client_state(c.id, std::move(c.state), now);
  return http::json_response(200, json::object{{"applied", checked.size()}});
}

// Applies the fields present in body to u (the same camelCase names Graph uses).
void apply_user_fields(DirectoryUser& u, const json::object& body) {
  const auto opt_field = [&](std::string_view key, std::optional<std::string>& field) {
    if (const auto* v = body.if_contains(key)) {
      field = v->is_string() ? std::optional<std::string>(std::string(v->as_string()))
                             : std::nullopt;
    }
  };
  if (auto v = str(body, "displayName")) u.display_name = *v;
  if (auto v = str(body, "givenName")) u.given_name = *v;
  if (auto v = str(body, "surname")) u.surname = *v;
  if (auto v = str(body, "mail")) u.mail = *v;
  if (auto v = str(body, "userPrincipalName")) u.user_principal_name = *v;
  opt_field("jobTitle", u.job_title);
  opt_field("department", u.department);
  opt_field("officeLocation", u.office_location);
  opt_field("mobilePhone", u.mobile_phone);
  if (const auto* v = body.if_contains("accountEnabled"); v && v->is_bool()) {
    u.account_enabled = v->as_bool();
  }
  if (const auto* v = body.if_contains("businessPhones"); v && v->is_array()) {
    u.business_phones.clear();
    for (const auto& p : v->as_array()) {
      if (p.is_string()) u.business_phones.emplace_back(p.as_string());
    }
  }
}

http::Response create_user(State& s, http::Request& req) {
  std::optional<http::Response> error;
  EmulatedTenant* t = control_tenant(s, req, error);
  if (t == nullptr) return std::move(*error);
  TenantModel& dir = t->directory;
  auto body = http::parse_json_object(req);
  if (!body) return http::error_response(body.error());
  DirectoryUser u;
  u.id = s.rng.guid();
  u.wids = {std::string(kDefaultUserRole)};
  apply_user_fields(u, *body);
  if (u.user_principal_name.empty()) return bad("userPrincipalName is required");
  if (s.tenant_of_user(u.user_principal_name) != nullptr) return bad("userPrincipalName taken");
  if (u.mail.empty()) u.mail = u.user_principal_name;
  const auto& added = dir.add_user(std::move(u));
  notify_user_change(s, dir.tenant_id(), added.id, "updated");  // Graph reports a creation as updated
  return http::json_response(201, user_json(added, users_schema().properties));
}

http::Response patch_user(State& s, http::Request& req) {
  auto t = target_user(s, req);
  if (t.error) return std::move(*t.error);
  TenantModel& dir = t.tenant->directory;
  const DirectoryUser* u = t.user;
  auto body = http::parse_json_object(req);
  if (!body) return http::error_response(body.error());
  DirectoryUser changed = *u;
  apply_user_fields(changed, *body);
  const std::string id = u->id;
  dir.update_user(id, changed);
  notify_user_change(s, dir.tenant_id(), id, "updated");
  return http::json_response(200, user_json(*dir.find_user(id), users_schema().properties));
}

http::Response delete_user(State& s, http::Request& req) {
  auto t = target_user(s, req);
  if (t.error) return std::move(*t.error);
  TenantModel& dir = t.tenant->directory;
  const DirectoryUser* u = t.user;
  const bool permanent = req.query_param("permanent").value_or("false") == "true";
  const std::string id = u->id;
  dir.remove_user(id, permanent);
  // A soft delete arrives as updated; only a permanent one as deleted (§2, §4.1).
  notify_user_change(s, dir.tenant_id(), id, permanent ? "deleted" : "updated");
  return http::empty_response(204);
}

json::object faults_json(const State& s) {
  const auto& f = s.faults;
  return {{"latencyMs", f.latency_ms},
          {"status5xxRate", f.status_5xx_rate},
          {"throttleStormUntil", f.throttle_storm_until
                                     ? json::value(format_iso8601(*f.throttle_storm_until))
                                     : json::value(nullptr)},
          {"throttleStormRetryAfter", f.throttle_storm_retry_after},
          {"dropNotificationRate", f.drop_notification_rate},
          {"duplicateNotificationRate", f.duplicate_notification_rate},
          {"reorderNotifications", f.reorder_notifications},
          {"tokenOutageUntil", f.token_outage_until
                                   ? json::value(format_iso8601(*f.token_outage_until))
                                   : json::value(nullptr)},
          {"accessTokensNotBefore", f.access_tokens_not_before
                                        ? json::value(format_iso8601(*f.access_tokens_not_before))
                                        : json::value(nullptr)}};
}

// {"latencyMs": 0..30000, "status5xxRate": 0..1, "throttleStormSeconds": n,
//  "throttleStormRetryAfter": n, "resetThrottling": bool, "dropNotificationRate": 0..1,
//  "duplicateNotificationRate": 0..1, "reorderNotifications": bool, "tokenOutageSeconds": n
//  (Entra's token endpoint answers 503 for n seconds; 0 ends it), "revokeAccessTokens": bool
//  (access tokens issued before this second get 401)}; absent fields stay as they are.
http::Response set_faults(State& s, http::Request& req) {
  auto body = http::parse_json_object(req);
  if (!body) return http::error_response(body.error());
  Faults f = s.faults;
  const auto number = [&](std::string_view key) -> std::optional<double> {
    const auto* v = body->if_contains(key);
    if (v == nullptr || !v->is_number()) return std::nullopt;
    return v->to_number<double>();
  };
  if (auto v = number("latencyMs")) {
    if (*v < 0 || *v > 30000) return bad("latencyMs must be 0..30000");
    f.latency_ms = static_cast<int>(*v);
  }
  if (auto v = number("status5xxRate")) {
    if (*v < 0 || *v > 1) return bad("status5xxRate must be 0..1");
    f.status_5xx_rate = *v;
  }
  if (auto v = number("throttleStormRetryAfter")) {
    if (*v < 1 || *v > 3600) return bad("throttleStormRetryAfter must be 1..3600");
    f.throttle_storm_retry_after = static_cast<int>(*v);
  }
  if (auto v = number("throttleStormSeconds")) {
    if (*v < 0 || *v > 86400) return bad("throttleStormSeconds must be 0..86400");
    f.throttle_storm_until =
        *v > 0 ? std::optional<Timestamp>(s.now() + Millis(static_cast<std::int64_t>(*v * 1000)))
               : std::nullopt;
  }
  if (auto v = number("dropNotificationRate")) {
    if (*v < 0 || *v > 1) return bad("dropNotificationRate must be 0..1");
    f.drop_notification_rate = *v;
  }
  if (auto v = number("duplicateNotificationRate")) {
    if (*v < 0 || *v > 1) return bad("duplicateNotificationRate must be 0..1");
    f.duplicate_notification_rate = *v;
  }
  if (auto v = number("tokenOutageSeconds")) {
    if (*v < 0 || *v > 86400) return bad("tokenOutageSeconds must be 0..86400");
    f.token_outage_until =
        *v > 0 ? std::optional<Timestamp>(s.now() + Millis(static_cast<std::int64_t>(*v * 1000)))
               : std::nullopt;
  }
  if (const auto* v = body->if_contains("revokeAccessTokens"); v && v->is_bool() && v->as_bool()) {
    f.access_tokens_not_before = s.now();
  }
  if (const auto* v = body->if_contains("reorderNotifications"); v && v->is_bool()) {
    f.reorder_notifications = v->as_bool();
  }
  if (const auto* v = body->if_contains("resetThrottling"); v && v->is_bool() && v->as_bool()) {
    s.throttle.reset();
  }
  s.faults = f;
  if (s.notifier) s.notifier->set_reorder(f.reorder_notifications);
  return http::json_response(200, faults_json(s));
}

}  // namespace

void register_control_user_routes(http::Router& router, const std::shared_ptr<State>& s) {
  router.add("GET", "/_emulator/users/{id}/presence", control_route(s, get_user_presence));
  router.add("POST", "/_emulator/users/{id}/presence", control_route(s, set_user_presence));
  router.add("POST", "/_emulator/presence", control_route(s, set_presences));
  router.add("POST", "/_emulator/users", control_route(s, create_user));
  router.add("PATCH", "/_emulator/users/{id}", control_route(s, patch_user));
  router.add("DELETE", "/_emulator/users/{id}", control_route(s, delete_user));
  router.add("GET", "/_emulator/faults", control_route(s, [](State& st, http::Request&) {
               return http::json_response(200, faults_json(st));
             }));
  router.add("POST", "/_emulator/faults", control_route(s, set_faults));
  router.add("GET", "/_emulator/requests", control_route(s, [](State& st, http::Request&) {
               return http::json_response(200, st.requests.to_json());
             }));
  router.add("DELETE", "/_emulator/requests", control_route(s, [](State& st, http::Request&) {
               st.requests.reset();
               return http::empty_response(204);
             }));
  router.add("DELETE", "/_emulator/faults", control_route(s, [](State& st, http::Request&) {
               st.faults = Faults{};
               st.throttle.reset();
               if (st.notifier) st.notifier->set_reorder(false);
               return http::empty_response(204);
             }));
}

}  // namespace ccteams::emulator
