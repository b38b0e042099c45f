// The Teams connector REST API (see connector_api.hpp).
#include "adapters/http/api/connector_api.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "adapters/http/api/connector_json.hpp"
#include "adapters/http/api/request_auth.hpp"
#include "adapters/http/json_io.hpp"
#include "adapters/http/message_codes.hpp"
#include "adapters/http/request_forwarder.hpp"
#include "adapters/http/router.hpp"

namespace ccteams::http {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::string_view kBase = "/api/v1/connectors/msteams";

Response connector_response(const Result<TeamsConnector>& c) {
  if (!c) return error_response(c.error());
  return json_response(200, connector_to_json(*c));
}

// A positive integer query parameter; nullopt when absent.
Result<std::optional<std::int64_t>> query_int(const Request& req, std::string_view name) {
  auto text = req.query_param(name);
  if (!text) return std::optional<std::int64_t>{};
  std::int64_t v = 0;
  const auto* end = text->data() + text->size();
  auto [p, ec] = std::from_chars(text->data(), end, v);
  if (ec != std::errc() || p != end || v < 1) {
    return make_error(Errc::invalid_input, std::string(name) + " must be a positive integer");
  }
  return std::optional<std::int64_t>{v};
}

// Every admin route: authenticate, require admin, then the step (which may wait on Entra).
using AdminStep = std::function<awaitable<Response>(ConnectorApiContext&, const Caller&, Request&)>;

// A change is refused (503 org_elsewhere, before anything is written) on an instance that does
// not serve the organisation: the server forwards it to the owner, whose participants (presence
// sync, directory) act on it; reads come from the database, exact anywhere.
void add_admin(Router& router, ConnectorApiContext& ctx, std::string_view method, std::string path,
               AdminStep step) {
  const bool writes = method != "GET";
  router.add(method, path,
             with_caller_async(ctx.auth, {Role::admin},
                               [&ctx, writes, step = std::move(step)](
                                   const Caller& caller, Request& req) -> awaitable<Response> {
                                 if (writes && !ctx.connectors.config().ownership->serves(
                                                   caller.org_id)) {
                                   co_return error_response(org_elsewhere(caller.org_id));
                                 }
                                 co_return co_await step(ctx, caller, req);
                               }));
}

// The callback reached an instance that does not serve the state's organisation. The page the
// popup shows should forwarding to the owner fail (nothing was used up: reloading retries); it
// keeps error_response's note so that the server forwards the redirect first.
Response consent_elsewhere_page(const Error& elsewhere) {
  Response page = consent_result_page(make_error(
      Errc::unavailable,
      "The server in charge of your organisation did not answer; reload this page to try again"));
  const Response note = error_response(elsewhere);
  for (const auto& h : note.headers) {
    if (h.name == kOrgElsewhereHeader || h.name == "Retry-After") page.set_header(h.name, h.value);
  }
  return page;
}

}  // namespace

void register_connector_routes(Router& router, ConnectorApiContext& ctx) {
  const std::string base(kBase);
  add_admin(router, ctx, "GET", "/api/v1/connectors",
            [](ConnectorApiContext& c, const Caller& who, Request&) -> awaitable<Response> {
              auto teams = co_await c.connectors.list(who);
              if (!teams) co_return error_response(teams.error());
              co_return json_response(
                  200, json::object{{"items", json::array{connector_to_json(*teams)}}});
            });
  add_admin(router, ctx, "POST", base + "/authorize",
            [](ConnectorApiContext& c, const Caller& who, Request&) -> awaitable<Response> {
              auto start = co_await c.connectors.authorize(who);
              if (!start) co_return error_response(start.error());
              co_return json_response(
                  200, json::object{{"authorizationUrl", start->authorization_url},
                                    {"expiresAt", format_iso8601(start->expires_at)}});
            });
  add_admin(router, ctx, "GET", base,
            [](ConnectorApiContext& c, const Caller& who, Request&) -> awaitable<Response> {
              co_return connector_response(co_await c.connectors.get(who));
            });
  add_admin(router, ctx, "PATCH", base,
            [](ConnectorApiContext& c, const Caller& who, Request& req) -> awaitable<Response> {
              auto body = parse_json_object(req);
              if (!body) co_return error_response(body.error());
              auto patch = connector_patch_from_json(*body);
              if (!patch) co_return error_response(patch.error());
              co_return connector_response(co_await c.connectors.update(who, std::move(*patch)));
            });
  add_admin(router, ctx, "POST", base + "/deactivate",
            [](ConnectorApiContext& c, const Caller& who, Request&) -> awaitable<Response> {
              co_return connector_response(co_await c.connectors.deactivate(who));
            });
  add_admin(router, ctx, "POST", base + "/reactivate",
            [](ConnectorApiContext& c, const Caller& who, Request&) -> awaitable<Response> {
              co_return connector_response(co_await c.connectors.reactivate(who));
            });
  add_admin(router, ctx, "DELETE", base,
            [](ConnectorApiContext& c, const Caller& who, Request&) -> awaitable<Response> {
              auto out = co_await c.connectors.remove(who);
              if (!out) co_return error_response(out.error());
              json::array removed;
              json::array removed_codes;
              for (const auto& line : out->removed) {
                removed.emplace_back(line);
                removed_codes.push_back(message_code_json(line));
              }
              co_return json_response(200, json::object{{"status", "NotConfigured"},
                                                        {"removed", std::move(removed)},
                                                        {"removedCodes", std::move(removed_codes)},
                                                        {"message", out->message}});
            });
  add_admin(router, ctx, "GET", base + "/audit",
            [](ConnectorApiContext& c, const Caller& who, Request& req) -> awaitable<Response> {
              auto limit = query_int(req, "limit");
              if (!limit) co_return error_response(limit.error());
              auto before = query_int(req, "before");
              if (!before) co_return error_response(before.error());
              const auto n = static_cast<std::size_t>(limit->value_or(50));
              auto entries = co_await c.connectors.audit(who, n, *before);
              if (!entries) co_return error_response(entries.error());
              json::array items;
              for (const auto& e : *entries) items.emplace_back(audit_entry_to_json(e));
              json::value next = nullptr;
              if (!entries->empty()) next = entries->back().id;
              co_return json_response(
                  200, json::object{{"items", std::move(items)}, {"nextBefore", std::move(next)}});
            });
  // Entra's redirect: no session cookie arrives (SameSite=Strict), the state identifies it.
  router.add("GET", base + "/callback", [&ctx](Request& req) -> awaitable<Response> {
    ConsentCallback p;
    p.state = req.query_param("state").value_or("");
    p.code = req.query_param("code").value_or("");
    p.admin_consent = req.query_param("admin_consent").value_or("");
    p.tenant = req.query_param("tenant").value_or("");
    p.scope = req.query_param("scope").value_or("");
    p.error = req.query_param("error").value_or("");
    p.error_description = req.query_param("error_description").value_or("");
    auto step = co_await ctx.connectors.callback(std::move(p));
    if (!step && is_org_elsewhere(step.error())) {
      // Nothing was used up: the server forwards this redirect to the owner, which completes
      // it and starts its participants. Should that fail, the popup says to reload.
      co_return consent_elsewhere_page(step.error());
    }
    if (step && step->redirect_url) {
      // Signed in: on to admin consent in the proven tenant, in the same popup.
      Response r;
      r.status = 302;
      r.set_header("Location", *step->redirect_url);
      r.set_header("Cache-Control", "no-store");
      r.set_header("Referrer-Policy", "no-referrer");
      co_return r;
    }
    if (!step) co_return consent_result_page(std::move(step).error());
    co_return consent_result_page(std::move(*step->connector));
  });
}

}  // namespace ccteams::http
