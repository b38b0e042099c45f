#pragma once
// Internal to the HTTP server: conversions between Beast messages and the plain Request and
// Response values handlers see. Includes Beast; never include it from a public header.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "adapters/http/http_server.hpp"
#include "adapters/http/http_types.hpp"
#include "core/result.hpp"

namespace ccteams::http {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;

// The target up to '?' (not decoded): what the access log may show.
std::string_view raw_path(std::string_view target);

// Fills method, target, path (percent-decoded), query, headers (lower-case names), remote_address
// and secure; moves the body out of msg. Errors (invalid_input): a target that is not an
// absolute path, a bad percent-escape, an encoded '/' or NUL, or a "." / ".." segment (the last
// two would let a path mean something else to the router than to a file server).
Result<Request> to_request(BeastRequest& msg, std::string remote_address, bool secure);

// Turns a handler's Response into the message to write: runs options.decorate, drops headers the
// server owns (Content-Length, Transfer-Encoding, Connection) and any header holding CR or LF
// (response splitting), adds Server and Date, and frames the body: none for HEAD, 1xx, 204 and
// 304, Content-Length otherwise (for HEAD the length GET would have sent). body_bytes receives
// the number of body bytes that will go on the wire.
BeastResponse to_beast_response(Response&& response, const ServerOptions& options,
                                unsigned version, bool head, bool keep_alive,
                                std::size_t* body_bytes);

// "Sun, 06 Nov 1994 08:49:37 GMT" for now; cached per second and thread.
std::string_view http_date_now();

}  // namespace ccteams::http
