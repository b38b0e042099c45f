// POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/auth/session
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include "adapters/http/api/account_json.hpp"
#include "adapters/http/api/api_context.hpp"
#include "adapters/http/api/request_auth.hpp"
#include "adapters/http/client_address.hpp"
#include "adapters/http/json_io.hpp"
#include "adapters/http/sync_handler.hpp"

namespace ccteams::http {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

Response login_response(ApiContext& ctx, const Request& req, Result<LoginResult> result) {
  if (!result) return error_response(result.error());
  const auto max_age = (result->expires_at - ctx.clock.now()).count() / 1000;
  Response r = json_response(200, json::object{{"token", result->token},
                                               {"tokenType", "Bearer"},
                                               {"csrfToken", result->csrf_token},
                                               {"expiresAt", format_iso8601(result->expires_at)},
                                               {"user", user_to_json(result->user)}});
  const bool secure = ctx.secure_cookies || req.secure;
  r.add_header("Set-Cookie", session_cookie(result->token, secure, max_age));
  r.add_header("Set-Cookie", csrf_cookie(result->csrf_token, secure, max_age));
  return r;
}

asio::awaitable<Response> login(ApiContext& ctx, Request& req) {
  auto body = parse_json_object(req);
  if (!body) co_return error_response(body.error());
  auto username = required_string(*body, "username");
  if (!username) co_return error_response(username.error());
  auto password = required_string(*body, "password");
  if (!password) co_return error_response(password.error());
  // Limits count per client (an IPv6 /64 as one), never per proxy in front of us.
  std::string address = address_key(client_address(req, ctx.trusted_proxies));
  if (ctx.password_workers == nullptr) {
    co_return login_response(ctx, req, ctx.auth.login(*username, *password, address));
  }
  auto result = co_await ctx.auth.login(std::move(*username), std::move(*password),
                                        std::move(address), *ctx.password_workers);
  co_return login_response(ctx, req, std::move(result));
}

Response logout(ApiContext& ctx, Request& req) {
  auto caller = authenticate_request(req, ctx.auth);
  if (!caller) return error_response(caller.error());
  if (auto r = ctx.auth.logout(*caller); !r) return error_response(r.error());
  Response r = empty_response(204);
  const bool secure = ctx.secure_cookies || req.secure;
  r.add_header("Set-Cookie", expired_cookie(kSessionCookie, secure, true));
  r.add_header("Set-Cookie", expired_cookie(kCsrfCookie, secure, false));
  return r;
}

Response session(ApiContext& ctx, Request& req) {
  auto caller = authenticate_request(req, ctx.auth);
  if (!caller) return error_response(caller.error());
  auto user = ctx.users.get(caller->org_id, caller->user_id);
  if (!user) return error_response(user.error());
  auto org = ctx.store.accounts().get_org(caller->org_id);
  json::object o = user_to_json(*user);
  o["orgName"] = org ? org->name : "";
  o["csrfToken"] = caller->csrf_token;
  return json_response(200, o);
}

}  // namespace

void register_auth_routes(Router& router, ApiContext& ctx) {
  router.add("POST", "/api/v1/auth/login",
             [&ctx](Request& r) -> asio::awaitable<Response> { return login(ctx, r); });
  router.add("POST", "/api/v1/auth/logout", sync_handler([&ctx](Request& r) { return logout(ctx, r); }));
  router.add("GET", "/api/v1/auth/session", sync_handler([&ctx](Request& r) { return session(ctx, r); }));
}

}  // namespace ccteams::http
