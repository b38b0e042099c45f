// The agent desktop, contact control, supervisor views and demo telephony:
// /api/v1/me, /api/v1/me/desktop, /api/v1/me/team, /api/v1/me/session, /api/v1/me/state,
// /api/v1/contacts/{id}/…, /api/v1/agents/states, /api/v1/queues/{id}/stats, /api/v1/demo/contacts.
#include <boost/json.hpp>

#include "adapters/http/api/account_json.hpp"
#include "adapters/http/api/cc_api_context.hpp"
#include "adapters/http/api/cc_config_json.hpp"
#include "adapters/http/api/cc_json.hpp"
#include "adapters/http/api/cc_desk_json.hpp"
#include "adapters/http/api/directory_json.hpp"
#include "adapters/http/api/path_ids.hpp"
#include "adapters/http/api/request_auth.hpp"
#include "adapters/http/json_io.hpp"
#include "adapters/http/router.hpp"
#include "app/contact_center.hpp"
#include "app/directory_service.hpp"

namespace ccteams::http {

namespace json = boost::json;

namespace {

using RoleList = std::initializer_list<Role>;
// Handlers are coroutines: the contact center runs each call on the organisation's strand.
using DeskHandler =
    std::function<boost::asio::awaitable<Response>(CcApiContext&, const Caller&, Request&)>;

void add_for(Router& router, CcApiContext& ctx, std::string_view method, std::string_view path,
             std::vector<Role> roles, DeskHandler fn) {
  router.add(method, path,
             [&ctx, roles = std::move(roles),
              fn = std::move(fn)](Request& req) -> boost::asio::awaitable<Response> {
               auto caller = co_await authenticate_request(req, ctx.auth);
               if (!caller) co_return error_response(caller.error());
               bool allowed = false;
               for (Role r : roles) allowed = allowed || caller->roles.has(r);
               if (!allowed) {
                 co_return error_response(
                     make_error(Errc::forbidden, "your role does not allow this request"));
               }
               co_return co_await fn(ctx, *caller, req);
             });
}

// An empty body counts as {} for the commands whose body is optional.
Result<json::object> optional_body(const Request& req) {
  if (req.body.empty()) return json::object{};
  return parse_json_object(req);
}

// Records a supervisor's override in the organisation's audit log; a refusal is recorded too.
template <class T>
void audit(CcApiContext& c, const Caller& who, const std::string& action, std::string detail,
           const Result<T>& outcome) {
  if (!outcome) detail += ": " + outcome.error().message;
  if (c.audit) c.audit(who, action, outcome.has_value(), std::move(detail));
}

Response state_response(const Caller& who, const Result<AgentStateView>& v) {
  if (!v) return error_response(v.error());
  return json_response(200, agent_state_view_to_json(who.user_id, *v));
}

Response contact_response(const Result<Contact>& c) {
  if (!c) return error_response(c.error());
  return json_response(200, json::object{{"contact", contact_to_json(*c)}});
}

// consult / transfer. {"teamsUserId"} alone (with the directory wired) names a Teams user of
// the mirror: it resolves to the user's E.164 number, a user who cannot be dialed is refused
// with the reason, and a busy presence comes back as a warning beside the contact. Every other
// body is party_from_json's.
using PartyCommand = std::function<boost::asio::awaitable<Result<Contact>>(
    CcApiContext&, const Caller&, ContactId, ContactParty)>;
void add_party_command(Router& router, CcApiContext& ctx, std::string_view name, PartyCommand cmd) {
  router.add("POST", "/api/v1/contacts/{id}/" + std::string(name),
             with_caller_async(
                 ctx.auth, {Role::agent},
                 [&ctx, cmd = std::move(cmd)](const Caller& caller,
                                              Request& req) -> boost::asio::awaitable<Response> {
                   auto id = path_id<ContactId>(req, "contact");
                   if (!id) co_return error_response(id.error());
                   auto body = optional_body(req);
                   if (!body) co_return error_response(body.error());
                   const bool teams_only = body->contains("teamsUserId") &&
                                           !body->contains("number") && !body->contains("agentId");
                   if (ctx.directory == nullptr || !teams_only) {
                     auto party = party_from_json(*body);
                     if (!party) co_return error_response(party.error());
                     co_return contact_response(co_await cmd(ctx, caller, *id, std::move(*party)));
                   }
                   auto teams = required_string(*body, "teamsUserId");
                   if (!teams) co_return error_response(teams.error());
                   auto resolved = co_await ctx.directory->resolve_party(caller.org_id, *teams);
                   if (!resolved) co_return error_response(resolved.error());
                   if (!resolved->party) co_return not_dialable_response(resolved->user);
                   auto contact = co_await cmd(ctx, caller, *id, *resolved->party);
                   if (!contact) co_return error_response(contact.error());
                   json::object out{{"contact", contact_to_json(*contact)},
                                    {"warnings", warnings_to_json(resolved->warnings)}};
                   co_return json_response(200, out);
                 }));
}

void register_me(Router& router, CcApiContext& ctx) {
  add_for(router, ctx, "POST", "/api/v1/me/session", {Role::agent},
          [](CcApiContext& c, const Caller& who, Request& req) -> boost::asio::awaitable<Response> {
            auto body = optional_body(req);
            if (!body) co_return error_response(body.error());
            auto code = session_request_from_json(*body);
            if (!code) co_return error_response(code.error());
            co_return state_response(who, co_await c.center.login(who.org_id, who.user_id, *code));
          });
  add_for(router, ctx, "DELETE", "/api/v1/me/session", {Role::agent},
          [](CcApiContext& c, const Caller& who, Request&) -> boost::asio::awaitable<Response> {
            co_return state_response(who, co_await c.center.logout(who.org_id, who.user_id));
          });
  add_for(router, ctx, "GET", "/api/v1/me", {Role::admin, Role::supervisor, Role::agent},
          [](CcApiContext& c, const Caller& who, Request&) -> boost::asio::awaitable<Response> {
            json::object out{{"userId", who.user_id.value}, {"username", who.username}};
            json::array roles;
            for (auto& r : role_names(who.roles)) roles.emplace_back(r);
            out["roles"] = std::move(roles);
            if (who.roles.has(Role::agent)) {
              auto v = co_await c.center.state_of(who.org_id, who.user_id);
              if (!v) co_return error_response(v.error());
              out["state"] = agent_state_to_json(v->state, v->idle_code_name);
            } else {
              out["state"] = nullptr;
            }
            co_return json_response(200, out);
          });
  add_for(router, ctx, "GET", "/api/v1/me/desktop", {Role::agent},
          [](CcApiContext& c, const Caller& who, Request&) -> boost::asio::awaitable<Response> {
            auto d = co_await c.config.desktop_of(who.org_id, who.user_id);
            if (!d) co_return error_response(d.error());
            const DesktopProfile defaults{};
            const DesktopProfile& p = d->profile ? *d->profile : defaults;
            json::array codes, queues;
            for (const auto& code : d->idle_codes) {
              codes.push_back(json::object{{"id", code.id.value}, {"name", code.name}});
            }
            for (const auto& q : d->queues) queues.push_back(queue_to_json(q));
            co_return json_response(
                200,
                json::object{{"desktopProfile", d->profile ? json::value(desktop_profile_to_json(p))
                                                           : json::value(nullptr)},
                             {"ronaTimeoutSeconds", p.rona_timeout_seconds},
                             {"wrapUpSeconds", p.wrap_up_seconds},
                             {"idleCodes", std::move(codes)},
                             {"queues", std::move(queues)}});
          });
  // The desktop's team: the organisation's other agents with their states (for the consult and
  // transfer picker; without their Teams presence) and the caller's own queues with their
  // waiting customers. Agents get no queue.stats events, so the desktop reads this now and then.
  add_for(router, ctx, "GET", "/api/v1/me/team", {Role::agent},
          [](CcApiContext& c, const Caller& who, Request&) -> boost::asio::awaitable<Response> {
            auto agents = co_await c.config.list_agents(who.org_id);
            if (!agents) co_return error_response(agents.error());
            json::array items;
            for (const auto& a : *agents) {
              if (a.user.id == who.user_id) continue;
              auto v = co_await c.center.state_of(who.org_id, a.user.id);
              if (!v) continue;  // removed meanwhile
              json::object state = agent_state_to_json(v->state, v->idle_code_name);
              state["teamsPresence"] = nullptr;  // not shared with colleagues
              json::array queue_ids;
              for (QueueId q : a.config.queues) queue_ids.emplace_back(q.value);
              json::object o{{"agentId", a.user.id.value},
                             {"username", a.user.username},
                             {"displayName", a.user.display_name}};
              o["queueIds"] = std::move(queue_ids);
              o["state"] = std::move(state);
              items.emplace_back(std::move(o));
            }
            auto desk = co_await c.config.desktop_of(who.org_id, who.user_id);
            if (!desk) co_return error_response(desk.error());
            auto stats = co_await c.center.all_queue_stats(who.org_id);
            if (!stats) co_return error_response(stats.error());
            json::array queues;
            for (const auto& q : desk->queues) {
              for (const auto& s : *stats) {
                if (s.queue != q.id) continue;
                json::object o = queue_stats_to_json(s);
                o["name"] = q.name;
                queues.emplace_back(std::move(o));
              }
            }
            co_return json_response(
                200, json::object{{"agents", std::move(items)}, {"queues", std::move(queues)}});
          });
  add_for(router, ctx, "PUT", "/api/v1/me/state", {Role::agent},
          [](CcApiContext& c, const Caller& who, Request& req) -> boost::asio::awaitable<Response> {
            auto body = parse_json_object(req);
            if (!body) co_return error_response(body.error());
            auto want = state_request_from_json(*body);
            if (!want) co_return error_response(want.error());
            if (want->status == AgentStatus::available) {
              co_return state_response(who,
                                       co_await c.center.set_available(who.org_id, who.user_id));
            }
            co_return state_response(
                who, co_await c.center.set_idle(who.org_id, who.user_id, *want->idle_code));
          });
}

void register_supervisor(Router& router, CcApiContext& ctx) {
  add_for(router, ctx, "GET", "/api/v1/agents/states", {Role::admin, Role::supervisor},
          [](CcApiContext& c, const Caller& who, Request&) -> boost::asio::awaitable<Response> {
            auto agents = co_await c.config.list_agents(who.org_id);
            if (!agents) co_return error_response(agents.error());
            json::array items;
            for (const auto& a : *agents) {
              auto v = co_await c.center.state_of(who.org_id, a.user.id);
              if (!v) continue;  // removed meanwhile
              json::object o = agent_state_view_to_json(a.user.id, *v);
              o["username"] = a.user.username;
              o["displayName"] = a.user.display_name;
              json::array queue_ids;
              for (QueueId q : a.config.queues) queue_ids.emplace_back(q.value);
              o["queueIds"] = std::move(queue_ids);
              items.emplace_back(std::move(o));
            }
            auto stats = co_await c.center.all_queue_stats(who.org_id);
            if (!stats) co_return error_response(stats.error());
            json::array queues;
            for (const auto& q : *stats) queues.emplace_back(queue_stats_to_json(q));
            co_return json_response(
                200, json::object{{"items", std::move(items)}, {"queues", std::move(queues)}});
          });
  add_for(router, ctx, "PUT", "/api/v1/agents/{id}/state", {Role::admin, Role::supervisor},
          [](CcApiContext& c, const Caller& who, Request& req) -> boost::asio::awaitable<Response> {
            auto id = path_id<UserId>(req, "agent");
            if (!id) co_return error_response(id.error());
            auto body = parse_json_object(req);
            if (!body) co_return error_response(body.error());
            auto want = state_request_from_json(*body, /*supervisor=*/true);
            if (!want) co_return error_response(want.error());
            auto v = co_await c.center.supervise(who.org_id, *id, want->status, want->idle_code);
            std::string detail = "agent " + std::to_string(id->value) + " to " +
                                 std::string(agent_status_name(want->status));
            if (want->idle_code) {
              detail += " (idle code " + std::to_string(want->idle_code->value) + ")";
            }
            audit(c, who, "agent.state", std::move(detail), v);
            if (!v) co_return error_response(v.error());
            co_return json_response(200, agent_state_view_to_json(*id, *v));
          });
  add_for(router, ctx, "GET", "/api/v1/queues/{id}/stats", {Role::admin, Role::supervisor},
          [](CcApiContext& c, const Caller& who, Request& req) -> boost::asio::awaitable<Response> {
            auto id = path_id<QueueId>(req, "queue");
            if (!id) co_return error_response(id.error());
            auto s = co_await c.center.queue_stats(who.org_id, *id);
            if (!s) co_return error_response(s.error());
            co_return json_response(200, queue_stats_to_json(*s));
          });
}

void register_contacts(Router& router, CcApiContext& ctx) {
  add_for(router, ctx, "GET", "/api/v1/contacts/{id}", {Role::admin, Role::supervisor, Role::agent},
          [](CcApiContext& c, const Caller& who, Request& req) -> boost::asio::awaitable<Response> {
            auto id = path_id<ContactId>(req, "contact");
            if (!id) co_return error_response(id.error());
            auto contact = co_await c.center.contact(who.org_id, *id);
            // An agent sees only the contacts they hold or are consulted on.
            if (contact && !who.roles.has(Role::supervisor) && !who.roles.has(Role::admin) &&
                contact->agent != who.user_id && party_agent(*contact) != who.user_id) {
              co_return error_response(make_error(Errc::not_found, "no such contact"));
            }
            co_return contact_response(contact);
          });
  using Command = std::function<boost::asio::awaitable<Result<Contact>>(
      CcApiContext&, const Caller&, ContactId, const json::object&)>;
  auto add_command = [&](std::string_view name, Command cmd) {
    add_for(router, ctx, "POST", "/api/v1/contacts/{id}/" + std::string(name), {Role::agent},
            [cmd = std::move(cmd)](CcApiContext& c, const Caller& who,
                                   Request& req) -> boost::asio::awaitable<Response> {
              auto id = path_id<ContactId>(req, "contact");
              if (!id) co_return error_response(id.error());
              auto body = optional_body(req);
              if (!body) co_return error_response(body.error());
              co_return contact_response(co_await cmd(c, who, *id, *body));
            });
  };
  add_command("accept", [](auto& c, const Caller& w, ContactId id, const json::object&) {
    return c.center.accept(w.org_id, w.user_id, id);
  });
  add_command("decline", [](auto& c, const Caller& w, ContactId id, const json::object&) {
    return c.center.decline(w.org_id, w.user_id, id);
  });
  add_command("hold", [](auto& c, const Caller& w, ContactId id, const json::object&) {
    return c.center.hold(w.org_id, w.user_id, id);
  });
  add_command("resume", [](auto& c, const Caller& w, ContactId id, const json::object&) {
    return c.center.resume(w.org_id, w.user_id, id);
  });
  add_party_command(router, ctx, "consult",
                    [](CcApiContext& c, const Caller& w, ContactId id, ContactParty p) {
                      return c.center.consult(w.org_id, w.user_id, id, std::move(p));
                    });
  add_command("conference", [](auto& c, const Caller& w, ContactId id, const json::object&) {
    return c.center.conference(w.org_id, w.user_id, id);
  });
  add_command("drop-party", [](auto& c, const Caller& w, ContactId id, const json::object&) {
    return c.center.drop_party(w.org_id, w.user_id, id);
  });
  add_party_command(router, ctx, "transfer",
                    [](CcApiContext& c, const Caller& w, ContactId id, ContactParty p) {
                      return c.center.transfer(w.org_id, w.user_id, id, std::move(p));
                    });
  add_command("end", [](auto& c, const Caller& w, ContactId id, const json::object&) {
    return c.center.end(w.org_id, w.user_id, id);
  });
  add_for(router, ctx, "POST", "/api/v1/contacts/{id}/wrapup", {Role::agent},
          [](CcApiContext& c, const Caller& who, Request& req) -> boost::asio::awaitable<Response> {
            auto id = path_id<ContactId>(req, "contact");
            if (!id) co_return error_response(id.error());
            auto body = optional_body(req);
            if (!body) co_return error_response(body.error());
            auto code = optional_string(*body, "code");
            if (!code) co_return error_response(code.error());
            if (code->value_or("").size() > kMaxWrapUpCodeLength) {
              co_return error_response(make_error(
                  Errc::invalid_input, "field 'code' is longer than " +
                                           std::to_string(kMaxWrapUpCodeLength) + " characters"));
            }
            co_return state_response(
                who, co_await c.center.wrap_up(who.org_id, who.user_id, *id, code->value_or("")));
          });
}

// A supervisor's way out for any open contact: POST /api/v1/contacts/{id}/force-end and
// /requeue, audited.
void register_contact_overrides(Router& router, CcApiContext& ctx) {
  using Override = boost::asio::awaitable<Result<Contact>> (ContactCenter::*)(OrgId, ContactId);
  auto add_override = [&](std::string_view name, std::string action, Override fn) {
    add_for(router, ctx, "POST", "/api/v1/contacts/{id}/" + std::string(name),
            {Role::admin, Role::supervisor},
            [action = std::move(action), fn](CcApiContext& c, const Caller& who,
                                             Request& req) -> boost::asio::awaitable<Response> {
              auto id = path_id<ContactId>(req, "contact");
              if (!id) co_return error_response(id.error());
              auto contact = co_await (c.center.*fn)(who.org_id, *id);
              audit(c, who, action, "contact " + std::to_string(id->value), contact);
              co_return contact_response(contact);
            });
  };
  add_override("force-end", "contact.force_end", &ContactCenter::force_end);
  add_override("requeue", "contact.requeue", &ContactCenter::requeue_contact);
}

void register_demo(Router& router, CcApiContext& ctx) {
  const std::vector<Role> anyone = {Role::admin, Role::supervisor, Role::agent};
  add_for(router, ctx, "POST", "/api/v1/demo/contacts", anyone,
          [](CcApiContext& c, const Caller& who, Request& req) -> boost::asio::awaitable<Response> {
            auto body = parse_json_object(req);
            if (!body) co_return error_response(body.error());
            auto in = demo_contact_from_json(*body);
            if (!in) co_return error_response(in.error());
            auto contact = co_await c.center.new_contact(who.org_id, in->queue, in->caller);
            if (!contact) co_return error_response(contact.error());
            Response r = json_response(201, json::object{{"contact", contact_to_json(*contact)}});
            r.set_header("Location", "/api/v1/contacts/" + std::to_string(contact->id.value));
            co_return r;
          });
  add_for(router, ctx, "POST", "/api/v1/demo/contacts/{id}/hangup", anyone,
          [](CcApiContext& c, const Caller& who, Request& req) -> boost::asio::awaitable<Response> {
            auto id = path_id<ContactId>(req, "contact");
            if (!id) co_return error_response(id.error());
            co_return contact_response(co_await c.center.abandon(who.org_id, *id));
          });
}

}  // namespace

void register_cc_desk_routes(Router& router, CcApiContext& ctx) {
  register_me(router, ctx);
  register_supervisor(router, ctx);
  register_contacts(router, ctx);
  register_contact_overrides(router, ctx);
  if (ctx.demo) register_demo(router, ctx);
}

}  // namespace ccteams::http
