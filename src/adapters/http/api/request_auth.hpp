#pragma once
// Authenticating an API request: "Authorization: Bearer <token>" for API clients, or the
// HttpOnly session cookie for the browser UI. Cookie-authenticated requests that change state
// must carry the session's CSRF token in X-CSRF-Token (the cookie alone is not enough).

#include <initializer_list>
#include <string>

#include "adapters/http/http_types.hpp"
#include "app/auth_service.hpp"

namespace ccteams::http {

inline constexpr const char* kSessionCookie = "ccteams_session";
inline constexpr const char* kCsrfCookie = "ccteams_csrf";

Result<Caller> authenticate_request(const Request& req, AuthService& auth);
// authenticate_request, then require one of roles.
Result<Caller> authorize_request(const Request& req, AuthService& auth,
                                 std::initializer_list<Role> roles);

// Set-Cookie values for a new session and for clearing it.
std::string session_cookie(const std::string& token, bool secure, long max_age_seconds);
std::string csrf_cookie(const std::string& csrf, bool secure, long max_age_seconds);
std::string expired_cookie(const char* name, bool secure, bool http_only);

}  // namespace ccteams::http
