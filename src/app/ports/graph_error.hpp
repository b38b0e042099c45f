#pragma once
// The error every Graph port call may yield (app/ports/graph.hpp lists the roles).
//
// Graph's own error code matters to callers (resyncRequired means "run a full delta resync",
// 404 on clearPresence means "no such session"), and the rules forbid branching on message
// text. So the port does not squeeze failures into core Error: every call yields a
// GraphResult<T>, holding a T or a GraphError that keeps Graph's typed error (status, code,
// AADSTS codes, request id, Retry-After) plus a coarse GraphErrorKind to branch on and, for
// Entra's token errors, an EntraErrorKind (the refresh token is dead, consent was revoked, ...)
// that the adapter classified. GraphError::to_error() gives the core Error (Errc mapped from
// the kind, message safe to show, retry_after_seconds kept) for passing further up.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace ccteams {

// Entra token-endpoint verdicts the app acts on (§1.3), each with the fix an admin is told.
// The adapter classifies an Entra error body into one, first match wins in this order: a
// problem with our app registration comes before a verdict on the account, so that a reply
// naming both never marks a sync account dead for what is the app's fault.
enum class EntraErrorKind {
  none,                           // not an Entra error, or none of the below
  bad_client_secret,              // invalid_client, AADSTS7000215, AADSTS7000222
  app_unknown_in_tenant,          // unauthorized_client, invalid_resource, AADSTS700016, 500011
  refresh_token_unused_too_long,  // AADSTS700082, AADSTS700084 (inactivity)
  interaction_required,           // interaction_required, AADSTS50076, 50079 (e.g. MFA)
  consent_required,               // consent_required, AADSTS65001 (consent revoked)
  account_disabled,               // AADSTS50057
  blocked_by_conditional_access,  // AADSTS53003
  refresh_token_dead,             // invalid_grant, AADSTS70008, 50105, 50173: expired or revoked
};

enum class GraphErrorKind {
  transport,        // no HTTP answer: connection failed, timed out, TLS
  throttled,        // 429 (retry_after_seconds when Graph said so)
  unavailable,      // 5xx: 500, 502, 503, 504
  unauthorized,     // 401, or an Entra error that means our credentials/consent are refused
  forbidden,        // 403: permission missing, quota reached, app-only where delegated needed
  not_found,        // 404
  invalid_request,  // other 4xx
  resync_required,  // delta token expired: resyncRequired / syncStateNotFound (§2 Delta)
  decode,           // an answer we could not read
};

struct GraphError {
  GraphErrorKind kind = GraphErrorKind::transport;
  int http_status = 0;                   // 0 when no HTTP answer
  std::string code;                      // Graph error.code, or Entra `error` (invalid_grant, ...)
  std::string message;                   // Graph error.message / Entra error_description
  std::vector<std::string> inner_codes;  // nested innerError codes, outermost first
  std::optional<std::string> request_id;
  std::optional<std::string> client_request_id;
  std::optional<std::string> date;
  int retry_after_seconds = 0;  // > 0 when Retry-After was given
  // Entra token errors (§1.3).
  std::vector<std::int64_t> error_codes;  // AADSTS numbers, e.g. 70008
  std::optional<std::string> trace_id;
  std::optional<std::string> correlation_id;
  std::optional<std::string> timestamp;
  // What Entra's verdict means for us, classified by the adapter from `code` and error_codes
  // (which stay for messages); none for Graph errors and Entra errors we do not act on.
  EntraErrorKind entra = EntraErrorKind::none;

  // A failure that may pass by itself: no answer, throttled, or the service unavailable.
  bool transient() const {
    return kind == GraphErrorKind::transport || kind == GraphErrorKind::unavailable ||
           kind == GraphErrorKind::throttled;
  }
  // The AADSTS numbers for a message, each after ", ": ", AADSTS50020, AADSTS90072".
  std::string aadsts_text() const {
    std::string out;
    for (auto c : error_codes) out += ", AADSTS" + std::to_string(c);
    return out;
  }
  bool has_aadsts(std::int64_t n) const {
    for (auto c : error_codes) {
      if (c == n) return true;
    }
    return false;
  }
  // The core error for callers that only need to pass it on: kind -> Errc, a message naming
  // status and code (never a token), retry_after_seconds kept.
  Error to_error() const;
};

inline std::string_view graph_error_kind_name(GraphErrorKind kind);
inline std::string_view entra_error_kind_name(EntraErrorKind kind);

// A T or a GraphError (core Result with Graph's typed error; GraphError::to_error() gives the
// core Error).
template <class T>
using GraphResult = Result<T, GraphError>;

// What every role's call returns: each role names it Async<T>.
template <class T>
using GraphAsync = boost::asio::awaitable<GraphResult<T>>;

// ---- Inline definitions (header-only port: no .cpp in app/ports) ------------------------------

inline std::string_view graph_error_kind_name(GraphErrorKind kind) {
  switch (kind) {
    case GraphErrorKind::transport:
      return "transport";
    case GraphErrorKind::throttled:
      return "throttled";
    case GraphErrorKind::unavailable:
      return "unavailable";
    case GraphErrorKind::unauthorized:
      return "unauthorized";
    case GraphErrorKind::forbidden:
      return "forbidden";
    case GraphErrorKind::not_found:
      return "not_found";
    case GraphErrorKind::invalid_request:
      return "invalid_request";
    case GraphErrorKind::resync_required:
      return "resync_required";
    case GraphErrorKind::decode:
      return "decode";
  }
  return "transport";
}

// A Graph 4xx that is not about credentials or existence means we sent something Graph does
// not accept: a bug on our side, hence internal rather than the caller's invalid_input.
inline Error GraphError::to_error() const {
  Errc errc = Errc::internal;
  switch (kind) {
    case GraphErrorKind::transport:
    case GraphErrorKind::unavailable:
      errc = Errc::unavailable;
      break;
    case GraphErrorKind::throttled:
      errc = Errc::rate_limited;
      break;
    case GraphErrorKind::unauthorized:
      errc = Errc::unauthenticated;
      break;
    case GraphErrorKind::forbidden:
      errc = Errc::forbidden;
      break;
    case GraphErrorKind::not_found:
      errc = Errc::not_found;
      break;
    case GraphErrorKind::resync_required:
      errc = Errc::conflict;
      break;
    case GraphErrorKind::invalid_request:
    case GraphErrorKind::decode:
      errc = Errc::internal;
      break;
  }
  std::string text = "Microsoft Graph";
  if (http_status != 0) text += " " + std::to_string(http_status);
  if (!code.empty()) text += " " + code;
  if (!message.empty()) text += ": " + message;
  return make_error(errc, std::move(text), retry_after_seconds);
}

inline std::string_view entra_error_kind_name(EntraErrorKind kind) {
  switch (kind) {
    case EntraErrorKind::none:
      return "none";
    case EntraErrorKind::bad_client_secret:
      return "bad_client_secret";
    case EntraErrorKind::app_unknown_in_tenant:
      return "app_unknown_in_tenant";
    case EntraErrorKind::refresh_token_unused_too_long:
      return "refresh_token_unused_too_long";
    case EntraErrorKind::interaction_required:
      return "interaction_required";
    case EntraErrorKind::consent_required:
      return "consent_required";
    case EntraErrorKind::account_disabled:
      return "account_disabled";
    case EntraErrorKind::blocked_by_conditional_access:
      return "blocked_by_conditional_access";
    case EntraErrorKind::refresh_token_dead:
      return "refresh_token_dead";
  }
  return "none";
}

}  // namespace ccteams
