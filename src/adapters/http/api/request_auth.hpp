#pragma once
// Authenticating an API request: "Authorization: Bearer <token>" for API clients, or the
// HttpOnly session cookie for the browser UI. Cookie-authenticated requests that change state
// must carry the session's CSRF token in X-CSRF-Token (the cookie alone is not enough).

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

#include "adapters/http/http_types.hpp"
#include "adapters/http/router.hpp"
#include "app/auth_service.hpp"

namespace ccteams::http {

inline constexpr const char* kSessionCookie = "ccteams_session";
inline constexpr const char* kCsrfCookie = "ccteams_csrf";

// The session is looked up on the store's executor: these are awaited, never called on an I/O
// thread's time.
boost::asio::awaitable<Result<Caller>> authenticate_request(const Request& req, AuthService& auth);
// authenticate_request, then require one of roles.
boost::asio::awaitable<Result<Caller>> authorize_request(const Request& req, AuthService& auth,
                                                         std::vector<Role> roles);

// A route's handler that first authorizes the request (one of roles; an empty list: any
// signed-in caller) and answers the error itself, then runs fn with the caller.
using CallerHandler = std::function<Response(const Caller&, Request&)>;
Handler with_caller(AuthService& auth, std::vector<Role> roles, CallerHandler fn);
using AsyncCallerHandler = std::function<boost::asio::awaitable<Response>(const Caller&, Request&)>;
Handler with_caller_async(AuthService& auth, std::vector<Role> roles, AsyncCallerHandler fn);

// Set-Cookie values for a new session and for clearing it.
std::string session_cookie(const std::string& token, bool secure, long max_age_seconds);
std::string csrf_cookie(const std::string& csrf, bool secure, long max_age_seconds);
std::string expired_cookie(const char* name, bool secure, bool http_only);

}  // namespace ccteams::http
