// libFuzzer target: an HTTP/1.1 request as the server reads it, under ASan + UBSan
// (scripts/fuzz.sh): Beast's parser with the server's header and body limits, in pieces cut
// where the first byte says (a request arrives in several reads), then our conversion of the
// parsed message (target, percent-decoding, headers), the form and JSON body helpers, and the
// response framing. A request that converts has an absolute path without "." or ".." segments.

#include <algorithm>
#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adapters/http/http_message.hpp"
#include "adapters/http/http_server.hpp"
#include "adapters/http/http_types.hpp"

namespace bhttp = boost::beast::http;
using namespace ccteams::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t piece = 1 + data[0];
  const std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);
  const ServerOptions options;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
  parser.body_limit(options.body_limit);
  parser.eager(true);
  // As Beast's read does: bytes arrive `piece` at a time into a buffer, and the parser is offered
  // everything received and not yet consumed; after "need more" it is offered the same bytes
  // again only once more have arrived (the parser relies on that: it remembers how far it
  // looked, and re-offering it the same bytes trips its assertions).
  std::size_t at = 0;
  std::size_t received = 0;
  boost::beast::error_code ec;
  bool need_more = true;
  while (!parser.is_done()) {
    if (need_more) {
      if (received == wire.size()) return 0;  // the input ends inside a message
      received = std::min(wire.size(), received + piece);
    }
    const auto used = parser.put(boost::asio::buffer(wire.data() + at, received - at), ec);
    at += used;
    need_more = ec == bhttp::error::need_more;
    if (need_more) {
      ec = {};
      continue;
    }
    if (ec) return 0;
    if (used == 0) need_more = true;  // no progress without more bytes
  }
  if (!parser.is_done()) return 0;
  auto msg = parser.release();
  const std::string target(msg.target());
  (void)raw_path(target);
  auto req = to_request(msg, "127.0.0.1", false);
  if (!req) return 0;
  if (req->path.empty() || req->path[0] != '/') std::abort();
  for (std::size_t i = 0; i < req->path.size();) {
    auto end = req->path.find('/', i + 1);
    if (end == std::string::npos) end = req->path.size();
    const auto segment = std::string_view(req->path).substr(i + 1, end - i - 1);
    if (segment == "." || segment == "..") std::abort();
    i = end;
  }
  (void)parse_form(req->body);
  (void)require_json_body(*req);
  (void)percent_decode(req->query, true);
  Response response = text_response(200, "text/plain", req->body);
  std::size_t body_bytes = 0;
  (void)to_beast_response(std::move(response), options, 11, req->method == "HEAD", true,
                          &body_bytes);
  return 0;
}
