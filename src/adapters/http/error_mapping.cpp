// The one place where an Errc becomes an HTTP status and an error body (STYLE.md §4, §13).
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/json.hpp>

#include "adapters/http/http_types.hpp"
#include "adapters/http/message_codes.hpp"
#include "adapters/http/request_forwarder.hpp"
#include "app/ports/org_ownership.hpp"

namespace ccteams {

// Declared in core/result.hpp, beside Errc; defined here, with the rest of what an API error
// body shows, so that the HTTP server library (which the emulator uses too) links no core.
std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::invalid_input: return "invalid_input";
    case Errc::unauthenticated: return "unauthenticated";
    case Errc::forbidden: return "forbidden";
    case Errc::not_found: return "not_found";
    case Errc::conflict: return "conflict";
    case Errc::payload_too_large: return "payload_too_large";
    case Errc::unsupported_media_type: return "unsupported_media_type";
    case Errc::rate_limited: return "rate_limited";
    case Errc::unavailable: return "unavailable";
    case Errc::internal: return "internal";
  }
  return "internal";
}

}  // namespace ccteams

namespace ccteams::http {

int to_http_status(Errc code) {
  switch (code) {
    case Errc::invalid_input:
      return 400;
    case Errc::unauthenticated:
      return 401;
    case Errc::forbidden:
      return 403;
    case Errc::not_found:
      return 404;
    case Errc::conflict:
      return 409;
    case Errc::payload_too_large:
      return 413;
    case Errc::unsupported_media_type:
      return 415;
    case Errc::rate_limited:
      return 429;
    case Errc::unavailable:
      return 503;
    case Errc::internal:
      return 500;
  }
  return 500;
}

std::string new_correlation_id() {
  std::array<unsigned char, 12> bytes{};
  // RAND_bytes does not fail on a seeded OpenSSL 3; if it ever did, an id of zeros still keeps
  // the internal text out of the response, which is what matters here.
  (void)RAND_bytes(bytes.data(), static_cast<int>(bytes.size()));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 0xf]);
  }
  return id;
}

PublicError public_error(const Error& error) {
  if (error.code != Errc::internal) return PublicError{error, {}};
  // An internal error's text is for the operator (SQLite messages, paths, exception texts):
  // the log gets it under a fresh id, the client gets only the id to quote.
  std::string id = new_correlation_id();
  spdlog::error("internal error, correlation id {}: {}", id, error.message);
  return PublicError{make_error(Errc::internal,
                                "Internal error; quote correlation id " + id + " to your operator"),
                     std::move(id)};
}

Response error_response(const Error& error) {
  const PublicError shown = public_error(error);
  boost::json::object inner;
  // An organisation served by another instance is a 503 of its own kind: a client (or a load
  // balancer's retry) tells it from a dependency that is down (app/ports/org_ownership.hpp).
  inner["code"] = is_org_elsewhere(shown.error) ? kOrgElsewhereCode : errc_name(shown.error.code);
  inner["message"] = shown.error.message;
  // A sentence an admin reads (a refused Set up, an idle code still in use) has a code the
  // console renders in its language; the others stay as they are.
  if (auto coded = http::message_code(shown.error.message)) {
    inner["messageCode"] = http::message_code_json(coded);
  }
  if (!shown.correlation_id.empty()) inner["correlationId"] = shown.correlation_id;
  boost::json::object body;
  body["error"] = std::move(inner);
  Response r =
      text_response(to_http_status(error.code), "application/json", boost::json::serialize(body));
  if (!shown.correlation_id.empty()) r.set_header("X-Correlation-Id", shown.correlation_id);
  if (error.retry_after_seconds > 0) {
    r.set_header("Retry-After", std::to_string(error.retry_after_seconds));
  }
  if (error.code == Errc::unauthenticated) r.set_header("WWW-Authenticate", "Bearer");
  if (is_org_elsewhere(error)) {
    // For the server's forwarding (request_forwarder.hpp); never written to the client.
    const std::string_view rest = std::string_view(error.message).substr(kOrgElsewherePrefix.size());
    r.set_header(std::string(kOrgElsewhereHeader), std::string(rest.substr(0, rest.find(' '))));
  }
  return r;
}

}  // namespace ccteams::http
