// The one place where an Errc becomes an HTTP status and an error body (STYLE.md §4, §13).
#include <boost/json.hpp>

#include "adapters/http/http_types.hpp"

namespace ccteams::http {

int to_http_status(Errc code) {
  switch (code) {
    case Errc::invalid_input: return 400;
    case Errc::unauthenticated: return 401;
    case Errc::forbidden: return 403;
    case Errc::not_found: return 404;
    case Errc::conflict: return 409;
    case Errc::payload_too_large: return 413;
    case Errc::rate_limited: return 429;
    case Errc::unavailable: return 503;
    case Errc::internal: return 500;
  }
  return 500;
}

Response error_response(const Error& error) {
  boost::json::object inner;
  inner["code"] = errc_name(error.code);
  inner["message"] = error.message;
  boost::json::object body;
  body["error"] = std::move(inner);
  Response r = text_response(to_http_status(error.code), "application/json",
                             boost::json::serialize(body));
  if (error.retry_after_seconds > 0) {
    r.set_header("Retry-After", std::to_string(error.retry_after_seconds));
  }
  if (error.code == Errc::unauthenticated) r.set_header("WWW-Authenticate", "Bearer");
  return r;
}

}  // namespace ccteams::http
