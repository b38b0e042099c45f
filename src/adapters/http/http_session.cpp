// One HTTP connection as one coroutine on its strand (STYLE §6): request by request until the
// connection closes or becomes a WebSocket.
#include <array>
#include <charconv>
#include <optional>
#include <boost/asio/co_spawn.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>
#include <type_traits>
#include <variant>

#include "adapters/http/http_message.hpp"
#include "adapters/http/request_forwarder.hpp"
#include "adapters/http/server_state.hpp"
#include "adapters/http/ws_session.hpp"

namespace ccteams::http {

namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 8192;
// After an error response the client may still be sending (a 10 MB body we refused): reading
// and discarding for a moment lets it receive the response instead of a reset.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 64 << 20;
constexpr auto kTlsShutdownTime = std::chrono::seconds(1);

enum class Next { keep_alive, close, linger_close, upgraded };

// The organisation of a 503 org_elsewhere (error_response's note), if response is one.
std::optional<std::int64_t> org_elsewhere_of(const Response& response) {
  if (response.status != 503) return std::nullopt;
  const auto text = response.header(kOrgElsewhereHeader);
  std::int64_t org = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), org);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return org;
}

struct Connection {
  std::shared_ptr<HttpServer::State> st;
  std::shared_ptr<ConnectionControl> control;
  std::string remote;
  bool secure = false;
  bool idle = true;  // strand only: waiting for the first byte of a request
};

// Removes the connection from the registry however the coroutine ends (including destruction
// of the io_context with the coroutine suspended).
struct Registration {
  Connection& c;
  ~Registration() {
    c.control->drain = nullptr;
    c.control->force = nullptr;
    c.st->remove_connection(c.control.get());
  }
};

bool is_parse_error(const boost::system::error_code& ec) {
  static const auto& category = bhttp::make_error_code(bhttp::error::bad_target).category();
  return ec.category() == category && ec != bhttp::error::end_of_stream &&
         ec != bhttp::error::partial_message;
}

template <class Stream>
asio::awaitable<void> close_connection(Connection& c, Stream& stream, bool linger) {
  auto& tcp = beast::get_lowest_layer(stream);
  boost::system::error_code ignored;
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    if (!linger) {
      tcp.expires_after(std::min<Clock::duration>(kTlsShutdownTime, c.st->options.write_timeout));
      co_await stream.async_shutdown(kAsTuple);
    }
  }
  tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  if (linger) {
    tcp.expires_after(kLingerTime);
    std::array<char, 16384> sink;
    for (std::size_t total = 0; total < kLingerBytes;) {
      auto [ec, n] = co_await tcp.async_read_some(asio::buffer(sink), kAsTuple);
      if (ec) break;
      total += n;
    }
  }
  tcp.close();
}

template <class Stream>
asio::awaitable<bool> write_response(Connection& c, Stream& stream, Response response,
                                     const RequestRecord& base, unsigned version, bool head,
                                     bool keep_alive) {
  std::size_t body_bytes = 0;
  const int status = response.status;
  auto msg = to_beast_response(std::move(response), c.st->options, version, head, keep_alive,
                               &body_bytes);
  beast::get_lowest_layer(stream).expires_after(c.st->options.write_timeout);
  auto [ec, n] = co_await bhttp::async_write(stream, msg, kAsTuple);
  RequestRecord record = base;
  record.status = status;
  record.body_bytes = ec ? 0 : body_bytes;
  if (record.remote.empty()) record.remote = c.remote;
  c.st->record(record);
  co_return !ec;
}

// The request could not be read: answer what can be answered, then close.
template <class Stream>
asio::awaitable<Next> reject(Connection& c, Stream& stream, const boost::system::error_code& ec,
                             const RequestRecord& base, unsigned version) {
  Error error;
  if (ec == bhttp::error::body_limit) {
    error = make_error(Errc::payload_too_large, "request body is larger than " +
                                                    std::to_string(c.st->options.body_limit) +
                                                    " bytes");
  } else if (is_parse_error(ec)) {
    error = make_error(Errc::invalid_input, "malformed HTTP request: " + ec.message());
  } else {
    co_return Next::close;  // end of stream, reset, timeout, shutdown: nobody to answer
  }
  co_await write_response(c, stream, error_response(error), base, version, false, false);
  co_return Next::linger_close;
}

template <class Stream>
asio::awaitable<Next> exchange(Connection& c, Stream& stream, beast::flat_buffer& buffer) {
  const auto& options = c.st->options;
  auto& tcp = beast::get_lowest_layer(stream);
  RequestRecord base{"-", "-", "unmatched"};

  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
  // An unbounded body is the cheapest denial of service; cap it before parsing.
  parser.body_limit(options.body_limit);
  auto [hec, hn] = co_await bhttp::async_read_header(stream, buffer, parser, kAsTuple);
  const auto start = Clock::now();
  if (hec) co_return co_await reject(c, stream, hec, base, 11);

  auto& msg = parser.get();
  const unsigned version = msg.version() >= 11 ? 11 : 10;
  const std::string method(msg.method_string());
  const std::string path(raw_path(msg.target()));
  base.method = method;
  base.path = path;
  if (!parser.is_done()) {
    if (version == 11 && iequals(msg[bhttp::field::expect], "100-continue")) {
      bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
      tcp.expires_after(options.write_timeout);
      auto [cec, cn] = co_await bhttp::async_write(stream, go_on, kAsTuple);
      if (cec) co_return Next::close;
    }
    tcp.expires_after(options.body_timeout);
    auto [bec, bn] = co_await bhttp::async_read(stream, buffer, parser, kAsTuple);
    if (bec) co_return co_await reject(c, stream, bec, base, version);
  }

  const bool head = msg.method() == bhttp::verb::head;
  const bool wants_keep_alive = msg.keep_alive();
  auto request = to_request(msg, c.remote, c.secure);
  RequestForwarder* forwarder = c.st->options.forwarder.get();
  bool forwarded = false;  // came over the internal channel: answered here, never sent on
  std::string via;         // the access log's remote for a forwarded request
  if (request && forwarder != nullptr) {
    auto internal = forwarder->verify(*request);
    if (!internal) {
      request = std::move(internal).error();
    } else if (*internal) {
      // The MAC vouches for the address the first instance saw; the throttle and the access
      // log use it, as they would have there.
      request->remote_address = std::move(**internal);
      forwarded = true;
      via = request->remote_address + " via " + c.remote;
      base.remote = via;
    }
  }
  Response response;
  bool match_handler = false;  // a REST handler answered (not a WebSocket, 404 or 405)
  bool handler_failed = false;
  std::string failure;  // what escaped the handler: for the log only
  if (!request) {
    response = error_response(request.error());
  } else {
    auto match = c.st->router.match(request->method, request->path);
    request->path_params = std::move(match.params);
    if (!match.pattern.empty()) base.route = match.pattern;
    if (match.ws_handler != nullptr && beast::websocket::is_upgrade(msg)) {
      std::variant<Response, WsCallbacks> outcome;
      try {
        outcome = co_await (*match.ws_handler)(*request);
      } catch (const std::exception& e) {
        handler_failed = true;
        failure = "WebSocket handler for " + std::string(base.route) + " threw: " + e.what();
      }
      if (!handler_failed && std::holds_alternative<WsCallbacks>(outcome)) {
        c.st->record({method, path, base.route, 101, 0, Clock::now() - start, c.remote});
        // The hooks point at this stream, which is about to move into the WebSocket.
        c.control->drain = nullptr;
        c.control->force = nullptr;
        co_await run_websocket(c.st, c.control, std::move(stream), std::move(msg),
                               std::get<WsCallbacks>(std::move(outcome)), c.remote);
        co_return Next::upgraded;
      }
      if (!handler_failed) response = std::get<Response>(std::move(outcome));
    } else if (match.ws_handler != nullptr) {
      response = error_response(
          make_error(Errc::invalid_input, "this endpoint needs a WebSocket upgrade"));
    } else if (match.handler != nullptr) {
      match_handler = true;
      try {
        response = co_await (*match.handler)(*request);
      } catch (const std::exception& e) {
        handler_failed = true;
        failure = "handler for " + method + " " + std::string(base.route) + " threw: " + e.what();
      } catch (...) {
        handler_failed = true;
        failure =
            "handler for " + method + " " + std::string(base.route) + " threw a non-exception";
      }
    } else if (match.allowed.empty()) {
      response = error_response(make_error(Errc::not_found, "no such resource"));
    } else {
      response = error_response(make_error(Errc::invalid_input, "method not allowed"));
      response.status = 405;
      std::string allow;
      for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
      response.set_header("Allow", std::move(allow));
    }
  }
  // error_response logs the text under a correlation id; the client sees only the id.
  if (handler_failed) response = error_response(make_error(Errc::internal, "http: " + failure));
  // Refused before it changed anything: the organisation's owner answers instead. A forwarded
  // request is not sent on (ownership moved while it travelled: the client retries).
  if (forwarder != nullptr && !forwarded && request && match_handler) {
    if (auto org = org_elsewhere_of(response)) {
      auto answer = forwarder->forward(*request, *org, std::move(response));
      response = co_await std::move(answer);
    }
  }

  // Decided after the handler ran: a shutdown may have started meanwhile.
  const bool keep_alive = wants_keep_alive && !c.st->draining.load();
  base.duration = Clock::now() - start;
  const bool written =
      co_await write_response(c, stream, std::move(response), base, version, head, keep_alive);
  if (!written) co_return Next::close;
  co_return keep_alive ? Next::keep_alive : Next::close;
}

template <class Stream>
asio::awaitable<void> serve(Connection& c, Stream& stream) {
  const auto& options = c.st->options;
  auto& tcp = beast::get_lowest_layer(stream);
  c.control->drain = [&c, &tcp] {
    if (c.idle) tcp.close();
  };
  c.control->force = [&tcp] { tcp.close(); };
  beast::flat_buffer buffer;
  bool first = true;
  for (;;) {
    c.idle = true;
    if (c.st->draining.load()) break;
    if (buffer.size() == 0) {
      // Waiting for a request is idleness, not slowness: a kept-alive connection may wait
      // idle_timeout, and only then does the header clock start.
      tcp.expires_after(first ? options.header_timeout : options.idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kAsTuple);
      if (ec) co_return;  // closed by the peer, idle timeout, or shutdown: nothing in flight
      buffer.commit(n);
    }
    if (!first) tcp.expires_after(options.header_timeout);
    first = false;
    c.idle = false;
    const Next next = co_await exchange(c, stream, buffer);
    if (next == Next::upgraded) co_return;
    if (next == Next::keep_alive) continue;
    co_await close_connection(c, stream, next == Next::linger_close);
    co_return;
  }
  co_await close_connection(c, stream, false);
}

asio::awaitable<void> run_connection(std::shared_ptr<HttpServer::State> st,
                                     asio::ip::tcp::socket socket) {
  boost::system::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  std::string remote = ec ? std::string("-") : peer.address().to_string();
  auto control = st->add_connection(socket.get_executor(), remote);
  if (!control) co_return;  // draining or over a cap: the socket closes as it goes out of scope
  Connection c{st, control, std::move(remote), st->tls.has_value()};
  Registration registration{c};
  if (st->tls) {
    TlsStream stream(std::move(socket), *st->tls);
    auto& tcp = beast::get_lowest_layer(stream);
    c.control->drain = [&tcp] { tcp.close(); };
    c.control->force = [&tcp] { tcp.close(); };
    tcp.expires_after(st->options.header_timeout);
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kAsTuple);
    if (hec) {
      spdlog::debug("http: TLS handshake with {} failed: {}", c.remote, hec.message());
      co_return;
    }
    co_await serve(c, stream);
  } else {
    TcpStream stream(std::move(socket));
    co_await serve(c, stream);
  }
}

}  // namespace

void spawn_connection(std::shared_ptr<HttpServer::State> state, asio::ip::tcp::socket socket) {
  auto executor = socket.get_executor();
  asio::co_spawn(executor, run_connection(std::move(state), std::move(socket)),
                 LogServerEscape{"http: connection"});
}

}  // namespace ccteams::http
