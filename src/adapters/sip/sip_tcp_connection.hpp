#pragma once
// One SIP connection over TCP (RFC 3261 §18.3): reads the byte stream, frames it into messages
// by Content-Length (core/sip/sip_parser.hpp, frame_stream_message), and writes with one write
// in flight (STYLE.md §8). What a message means, and when the connection is idle, is the
// server's business (sip_server.hpp).
//
// Thread-safety: every call, and every callback, on the strand the socket was made on.

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "app/ports/scheduler.hpp"
#include "core/sip/sip_error.hpp"
#include "core/time.hpp"

namespace ccteams::sip {

class SipTcpConnection : public std::enable_shared_from_this<SipTcpConnection> {
 public:
  struct Callbacks {
    std::function<void()> activity;                 // bytes arrived (keep-alives too)
    std::function<void(std::string_view)> message;  // one framed message, its body included
    // The stream cannot be framed (400 missing or bad Content-Length, 513 too large): `buffer`
    // holds what arrived, so the server may answer before the connection closes.
    std::function<void(const SipParseError&, std::string_view buffer)> framing_error;
    std::function<void()> closed;  // once, whoever closed it
  };

  SipTcpConnection(boost::asio::ip::tcp::socket socket, std::size_t max_message_bytes);

  void start(Callbacks callbacks);
  // Queues one serialised message; dropped when the connection is closed or closing.
  void send(std::string data);
  // Closes once what is queued is written (an error answer goes out before the close).
  void close_after_writes();
  void close();
  bool is_open() const { return open_; }
  const boost::asio::ip::tcp::endpoint& remote() const { return remote_; }
  const boost::asio::ip::tcp::endpoint& local() const { return local_; }

  // The server's idle timer for this connection (replaced on activity, cancelled on close),
  // and when it last saw a byte either way.
  std::unique_ptr<TimerHandle> idle_timer;
  Timestamp last_activity{};

 private:
  void read_next();
  void on_read(std::size_t n);
  void write_next();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::ip::tcp::endpoint remote_;
  boost::asio::ip::tcp::endpoint local_;
  std::size_t max_message_bytes_;
  Callbacks callbacks_;
  std::string buffer_;               // received, not yet framed
  std::array<char, 16384> chunk_{};  // one read
  std::deque<std::string> outbox_;   // front() is being written
  bool open_ = true;
  bool closing_ = false;
};

}  // namespace ccteams::sip
