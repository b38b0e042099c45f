#include "adapters/sip/sip_tcp_connection.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <utility>

#include "core/sip/sip_parser.hpp"

namespace ccteams::sip {
namespace net = boost::asio;
using net::ip::tcp;

SipTcpConnection::SipTcpConnection(tcp::socket socket, std::size_t max_message_bytes)
    : socket_(std::move(socket)), max_message_bytes_(max_message_bytes) {
  boost::system::error_code ec;
  remote_ = socket_.remote_endpoint(ec);
  local_ = socket_.local_endpoint(ec);
  // Each write is a whole message: Nagle would hold a 404 behind the 100 before it until the
  // peer's delayed ACK (up to 40 ms on Linux).
  socket_.set_option(tcp::no_delay(true), ec);
}

void SipTcpConnection::start(Callbacks callbacks) {
  callbacks_ = std::move(callbacks);
  read_next();
}

void SipTcpConnection::read_next() {
  socket_.async_read_some(net::buffer(chunk_),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                            if (!self->open_) return;
                            if (ec) {  // the peer closed, reset, or we were cancelled
                              self->close();
                              return;
                            }
                            self->on_read(n);
                          });
}

void SipTcpConnection::on_read(std::size_t n) {
  buffer_.append(chunk_.data(), n);
  if (callbacks_.activity) callbacks_.activity();
  while (open_ && !closing_) {
    auto frame = frame_stream_message(buffer_, max_message_bytes_);
    if (!frame) {
      // Nothing after a framing error can be trusted to start a message (§18.3).
      if (callbacks_.framing_error) callbacks_.framing_error(frame.error(), buffer_);
      close_after_writes();
      return;
    }
    if (!*frame) break;  // more bytes needed
    const std::string message = buffer_.substr((*frame)->skip, (*frame)->length);
    buffer_.erase(0, (*frame)->skip + (*frame)->length);
    if (callbacks_.message) callbacks_.message(message);
  }
  if (open_ && !closing_) read_next();
}

void SipTcpConnection::send(std::string data) {
  if (!open_ || closing_) return;
  outbox_.push_back(std::move(data));
  if (outbox_.size() == 1) write_next();
}

void SipTcpConnection::write_next() {
  net::async_write(socket_, net::buffer(outbox_.front()),
                   [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                     if (!self->open_) return;
                     self->outbox_.pop_front();
                     if (ec) {
                       self->close();
                     } else if (!self->outbox_.empty()) {
                       self->write_next();
                     } else if (self->closing_) {
                       self->close();
                     }
                   });
}

void SipTcpConnection::close_after_writes() {
  closing_ = true;
  if (outbox_.empty()) close();
}

void SipTcpConnection::close() {
  if (!open_) return;
  open_ = false;
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  outbox_.clear();
  idle_timer.reset();
  // The callbacks stay: close() may run inside one of them.
  if (auto closed = std::move(callbacks_.closed)) closed();
}

}  // namespace ccteams::sip
