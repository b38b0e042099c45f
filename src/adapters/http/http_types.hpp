#pragma once
// Plain request/response values shared by the server, the router and every handler.
// Deliberately free of Beast and Asio so that handler code compiles quickly.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace ccteams::http {

struct Header {
  std::string name;   // lower-case in requests; as given in responses
  std::string value;
};

struct Request {
  std::string method;                // "GET", "POST", ...
  std::string target;                // as received: "/a/b?x=1"
  std::string path;                  // percent-decoded path without the query: "/a/b"
  std::string query;                 // raw query without '?': "x=1"
  std::vector<Header> headers;       // names lower-cased
  std::string body;
  std::string remote_address;        // "127.0.0.1"
  bool secure = false;               // arrived over TLS
  std::map<std::string, std::string, std::less<>> path_params;  // filled by the router

  // The first header named name (case-insensitive), or "" when absent.
  std::string_view header(std::string_view name) const;
  // The first query parameter named name, percent- and '+'-decoded; nullopt when absent.
  std::optional<std::string> query_param(std::string_view name) const;
  // Every query parameter in order, decoded.
  std::vector<std::pair<std::string, std::string>> query_params() const;
  // "" when the route has no such parameter.
  std::string_view path_param(std::string_view name) const;
  // The value of cookie name from the Cookie header, or "".
  std::string cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::vector<Header> headers;
  std::string body;

  // Replaces an existing header of the same name (case-insensitive).
  void set_header(std::string name, std::string value);
  void add_header(std::string name, std::string value);
  std::string_view header(std::string_view name) const;
};

// Exactly one mapping from Errc to HTTP status (STYLE.md §4).
int to_http_status(Errc code);
// {"error":{"code":"not_found","message":"…"}} with the mapped status (and Retry-After).
// Errc::internal never shows its message: it is logged with a fresh correlation id, and the
// client gets {"error":{"code":"internal","message":"Internal error; quote correlation id <id>
// to your operator","correlationId":"<id>"}} and the header X-Correlation-Id: <id>.
Response error_response(const Error& error);
// 24 random hex characters: names one failure in the log and in the response.
std::string new_correlation_id();
// What a client may be shown of an error: itself, except that an internal error is logged
// (with its text) under a fresh correlation id and replaced by a message quoting the id. For
// responses that are not error_response's JSON (HTML pages, WebSocket messages).
struct PublicError {
  Error error;
  std::string correlation_id;  // set for internal errors only
};
PublicError public_error(const Error& error);
Response text_response(int status, std::string content_type, std::string body);
Response empty_response(int status);

// Percent-decoding; '+' becomes ' ' only when plus_is_space (form and query encoding).
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);
std::string percent_encode(std::string_view in);  // RFC 3986 unreserved characters kept
// application/x-www-form-urlencoded bodies and query strings.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view body);
std::string encode_form(const std::vector<std::pair<std::string, std::string>>& fields);

bool iequals(std::string_view a, std::string_view b);

// True for "application/json", with any parameters ("; charset=utf-8"), in any case.
bool is_json_media_type(std::string_view content_type);
// A request without a body passes; one with a body must say Content-Type: application/json.
// Besides keeping handlers from reading a form as JSON, this closes a CSRF path: a cross-site
// page can send text/plain or a form without asking, but not application/json (that needs a
// CORS preflight, which we never grant). Errors: unsupported_media_type (415).
Result<void> require_json_body(const Request& req);

}  // namespace ccteams::http
