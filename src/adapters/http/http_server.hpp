#pragma once
// The HTTP/1.1 + WebSocket server (Boost.Beast underneath, kept out of this header).
//
// Every accepted connection is one coroutine on its own strand (STYLE §6): it reads a request
// (header, then body, each under its own timeout), asks the Router, runs the handler, writes the
// response, and loops while the connection is kept alive. A GET with "Upgrade: websocket" to a
// route registered with Router::add_websocket becomes a WebSocket on the same strand.
//
// What the wire sees:
//  * HTTP/1.0 and 1.1, keep-alive, sequential pipelining, HEAD served by the GET handler with
//    the body left out (Content-Length as GET would send it). Content-Length on every response
//    except 1xx/204/304, which never carry a body. `Server` and `Date` on every response;
//    `Connection: close` whenever the server closes after the response.
//  * Errors as the standard JSON error body (error_response): 400 for malformed HTTP, a bad
//    percent-escape, an encoded '/' or NUL, or a "." / ".." segment in the path (closed after);
//    404 unknown route; 405 with Allow; 413 when the body is over ServerOptions::body_limit
//    (closed after); 500 "internal" when a handler throws (logged; the connection stays usable).
//  * One access-log line per request: method, path WITHOUT the query string (it may carry OAuth
//    codes), status, body bytes, duration, remote address. Headers and bodies are never logged.
//
// Threading: the io_context may be run by any number of threads. listen() and start() are
// called once, before or while the io_context runs; shutdown() and connection_count() are
// thread-safe. The Router must not change after start() and must outlive the server and every
// connection (until shutdown's done callback has run, or the io_context has stopped).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "adapters/http/http_types.hpp"
#include "adapters/http/server_metrics.hpp"
#include "core/result.hpp"

namespace boost::asio {
class io_context;
}

namespace ccteams::http {

class Router;
class RequestForwarder;  // request_forwarder.hpp

struct TlsConfig {
  std::string cert_chain_pem;   // leaf certificate first, then intermediates
  std::string private_key_pem;  // unencrypted PEM (PKCS#8 or traditional)
};

struct ServerOptions {
  std::size_t body_limit = 1 << 20;         // larger bodies get 413 and the connection closes
  std::size_t header_limit = 16 * 1024;     // request line + header fields; over it: 400
  // A new connection must deliver a complete request header within header_timeout (and, with
  // TLS, finish the handshake within it too); a kept-alive connection may sit idle for
  // idle_timeout before the next request starts, which then has header_timeout to complete.
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};  // each response, each WebSocket message
  std::chrono::milliseconds idle_timeout{60'000};
  std::size_t ws_max_message = 64 * 1024;  // a larger incoming message closes with 1009
  // A WebSocket whose queued outgoing messages would exceed either bound is a client that does
  // not keep up: its queue is dropped and it is disconnected (send() returns false).
  std::size_t ws_outbox_max_messages = 256;
  std::size_t ws_outbox_max_bytes = 4 << 20;
  // Silence from a WebSocket peer for this long triggers a ping; as long again without any
  // frame from the peer and the connection is considered dead and closed.
  std::chrono::milliseconds ws_ping_interval{20'000};
  // A connection beyond either cap is closed at once, before anything is read, and counted in
  // http_connections_refused_total{reason="total"|"per_address"}. Per address: the peer's
  // address, an IPv6 /64 as one (behind a proxy, the proxy: size the cap for it).
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_address = 256;
  std::optional<TlsConfig> tls;  // set: the listener speaks HTTPS only (TLS 1.2 or newer)
  // When set, told of every connection, refusal and exchange (route = router pattern or
  // "unmatched"); http::server_metrics(Metrics&) in request_metrics.hpp feeds our registry.
  std::shared_ptr<ServerMetrics> metrics;
  std::string access_log_name = "access";  // spdlog logger; created on the default sinks if absent
  std::string server_header = "ccteams";   // empty: no Server header
  // Called for every response the server writes, handler-made or server-made (404, 413, ...),
  // on the connection's strand; e.g. security headers. Must not throw.
  std::function<void(Response&)> decorate;
  // [cluster]: verifies requests of the internal channel and answers a REST request refused
  // with 503 org_elsewhere from the organisation's owner (request_forwarder.hpp). Null: neither.
  std::shared_ptr<RequestForwarder> forwarder;
};

class HttpServer {
 public:
  // Nothing is opened yet. router is not owned (see the threading note above).
  HttpServer(boost::asio::io_context& ioc, const Router& router, ServerOptions options);
  // Stops accepting and closes every connection at once (no grace). Connections still running
  // on the io_context keep what they need alive; the io_context may be stopped afterwards.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (an IP literal or a name resolved once; port 0 picks a free port) and
  // listens. Returns the bound port. Errors: invalid_input for a bad host or unusable TLS
  // material, unavailable when the address cannot be bound (in use, no permission).
  // Call once.
  Result<std::uint16_t> listen(const std::string& host, std::uint16_t port);
  // Starts accepting on the listening socket; connections are served once the io_context runs.
  void start();
  // Graceful stop. Stops accepting at once; idle keep-alive connections are closed; requests
  // in flight run to completion and their responses are delivered (with Connection: close),
  // then those connections close; WebSockets get a close frame "going away" (1001). done is
  // called once, on an io_context thread, when every connection has ended or grace has
  // elapsed, in which case the rest are force-closed first. Thread-safe; a second call only
  // adds its done callback.
  void shutdown(std::chrono::milliseconds grace, std::function<void()> done);
  // Open connections (HTTP and WebSocket). Thread-safe.
  std::size_t connection_count() const;

  struct State;  // shared with the connection coroutines (server_state.hpp)

 private:
  std::shared_ptr<State> state_;
};

}  // namespace ccteams::http
