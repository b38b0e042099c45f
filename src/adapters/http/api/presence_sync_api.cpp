#include "adapters/http/api/presence_sync_api.hpp"

#include <boost/json.hpp>

#include "adapters/http/api/request_auth.hpp"
#include "adapters/http/json_io.hpp"
#include "adapters/http/message_codes.hpp"
#include "adapters/http/router.hpp"
#include "app/presence_sync.hpp"

namespace ccteams::http {

namespace json = boost::json;

namespace {

json::value optional_time(const std::optional<Timestamp>& t) {
  return t ? json::value(format_iso8601(*t)) : json::value(nullptr);
}

}  // namespace

static json::object presence_sync_status_json(const PresenceSyncStatus& s) {
  json::object first{{"pending", s.first_sync_pending},
                     {"startedAt", optional_time(s.first_sync_started)},
                     {"completedAt", optional_time(s.first_sync_completed)}};
  if (s.first_sync_started && s.first_sync_completed) {
    first["millis"] = (*s.first_sync_completed - *s.first_sync_started).count();
  }
  return json::object{
      {"running", s.running},
      {"linkedAgents", s.linked_agents},
      {"watchedUsers", s.watched_users},
      {"firstSync", std::move(first)},
      {"roundIntervalMillis", s.round_interval.count()},
      {"subscriptions",
       json::object{{"count", s.subscriptions}, {"nextExpiry", optional_time(s.next_expiry)}}},
      {"coverage", s.coverage.empty() ? json::value(nullptr) : json::value(s.coverage)},
      {"coverageCode", message_code_json(s.coverage)},
      {"counts", json::object{{"reads", s.reads},
                              {"readFailures", s.read_failures},
                              {"throttled", s.throttles},
                              {"writes", s.writes},
                              {"writeFailures", s.write_failures},
                              {"notifications", s.notifications}}},
      {"inboxAwaiting", s.inbox_awaiting}};
}

void register_presence_sync_routes(Router& router, AuthService& auth, PresenceSync& sync) {
  router.add("GET", "/api/v1/connectors/msteams/presence-sync",
             with_caller_async(
                 auth, {Role::admin, Role::supervisor},
                 [s = &sync](const Caller& caller, Request&) -> boost::asio::awaitable<Response> {
                   const PresenceSyncStatus status = co_await s->status(caller.org_id);
                   co_return json_response(200, presence_sync_status_json(status));
                 }));
}

}  // namespace ccteams::http
