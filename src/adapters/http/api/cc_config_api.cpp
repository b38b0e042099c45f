// The contact center's configuration API (admin only but for the queue and idle code lists,
// which supervisors read too; scoped to the caller's organisation):
// /api/v1/idle-codes, /api/v1/desktop-profiles, /api/v1/queues, /api/v1/agents.
// PUT and PATCH are both accepted for updates and mean "change the fields given".
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include "adapters/http/api/cc_api_context.hpp"
#include "adapters/http/api/cc_config_json.hpp"
#include "adapters/http/api/path_ids.hpp"
#include "adapters/http/api/request_auth.hpp"
#include "adapters/http/json_io.hpp"
#include "app/contact_center.hpp"

namespace ccteams::http {

namespace json = boost::json;

namespace {

template <class T, class ToJson>
Response list_response(const Result<std::vector<T>>& items, ToJson to_json) {
  if (!items) return error_response(items.error());
  json::array out;
  for (const auto& i : *items) out.emplace_back(to_json(i));
  return json_response(200, json::object{{"items", std::move(out)}});
}

template <class T, class ToJson>
Response one_response(const Result<T>& item, ToJson to_json, int status = 200) {
  if (!item) return error_response(item.error());
  return json_response(status, to_json(*item));
}

Response created(const json::object& body, const std::string& location) {
  Response r = json_response(201, body);
  r.set_header("Location", location);
  return r;
}

// Every handler here: an admin of the org, then the body (when there is one).
// Coroutines: the service runs each operation on the store's executor.
using Async = boost::asio::awaitable<Response>;
using AdminHandler = std::function<Async(CcApiContext&, const Caller&, Request&)>;

// A change is refused (503 org_elsewhere, before anything is written) on an instance that does
// not serve the organisation: the server forwards it to the owner, whose memory must learn of
// it (config_changed); reads come from the database, exact anywhere.
void add_admin(Router& router, CcApiContext& ctx, std::string_view method, std::string_view path,
               AdminHandler fn) {
  const bool writes = method != "GET";
  router.add(method, path,
             with_caller_async(ctx.auth, {Role::admin},
                               [&ctx, writes, fn = std::move(fn)](const Caller& c,
                                                                  Request& req) -> Async {
                                 if (writes) {
                                   if (auto served = ctx.center.served(c.org_id); !served) {
                                     co_return error_response(served.error());
                                   }
                                 }
                                 co_return co_await fn(ctx, c, req);
                               }));
}

void register_idle_codes(Router& router, CcApiContext& ctx) {
  // Supervisors read the list too: they set an agent Idle with a code from their view.
  router.add("GET", "/api/v1/idle-codes",
             with_caller_async(ctx.auth, {Role::admin, Role::supervisor},
                               [&ctx](const Caller& who, Request&) -> Async {
                                 co_return list_response(
                                     co_await ctx.config.list_idle_codes(who.org_id),
                                     idle_code_to_json);
                               }));
  add_admin(router, ctx, "POST", "/api/v1/idle-codes",
            [](CcApiContext& c, const Caller& who, Request& req) -> Async {
              auto body = parse_json_object(req);
              if (!body) co_return error_response(body.error());
              auto in = new_idle_code_from_json(*body);
              if (!in) co_return error_response(in.error());
              auto code = co_await c.config.create_idle_code(who.org_id, in->name, in->active);
              if (!code) co_return error_response(code.error());
              co_return created(idle_code_to_json(*code),
                                "/api/v1/idle-codes/" + std::to_string(code->id.value));
            });
  add_admin(router, ctx, "GET", "/api/v1/idle-codes/{id}",
            [](CcApiContext& c, const Caller& who, Request& req) -> Async {
              auto id = path_id<IdleCodeId>(req, "idle code");
              if (!id) co_return error_response(id.error());
              co_return one_response(co_await c.config.get_idle_code(who.org_id, *id),
                                     idle_code_to_json);
            });
  AdminHandler update = [](CcApiContext& c, const Caller& who, Request& req) -> Async {
    auto id = path_id<IdleCodeId>(req, "idle code");
    if (!id) co_return error_response(id.error());
    auto body = parse_json_object(req);
    if (!body) co_return error_response(body.error());
    auto changes = idle_code_changes_from_json(*body);
    if (!changes) co_return error_response(changes.error());
    co_return one_response(co_await c.config.update_idle_code(who.org_id, *id, *changes),
                           idle_code_to_json);
  };
  add_admin(router, ctx, "PUT", "/api/v1/idle-codes/{id}", update);
  add_admin(router, ctx, "PATCH", "/api/v1/idle-codes/{id}", update);
  add_admin(router, ctx, "DELETE", "/api/v1/idle-codes/{id}",
            [](CcApiContext& c, const Caller& who, Request& req) -> Async {
              auto id = path_id<IdleCodeId>(req, "idle code");
              if (!id) co_return error_response(id.error());
              if (auto r = co_await c.config.delete_idle_code(who.org_id, *id); !r) {
                co_return error_response(r.error());
              }
              co_return empty_response(204);
            });
}

void register_profiles(Router& router, CcApiContext& ctx) {
  add_admin(router, ctx, "GET", "/api/v1/desktop-profiles",
            [](CcApiContext& c, const Caller& who, Request&) -> Async {
              co_return list_response(co_await c.config.list_desktop_profiles(who.org_id),
                                      desktop_profile_to_json);
            });
  add_admin(router, ctx, "POST", "/api/v1/desktop-profiles",
            [](CcApiContext& c, const Caller& who, Request& req) -> Async {
              auto body = parse_json_object(req);
              if (!body) co_return error_response(body.error());
              auto in = new_desktop_profile_from_json(*body);
              if (!in) co_return error_response(in.error());
              auto p = co_await c.config.create_desktop_profile(who.org_id, std::move(*in));
              if (!p) co_return error_response(p.error());
              co_return created(desktop_profile_to_json(*p),
                                "/api/v1/desktop-profiles/" + std::to_string(p->id.value));
            });
  add_admin(router, ctx, "GET", "/api/v1/desktop-profiles/{id}",
            [](CcApiContext& c, const Caller& who, Request& req) -> Async {
              auto id = path_id<DesktopProfileId>(req, "desktop profile");
              if (!id) co_return error_response(id.error());
              co_return one_response(co_await c.config.get_desktop_profile(who.org_id, *id),
                                     desktop_profile_to_json);
            });
  AdminHandler update = [](CcApiContext& c, const Caller& who, Request& req) -> Async {
    auto id = path_id<DesktopProfileId>(req, "desktop profile");
    if (!id) co_return error_response(id.error());
    auto body = parse_json_object(req);
    if (!body) co_return error_response(body.error());
    auto changes = desktop_profile_changes_from_json(*body);
    if (!changes) co_return error_response(changes.error());
    co_return one_response(co_await c.config.update_desktop_profile(who.org_id, *id, *changes),
                           desktop_profile_to_json);
  };
  add_admin(router, ctx, "PUT", "/api/v1/desktop-profiles/{id}", update);
  add_admin(router, ctx, "PATCH", "/api/v1/desktop-profiles/{id}", update);
  add_admin(router, ctx, "DELETE", "/api/v1/desktop-profiles/{id}",
            [](CcApiContext& c, const Caller& who, Request& req) -> Async {
              auto id = path_id<DesktopProfileId>(req, "desktop profile");
              if (!id) co_return error_response(id.error());
              if (auto r = co_await c.config.delete_desktop_profile(who.org_id, *id); !r) {
                co_return error_response(r.error());
              }
              co_return empty_response(204);
            });
}

void register_queues(Router& router, CcApiContext& ctx) {
  // Supervisors read the list too: their view names the queues it shows figures for.
  router.add("GET", "/api/v1/queues",
             with_caller_async(ctx.auth, {Role::admin, Role::supervisor},
                               [&ctx](const Caller& who, Request&) -> Async {
                                 co_return list_response(
                                     co_await ctx.config.list_queues(who.org_id), queue_to_json);
                               }));
  add_admin(router, ctx, "POST", "/api/v1/queues",
            [](CcApiContext& c, const Caller& who, Request& req) -> Async {
              auto body = parse_json_object(req);
              if (!body) co_return error_response(body.error());
              auto name = queue_name_from_json(*body);
              if (!name) co_return error_response(name.error());
              auto q = co_await c.config.create_queue(who.org_id, *name);
              if (!q) co_return error_response(q.error());
              co_return created(queue_to_json(*q), "/api/v1/queues/" + std::to_string(q->id.value));
            });
  add_admin(router, ctx, "GET", "/api/v1/queues/{id}",
            [](CcApiContext& c, const Caller& who, Request& req) -> Async {
              auto id = path_id<QueueId>(req, "queue");
              if (!id) co_return error_response(id.error());
              co_return one_response(co_await c.config.get_queue(who.org_id, *id), queue_to_json);
            });
  AdminHandler update = [](CcApiContext& c, const Caller& who, Request& req) -> Async {
    auto id = path_id<QueueId>(req, "queue");
    if (!id) co_return error_response(id.error());
    auto body = parse_json_object(req);
    if (!body) co_return error_response(body.error());
    auto name = queue_name_from_json(*body);
    if (!name) co_return error_response(name.error());
    co_return one_response(co_await c.config.rename_queue(who.org_id, *id, *name), queue_to_json);
  };
  add_admin(router, ctx, "PUT", "/api/v1/queues/{id}", update);
  add_admin(router, ctx, "PATCH", "/api/v1/queues/{id}", update);
  add_admin(router, ctx, "DELETE", "/api/v1/queues/{id}",
            [](CcApiContext& c, const Caller& who, Request& req) -> Async {
              auto id = path_id<QueueId>(req, "queue");
              if (!id) co_return error_response(id.error());
              if (auto r = co_await c.config.delete_queue(who.org_id, *id); !r) {
                co_return error_response(r.error());
              }
              co_return empty_response(204);
            });
}

void register_agents(Router& router, CcApiContext& ctx) {
  add_admin(router, ctx, "GET", "/api/v1/agents",
            [](CcApiContext& c, const Caller& who, Request&) -> Async {
              co_return list_response(co_await c.config.list_agents(who.org_id), agent_to_json);
            });
  add_admin(
      router, ctx, "POST", "/api/v1/agents",
      [](CcApiContext& c, const Caller& who, Request& req) -> Async {
        auto body = parse_json_object(req);
        if (!body) co_return error_response(body.error());
        UserId user;
        auto changes = agent_changes_from_json(*body, true, &user);
        if (!changes) co_return error_response(changes.error());
        auto existing = co_await c.config.get_agent(who.org_id, user);
        if (existing && existing->configured) {
          co_return error_response(make_error(
              Errc::conflict, "agent " + existing->user.username + " is configured; use PATCH"));
        }
        auto a = co_await c.config.put_agent(who.org_id, user, *changes);
        if (!a) co_return error_response(a.error());
        co_return created(agent_to_json(*a), "/api/v1/agents/" + std::to_string(user.value));
      });
  add_admin(router, ctx, "GET", "/api/v1/agents/{id}",
            [](CcApiContext& c, const Caller& who, Request& req) -> Async {
              auto id = path_id<UserId>(req, "agent");
              if (!id) co_return error_response(id.error());
              co_return one_response(co_await c.config.get_agent(who.org_id, *id), agent_to_json);
            });
  AdminHandler update = [](CcApiContext& c, const Caller& who, Request& req) -> Async {
    auto id = path_id<UserId>(req, "agent");
    if (!id) co_return error_response(id.error());
    auto body = parse_json_object(req);
    if (!body) co_return error_response(body.error());
    auto changes = agent_changes_from_json(*body, false, nullptr);
    if (!changes) co_return error_response(changes.error());
    co_return one_response(co_await c.config.put_agent(who.org_id, *id, *changes), agent_to_json);
  };
  add_admin(router, ctx, "PUT", "/api/v1/agents/{id}", update);
  add_admin(router, ctx, "PATCH", "/api/v1/agents/{id}", update);
  // A coroutine: whether the agent is logged out is asked on the organisation's strand.
  router.add("DELETE", "/api/v1/agents/{id}",
             with_caller_async(
                 ctx.auth, {Role::admin},
                 [&ctx](const Caller& caller, Request& req) -> boost::asio::awaitable<Response> {
                   auto id = path_id<UserId>(req, "agent");
                   if (!id) co_return error_response(id.error());
                   // A signed-in agent is part of live routing; they log out first.
                   if (auto r = co_await ctx.center.check_logged_out(caller.org_id, *id); !r) {
                     co_return error_response(r.error());
                   }
                   if (auto r = co_await ctx.config.delete_agent(caller.org_id, *id); !r) {
                     co_return error_response(r.error());
                   }
                   co_return empty_response(204);
                 }));
}

}  // namespace

void register_cc_config_routes(Router& router, CcApiContext& ctx) {
  register_idle_codes(router, ctx);
  register_profiles(router, ctx);
  register_queues(router, ctx);
  register_agents(router, ctx);
}

}  // namespace ccteams::http
