#pragma once
// A blocking client of the events WebSocket for the integration tests: a reader thread keeps
// every message (parsed JSON objects) and how the connection ended.
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ccteams::testing {

namespace event_client_detail {
namespace json = boost::json;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using namespace std::chrono_literals;

// A blocking WebSocket client with a reader thread; messages are parsed JSON objects.
class EventClient {
 public:
  EventClient(std::uint16_t port, const std::string& target,
              const std::string& bearer = {}) : ws_(ioc_) {
    tcp::resolver resolver(ioc_);
    boost::asio::connect(ws_.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
    ws_.set_option(websocket::stream_base::decorator([bearer](websocket::request_type& req) {
      if (!bearer.empty()) req.set(beast::http::field::authorization, "Bearer " + bearer);
    }));
    ws_.handshake("127.0.0.1", target);
    reader_ = std::thread([this] { read_loop(); });
  }
  ~EventClient() {
    ::shutdown(ws_.next_layer().native_handle(), SHUT_RDWR);  // unblocks the reader
    reader_.join();
  }

  // Waits up to timeout for a message matching pred (messages are kept, not consumed).
  std::optional<json::object> wait_for(const std::function<bool(const json::object&)>& pred,
                                       std::chrono::milliseconds timeout = 15s) {
    std::unique_lock lock(mu_);
    std::optional<json::object> found;
    cv_.wait_for(lock, timeout, [&] {
      for (const auto& m : messages_) {
        if (pred(m)) {
          found = m;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  std::vector<json::object> messages() {
    std::lock_guard lock(mu_);
    return {messages_.begin(), messages_.end()};
  }
  // Waits up to timeout for the connection to end; the server's close frame (code 0 when the
  // connection ended without one), or nullopt while it is still open.
  std::optional<websocket::close_reason> wait_closed(std::chrono::milliseconds timeout = 15s) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return ended_; })) return std::nullopt;
    return close_;
  }

 private:
  void read_loop() {
    for (;;) {
      beast::flat_buffer buf;
      beast::error_code ec;
      ws_.read(buf, ec);
      if (ec) {
        std::lock_guard lock(mu_);
        close_ = ws_.reason();
        ended_ = true;
        cv_.notify_all();
        return;
      }
      auto v = json::parse(beast::buffers_to_string(buf.data()), ec);
      if (ec || !v.is_object()) continue;
      std::lock_guard lock(mu_);
      messages_.push_back(v.as_object());
      cv_.notify_all();
    }
  }

  boost::asio::io_context ioc_;
  websocket::stream<tcp::socket> ws_;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<json::object> messages_;
  bool ended_ = false;
  websocket::close_reason close_;
};

}  // namespace event_client_detail

using event_client_detail::EventClient;

}  // namespace ccteams::testing
