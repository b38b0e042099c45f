#include "adapters/http/api/request_auth.hpp"

namespace ccteams::http {

namespace {
bool is_safe_method(std::string_view m) { return m == "GET" || m == "HEAD" || m == "OPTIONS"; }
}  // namespace

boost::asio::awaitable<Result<Caller>> authenticate_request(const Request& req, AuthService& auth) {
  const auto authz = req.header("authorization");
  if (!authz.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authz.size() <= kBearer.size() || !iequals(authz.substr(0, kBearer.size()), kBearer)) {
      co_return make_error(Errc::unauthenticated, "Authorization header must be 'Bearer <token>'");
    }
    co_return co_await auth.authenticate(std::string(authz.substr(kBearer.size())));
  }
  std::string token = req.cookie(kSessionCookie);
  if (token.empty()) co_return make_error(Errc::unauthenticated, "sign in first (no credentials)");
  auto caller = co_await auth.authenticate(std::move(token));
  if (!caller) co_return caller;
  if (!is_safe_method(req.method)) {
    const auto csrf = req.header("x-csrf-token");
    if (csrf.empty() || !auth.tokens().equals(csrf, caller->csrf_token)) {
      co_return make_error(Errc::forbidden,
                           "missing or wrong X-CSRF-Token header for a cookie session");
    }
  }
  co_return caller;
}

boost::asio::awaitable<Result<Caller>> authorize_request(const Request& req, AuthService& auth,
                                                         std::vector<Role> roles) {
  auto caller = co_await authenticate_request(req, auth);
  if (!caller) co_return caller;
  if (!roles.empty()) {
    if (auto r = require_role(*caller, roles); !r) co_return std::move(r).error();
  }
  co_return caller;
}

Handler with_caller(AuthService& auth, std::vector<Role> roles, CallerHandler fn) {
  return [&auth, roles = std::move(roles),
          fn = std::move(fn)](Request& req) -> boost::asio::awaitable<Response> {
    auto caller = co_await authorize_request(req, auth, roles);
    if (!caller) co_return error_response(caller.error());
    co_return fn(*caller, req);
  };
}

Handler with_caller_async(AuthService& auth, std::vector<Role> roles, AsyncCallerHandler fn) {
  return [&auth, roles = std::move(roles),
          fn = std::move(fn)](Request& req) -> boost::asio::awaitable<Response> {
    auto caller = co_await authorize_request(req, auth, roles);
    if (!caller) co_return error_response(caller.error());
    co_return co_await fn(*caller, req);
  };
}

std::string session_cookie(const std::string& token, bool secure, long max_age_seconds) {
  return std::string(kSessionCookie) + "=" + token + "; Path=/; Max-Age=" +
         std::to_string(max_age_seconds) + "; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "");
}

std::string csrf_cookie(const std::string& csrf, bool secure, long max_age_seconds) {
  // Readable by the page's script (not HttpOnly) so it can echo it in X-CSRF-Token.
  return std::string(kCsrfCookie) + "=" + csrf + "; Path=/; Max-Age=" +
         std::to_string(max_age_seconds) + "; SameSite=Strict" + (secure ? "; Secure" : "");
}

std::string expired_cookie(const char* name, bool secure, bool http_only) {
  return std::string(name) + "=; Path=/; Max-Age=0; SameSite=Strict" +
         (http_only ? "; HttpOnly" : "") + (secure ? "; Secure" : "");
}

}  // namespace ccteams::http
