#pragma once
// Test support for the HTTP server tests: a server on 127.0.0.1:0 driven by two I/O threads, and
// a wire-level client (Beast over its own io_context) whose every operation has a deadline, so
// a misbehaving server fails a test instead of hanging it.

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http/http_server.hpp"
#include "adapters/http/router.hpp"

namespace ccteams::http::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using namespace std::chrono_literals;

using ClientResponse = bhttp::response<bhttp::string_body>;

class ServerHarness {
 public:
  ServerHarness(const Router& router, ServerOptions options)
      : server_(std::make_unique<HttpServer>(ioc_, router, std::move(options))) {
    auto port = server_->listen("127.0.0.1", 0);
    if (!port) throw std::runtime_error("listen failed: " + port.error().message);
    port_ = *port;
    server_->start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~ServerHarness() {
    shutdown_and_wait(200ms, 5s);
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_) t.join();
    server_.reset();
  }
  std::uint16_t port() const { return port_; }
  HttpServer& server() { return *server_; }
  asio::io_context& ioc() { return ioc_; }

  // Runs shutdown and waits for done; returns false if done did not come within limit.
  bool shutdown_and_wait(std::chrono::milliseconds grace, std::chrono::milliseconds limit) {
    auto done = std::make_shared<std::promise<void>>();
    server_->shutdown(grace, [done] { done->set_value(); });
    return done->get_future().wait_for(limit) == std::future_status::ready;
  }

 private:
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
  std::vector<std::thread> threads_;
};

// One TCP connection to the server under test. Not thread-safe.
class WireClient {
 public:
  // source: the local address to connect from (any of 127.0.0.0/8 on Linux), to look like
  // another client; empty: the system's choice.
  explicit WireClient(std::uint16_t port, const std::string& source = {}) : stream_(ioc_) {
    if (!source.empty()) {
      stream_.socket().open(asio::ip::tcp::v4());
      stream_.socket().bind(asio::ip::tcp::endpoint(asio::ip::make_address(source), 0));
    }
    stream_.expires_after(5s);
    boost::system::error_code result = asio::error::would_block;
    stream_.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                          [&](boost::system::error_code ec) { result = ec; });
    run();
    if (result) throw std::runtime_error("connect failed: " + result.message());
  }

  // Writes every byte; returns the error (none on success).
  boost::system::error_code send(const std::string& bytes,
                                 std::chrono::milliseconds timeout = 5s) {
    stream_.expires_after(timeout);
    boost::system::error_code result = asio::error::would_block;
    asio::async_write(stream_, asio::buffer(bytes),
                      [&](boost::system::error_code ec, std::size_t) { result = ec; });
    run();
    return result;
  }

  // Reads one response; nullopt (and error() set) on failure or timeout.
  std::optional<ClientResponse> read(bool head = false, std::chrono::milliseconds timeout = 5s) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 << 20);
    parser.skip(head);
    stream_.expires_after(timeout);
    error_ = asio::error::would_block;
    bhttp::async_read(stream_, buffer_, parser,
                      [&](boost::system::error_code ec, std::size_t) { error_ = ec; });
    run();
    if (error_) return std::nullopt;
    return parser.release();
  }

  std::optional<ClientResponse> request(const std::string& method, const std::string& target,
                                        const std::string& body = {},
                                        const std::vector<std::pair<std::string, std::string>>&
                                            headers = {}) {
    std::string raw = method + " " + target + " HTTP/1.1\r\nHost: test\r\n";
    for (const auto& [k, v] : headers) raw += k + ": " + v + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    raw += "\r\n" + body;
    if (send(raw)) return std::nullopt;
    return read(method == "HEAD");
  }

  // True when the server closes the connection within timeout without sending anything more.
  bool closed_by_peer(std::chrono::milliseconds timeout) {
    stream_.expires_after(timeout);
    char byte = 0;
    boost::system::error_code result = asio::error::would_block;
    std::size_t got = 0;
    stream_.async_read_some(asio::buffer(&byte, 1),
                            [&](boost::system::error_code ec, std::size_t n) {
                              result = ec;
                              got = n;
                            });
    run();
    return got == 0 && (result == asio::error::eof || result == asio::error::connection_reset);
  }

  const boost::system::error_code& error() const { return error_; }
  beast::tcp_stream& stream() { return stream_; }
  beast::flat_buffer& buffer() { return buffer_; }
  void run() {
    ioc_.restart();
    ioc_.run();
  }

 private:
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  boost::system::error_code error_;
};

// One request on a fresh connection.
inline std::optional<ClientResponse> fetch(std::uint16_t port, const std::string& method,
                                           const std::string& target,
                                           const std::string& body = {},
                                           const std::vector<std::pair<std::string, std::string>>&
                                               headers = {}) {
  WireClient client(port);
  return client.request(method, target, body, headers);
}

}  // namespace ccteams::http::testing
