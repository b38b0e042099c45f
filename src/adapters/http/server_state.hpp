#pragma once
// Internal to the HTTP server (http_server.cpp, http_session.cpp, ws_session.cpp): the state the
// listener and every connection coroutine share, and the registry graceful shutdown walks.
// Includes Asio; never include it from a public header.

#include <atomic>
#include <exception>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <spdlog/logger.h>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "adapters/http/http_server.hpp"
#include "adapters/http/router.hpp"

namespace ccteams::http {

namespace asio = boost::asio;

inline constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// co_spawn's completion handler for the server's coroutines: whatever escapes one is a bug, and
// is logged with what the coroutine was. (app/log_escaped.hpp is app's; this library stands
// below app, since the emulator serves with it too.)
struct LogServerEscape {
  const char* what;  // a literal: lives for the program
  void operator()(const std::exception_ptr& e) const;
};

// What shutdown needs to reach one connection. Created by the connection coroutine, which sets
// the hooks; the registry only ever invokes them through a post to `strand`.
struct ConnectionControl {
  ConnectionControl(asio::any_io_executor s, std::string key)
      : strand(std::move(s)), address_key(std::move(key)) {}
  const asio::any_io_executor strand;
  const std::string address_key;  // what the per-address cap counts by
  // Strand-only. drain: close now when nothing is in flight, else let the connection finish
  // its current exchange and close (the session checks State::draining between requests).
  // force: close now, whatever is in flight. Cleared when the connection ends.
  std::function<void()> drain;
  std::function<void()> force;
};

// One finished HTTP exchange, for the access log and the metrics.
struct RequestRecord {
  std::string_view method;  // "-" when the request could not be parsed
  std::string_view path;    // raw path without the query string; "-" when unparsed
  std::string_view route;   // router pattern or "unmatched"
  int status = 0;
  std::size_t body_bytes = 0;
  std::chrono::steady_clock::duration duration{};
  std::string_view remote;
};

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::io_context& io, const Router& r, ServerOptions o);

  asio::io_context& ioc;
  const Router& router;
  const ServerOptions options;
  std::optional<asio::ssl::context> tls;  // set by listen() when options.tls is set
  std::shared_ptr<spdlog::logger> access_log;
  asio::ip::tcp::acceptor acceptor;       // on its own strand

  std::atomic<bool> draining{false};

  // Registers a connection from peer_address; null when the server is draining or a connection
  // cap is reached (counted; the caller closes the socket).
  std::shared_ptr<ConnectionControl> add_connection(asio::any_io_executor strand,
                                                    const std::string& peer_address);
  // Called exactly once per successful add_connection, when the connection has ended.
  void remove_connection(const ConnectionControl* control);
  std::size_t connection_count() const;

  void begin_shutdown(std::chrono::milliseconds grace, std::function<void()> done);
  // Posts force to every registered connection; used after the grace period and on destruction.
  void force_close_all();
  void close_acceptor();

  // Access-log line and metrics for one exchange. Thread-safe.
  void record(const RequestRecord& r) const;

 private:
  void finish_locked(std::unique_lock<std::mutex>& lock);

  mutable std::mutex mu_;
  std::unordered_map<const ConnectionControl*, std::shared_ptr<ConnectionControl>> connections_;
  std::unordered_map<std::string, std::size_t> per_address_;  // open connections by address key
  std::vector<std::function<void()>> done_;
  bool finished_ = false;
  std::optional<asio::steady_timer> grace_timer_;
};

// Serves one accepted connection until it ends. Registers itself with the state.
void spawn_connection(std::shared_ptr<HttpServer::State> state, asio::ip::tcp::socket socket);

}  // namespace ccteams::http
