// POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/auth/session
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include "adapters/http/api/account_json.hpp"
#include "adapters/http/api/api_context.hpp"
#include "adapters/http/api/request_auth.hpp"
#include "adapters/http/client_address.hpp"
#include "adapters/http/json_io.hpp"

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
  auto result = co_await ctx.auth.login(std::move(*username), std::move(*password),
                                        std::move(address), ctx.password_workers);
  co_return login_response(ctx, req, std::move(result));
}

asio::awaitable<Response> logout(ApiContext& ctx, const Caller& caller, Request& req) {
  if (auto r = co_await ctx.auth.logout(caller); !r) co_return error_response(r.error());
  Response r = empty_response(204);
  const bool secure = ctx.secure_cookies || req.secure;
  r.add_header("Set-Cookie", expired_cookie(kSessionCookie, secure, true));
  r.add_header("Set-Cookie", expired_cookie(kCsrfCookie, secure, false));
  co_return r;
}

asio::awaitable<Response> session(ApiContext& ctx, const Caller& caller) {
  struct Found {
    Result<UserAccount> user;
    Result<Organisation> org;
  };
  Found found = co_await ctx.store.run([&](Stores& s) {
    return Found{s.accounts().get_user(caller.org_id, caller.user_id),
                 s.accounts().get_org(caller.org_id)};
  });
  if (!found.user) co_return error_response(found.user.error());
  json::object o = user_to_json(*found.user);
  o["orgName"] = found.org ? found.org->name : "";
  o["csrfToken"] = caller.csrf_token;
  co_return json_response(200, o);
}

}  // namespace

void register_auth_routes(Router& router, ApiContext& ctx) {
  router.add("POST", "/api/v1/auth/login",
             [&ctx](Request& r) -> asio::awaitable<Response> { return login(ctx, r); });
  router.add("POST", "/api/v1/auth/logout",
             with_caller_async(ctx.auth, {},
                               [&ctx](const Caller& c, Request& r) { return logout(ctx, c, r); }));
  router.add("GET", "/api/v1/auth/session",
             with_caller_async(ctx.auth, {},
                               [&ctx](const Caller& c, Request&) { return session(ctx, c); }));
}

}  // namespace ccteams::http
