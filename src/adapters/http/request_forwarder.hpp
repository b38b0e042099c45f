#pragma once
// [cluster]: the HTTP server's hook for requests about an organisation that another instance
// serves (docs/postgresql.md, "Any instance serves any request"). The server library knows no
// organisation, lease or key: it asks this interface, implemented by InternalForwarder
// (adapters/http/internal_forwarder.hpp), and stays free of app code.
//
// How the server uses it (http_session.cpp), for every REST request:
//  1. verify(): a request carrying the internal channel's headers must prove it came from
//     another instance (a MAC under the shared key, fresh); the server then takes the original
//     client's address from it (login throttle, access log) and never forwards it again.
//  2. the handler runs here; when its answer is 503 org_elsewhere (error_response marks it with
//     kOrgElsewhereHeader, which never leaves the server), the request was refused before it
//     changed anything, and forward() answers it instead, from the owner.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/http/http_types.hpp"
#include "core/result.hpp"

namespace ccteams::http {

// Set by error_response on a 503 org_elsewhere: the organisation's id. Internal to the server:
// removed before any response is written.
inline constexpr std::string_view kOrgElsewhereHeader = "X-Ccteams-Org-Elsewhere";

// The internal channel's request headers (lower case, as Request::header finds them).
inline constexpr std::string_view kForwardedClientHeader = "x-ccteams-forwarded-client";
inline constexpr std::string_view kForwardedAtHeader = "x-ccteams-forwarded-at";
inline constexpr std::string_view kForwardedMacHeader = "x-ccteams-forwarded-mac";

// Thread-safety: both methods from any connection's coroutine, concurrently.
class RequestForwarder {
 public:
  virtual ~RequestForwarder() = default;
  // nullopt: an ordinary request (none of the internal headers). A value: it came over the
  // internal channel, MAC valid and fresh; the value is the original client's address.
  // Errors: unauthenticated (401) when an internal header is there but the MAC is absent;
  // forbidden (403) when the MAC is wrong or stale.
  virtual Result<std::optional<std::string>> verify(const Request& req) const = 0;
  // The owner's answer to req (an org_elsewhere request for org), or local (this instance's
  // own 503 org_elsewhere, Retry-After 1) when no owner is known or it does not answer in time.
  virtual boost::asio::awaitable<Response> forward(const Request& req, std::int64_t org,
                                                   Response local) = 0;
};

}  // namespace ccteams::http
