// Graph's /v1.0/subscriptions API for presence and users (graph-protocol.md §4.1, §4.2) and
// the control routes for subscriptions:
//   POST   /v1.0/subscriptions                    201; validation handshake first
//   GET    /v1.0/subscriptions                    200 {"value":[…]} (clientState null)
//   GET    /v1.0/subscriptions/{id}               200
//   PATCH  /v1.0/subscriptions/{id}               200 (expiry, certificate; reauthorizes)
//   POST   /v1.0/subscriptions/{id}/reauthorize   204
//   DELETE /v1.0/subscriptions/{id}               204
//   GET    /_emulator/subscriptions                every subscription, clientState included
//   POST   /_emulator/subscriptions/{id}/remove    delete now (silently, as for presence)
//   POST   /_emulator/subscriptions/{id}/reauthorization-required   send the event now
//   GET    /_emulator/notifications/endpoints      slow-endpoint statistics per URL (§4.3)
//   GET    /_emulator/notifications/deliveries     queued/acknowledged/dropped counts per URL
#include <boost/asio/this_coro.hpp>
#include <boost/json/array.hpp>
#include <algorithm>

#include "adapters/http/json_io.hpp"
#include "emulator/emulator_state.hpp"

namespace ccteams::emulator {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

GraphError not_found(std::string_view id) {
  return graph_error(404, "ResourceNotFound",
                     "Subscription '" + std::string(id) + "' was not found or is not accessible.");
}

// The caller may see a subscription its app created; a delegated caller only its own.
bool visible_to(const Subscription& sub, const Caller& c) {
  return sub.application_id == c.app_id && sub.tenant_id == c.tenant_id &&
         (!c.delegated || sub.creator_id == c.user_id);
}

const Subscription* one_per_user_and_app(const State& s, const Caller& c) {
  for (const auto& [id, sub] : s.subscriptions) {
    if (sub.kind == SubscriptionKind::presence && sub.application_id == c.app_id &&
        sub.tenant_id == c.tenant_id && sub.creator_id == c.user_id &&
        sub.expiration > s.now()) {
      return &sub;
    }
  }
  return nullptr;
}

GraphError one_subscription_limit(const Subscription& existing) {
  return graph_error(403, "ExtensionError",
                     "Operation: Create; Exception: [Status Code: Forbidden; Reason: A single "
                     "user can create one presence subscription per unique application; the "
                     "limit of 1 is reached (subscription " + existing.id + ").]");
}

json::object with_context(const State& s, json::object o, std::string_view context) {
  json::object out{{"@odata.context", s.graph_base + "/v1.0/$metadata#" + std::string(context)}};
  for (auto& kv : o) out.emplace(kv.key(), std::move(kv.value()));
  return out;
}

// The presence rules: delegated Presence.Read.All only, one subscription per user and app.
GraphResult<Done> admit_presence_subscriber(const State& s, const Caller& caller) {
  if (!caller.delegated) {
    return graph_error(403, "ExtensionError",
                       "Operation: Create; Exception: [Status Code: Forbidden; Reason: "
                       "Application permissions are not supported for presence subscriptions; "
                       "use a delegated token with Presence.Read.All.]");
  }
  if (auto denied = require_any(caller, {}, {"Presence.Read.All"})) return *denied;
  if (const auto* existing = one_per_user_and_app(s, caller)) {
    return one_subscription_limit(*existing);
  }
  return Done{};
}

// The users rules: User.Read.All or higher, app or delegated; 100 per app and tenant.
GraphResult<Done> admit_users_subscriber(const State& s, const Caller& caller) {
  if (auto denied = require_any(
          caller, {"User.Read.All", "User.ReadWrite.All", "Directory.Read.All",
                   "Directory.ReadWrite.All"},
          {"User.Read.All", "User.ReadWrite.All", "Directory.Read.All",
           "Directory.ReadWrite.All"})) {
    return *denied;
  }
  const auto live =
      std::count_if(s.subscriptions.begin(), s.subscriptions.end(), [&](const auto& kv) {
        const Subscription& sub = kv.second;
        return sub.kind == SubscriptionKind::users && sub.application_id == caller.app_id &&
               sub.tenant_id == caller.tenant_id && sub.expiration > s.now();
      });
  if (static_cast<std::size_t>(live) >= kMaxUserSubscriptionsPerAppTenant) {
    return graph_error(403, "ExtensionError",
                       "Operation: Create; Exception: [Status Code: Forbidden; Reason: "
                       "Subscription quota limit of 100 for users and groups per application "
                       "and tenant has been reached.]");
  }
  return Done{};
}

struct Prepared {
  Subscription sub;
  std::shared_ptr<Notifier> notifier;
};

GraphResult<Prepared> prepare_create(State& s, const http::Request& req) {
  auto caller = authenticate(s, req);
  if (!caller) return caller.error();
  auto body = http::parse_json_object(req);
  if (!body) return graph_error(400, "BadRequest", body.error().message);
  // Permissions depend on the resource, so the kind is read before the full validation.
  const auto* resource = body->if_contains("resource");
  const auto kind = resource && resource->is_string()
                        ? subscription_kind(resource->as_string())
                        : std::nullopt;
  if (kind == SubscriptionKind::users) {
    if (auto ok = admit_users_subscriber(s, *caller); !ok) return ok.error();
  } else if (auto ok = admit_presence_subscriber(s, *caller); !ok) {
    return ok.error();
  }
  auto sub = parse_subscription(*body, s.options.notifications.http_webhooks, s.now());
  if (!sub) return sub.error();
  if (!s.notifier) {
    return graph_error(503, "serviceNotAvailable",
                       "Change notifications are not running in this emulator.");
  }
  sub->application_id = caller->app_id;
  // creatorId is the signed-in user, or the app's service principal for app-only tokens.
  sub->creator_id = caller->delegated ? caller->user_id : caller->app_id;
  sub->tenant_id = caller->tenant_id;
  return Prepared{std::move(*sub), s.notifier};
}

asio::awaitable<http::Response> create(std::shared_ptr<State> s, http::Request& req) {
  std::optional<Prepared> prepared;
  std::optional<http::Response> refusal;
  {
    std::lock_guard lock(s->mu);
    auto p = prepare_create(*s, req);
    if (p) {
      prepared = std::move(*p);
    } else {
      refusal = graph_error_response(*s, req, p.error());
    }
  }
  if (refusal) co_return std::move(*refusal);
  // The handshakes run without the lock: a slow receiver must not stall the emulator.
  Subscription& sub = prepared->sub;
  auto valid = co_await prepared->notifier->validate(sub.notification_url);
  if (valid && !sub.lifecycle_notification_url.empty()) {
    valid = co_await prepared->notifier->validate(sub.lifecycle_notification_url);
  }
  std::lock_guard lock(s->mu);
  if (!valid) co_return graph_error_response(*s, req, valid.error());
  // Re-checked: another create by the same user and app may have finished meanwhile.
  Caller owner{sub.application_id, sub.tenant_id, sub.creator_id, true, {}, nullptr};
  const auto* existing = one_per_user_and_app(*s, owner);
  if (sub.kind == SubscriptionKind::presence && existing != nullptr) {
    co_return graph_error_response(*s, req, one_subscription_limit(*existing));
  }
  sub.id = s->rng.guid();
  const auto& stored = s->subscriptions.emplace(sub.id, std::move(sub)).first->second;
  auto r = graph_json(201, with_context(*s, subscription_json(stored, true),
                                        "subscriptions/$entity"));
  r.set_header("Location", s->graph_base + "/v1.0/subscriptions/" + stored.id);
  co_return r;
}

http::Response list(State& s, http::Request& req) {
  auto caller = authenticate(s, req);
  if (!caller) return graph_error_response(s, req, caller.error());
  if (!req.query.empty()) {
    return graph_error_response(
        s, req, graph_error(400, "Request_UnsupportedQuery",
                            "Query options are not supported on subscriptions."));
  }
  json::array value;
  for (const auto& [id, sub] : s.subscriptions) {
    if (visible_to(sub, *caller) && sub.expiration > s.now()) {
      value.push_back(subscription_json(sub, false));
    }
  }
  return graph_json(200,
                    json::object{{"@odata.context", s.graph_base + "/v1.0/$metadata#subscriptions"},
                                 {"value", std::move(value)}});
}

// The subscription named in the path if the caller may act on it.
GraphResult<Subscription*> find_for(State& s, const http::Request& req) {
  auto caller = authenticate(s, req);
  if (!caller) return caller.error();
  const auto id = req.path_param("id");
  auto it = s.subscriptions.find(std::string(id));
  if (it == s.subscriptions.end() || it->second.expiration <= s.now() ||
      !visible_to(it->second, *caller)) {
    return not_found(id);
  }
  return &it->second;
}

http::Response get_one(State& s, http::Request& req) {
  auto sub = find_for(s, req);
  if (!sub) return graph_error_response(s, req, sub.error());
  return graph_json(200, with_context(s, subscription_json(**sub, true), "subscriptions/$entity"));
}

http::Response patch(State& s, http::Request& req) {
  auto sub = find_for(s, req);
  if (!sub) return graph_error_response(s, req, sub.error());
  auto body = http::parse_json_object(req);
  if (!body) {
    return graph_error_response(s, req, graph_error(400, "BadRequest", body.error().message));
  }
  auto applied =
      apply_subscription_patch(**sub, *body, s.options.notifications.http_webhooks, s.now());
  if (!applied) return graph_error_response(s, req, applied.error());
  return graph_json(200, with_context(s, subscription_json(**sub, true), "subscriptions/$entity"));
}

http::Response reauthorize(State& s, http::Request& req) {
  auto sub = find_for(s, req);
  if (!sub) return graph_error_response(s, req, sub.error());
  (*sub)->reauthorization_sent = false;  // the expiry stays as it is
  return http::empty_response(204);
}

http::Response remove(State& s, http::Request& req) {
  auto sub = find_for(s, req);
  if (!sub) return graph_error_response(s, req, sub.error());
  s.subscriptions.erase((*sub)->id);
  return http::empty_response(204);
}

// --- control --------------------------------------------------------------------------

http::Response control_list(State& s, http::Request& req) {
  std::optional<http::Response> error;
  const EmulatedTenant* t = control_tenant(s, req, error);
  if (t == nullptr) return std::move(*error);
  json::array value;
  for (const auto& [id, sub] : s.subscriptions) {
    if (sub.tenant_id != t->directory.tenant_id()) continue;
    auto o = subscription_json(sub, true);
    o["tenantId"] = sub.tenant_id;
    o["reauthorizationSent"] = sub.reauthorization_sent;
    value.push_back(std::move(o));
  }
  return http::json_response(200, json::object{{"value", std::move(value)}});
}

http::Response control_remove(State& s, http::Request& req) {
  if (s.subscriptions.erase(std::string(req.path_param("id"))) == 0) {
    return http::error_response(make_error(Errc::not_found, "no such subscription"));
  }
  return http::empty_response(204);
}

http::Response control_reauthorization(State& s, http::Request& req) {
  auto it = s.subscriptions.find(std::string(req.path_param("id")));
  if (it == s.subscriptions.end()) {
    return http::error_response(make_error(Errc::not_found, "no such subscription"));
  }
  if (!send_lifecycle_event(s, it->second, "reauthorizationRequired")) {
    return http::error_response(make_error(
        Errc::conflict, "the subscription has no lifecycleNotificationUrl, or delivery is off"));
  }
  it->second.reauthorization_sent = true;
  return http::empty_response(202);
}

// Slow-endpoint throttling as it stands (§4.3), for tests and load tests.
http::Response control_endpoints(State& s, http::Request&) {
  json::array value = s.notifier ? s.notifier->endpoints(s.now()) : json::array{};
  return http::json_response(200, json::object{{"value", std::move(value)}});
}

// What became of the notifications queued per URL (acknowledged, retried, dropped), so that a
// harness can count what the receiver acknowledged from Graph's side.
http::Response control_deliveries(State& s, http::Request&) {
  json::array value = s.notifier ? s.notifier->deliveries() : json::array{};
  return http::json_response(200, json::object{{"value", std::move(value)}});
}

}  // namespace

void register_subscription_routes(http::Router& router, const std::shared_ptr<State>& s) {
  router.add("POST", "/v1.0/subscriptions",
             [s](http::Request& req) -> asio::awaitable<http::Response> {
               co_return co_await create(s, req);
             });
  router.add("GET", "/v1.0/subscriptions", graph_route(s, list));
  router.add("GET", "/v1.0/subscriptions/{id}", graph_route(s, get_one));
  router.add("PATCH", "/v1.0/subscriptions/{id}", graph_route(s, patch));
  router.add("POST", "/v1.0/subscriptions/{id}/reauthorize", graph_route(s, reauthorize));
  router.add("DELETE", "/v1.0/subscriptions/{id}", graph_route(s, remove));
  router.add("GET", "/_emulator/subscriptions", control_route(s, control_list));
  router.add("POST", "/_emulator/subscriptions/{id}/remove", control_route(s, control_remove));
  router.add("POST", "/_emulator/subscriptions/{id}/reauthorization-required",
             control_route(s, control_reauthorization));
  router.add("GET", "/_emulator/notifications/endpoints", control_route(s, control_endpoints));
  router.add("GET", "/_emulator/notifications/deliveries", control_route(s, control_deliveries));
}

}  // namespace ccteams::emulator
