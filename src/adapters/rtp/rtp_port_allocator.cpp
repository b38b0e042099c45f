#include "adapters/rtp/rtp_port_allocator.hpp"

#include <cassert>
#include <string>

namespace ccteams::rtp {

namespace net = boost::asio;
using net::ip::udp;

RtpPort::RtpPort(std::unique_ptr<udp::socket> socket, std::uint16_t port,
                 std::weak_ptr<RtpPortAllocator> owner)
    : socket_(std::move(socket)), port_(port), owner_(std::move(owner)) {}

RtpPort::RtpPort(RtpPort&& o) noexcept
    : socket_(std::move(o.socket_)), port_(o.port_), owner_(std::move(o.owner_)) {
  o.owner_.reset();
}

RtpPort& RtpPort::operator=(RtpPort&& o) noexcept {
  if (this != &o) {
    close();
    socket_ = std::move(o.socket_);
    port_ = o.port_;
    owner_ = std::move(o.owner_);
    o.owner_.reset();
  }
  return *this;
}

RtpPort::~RtpPort() { close(); }

void RtpPort::close() {
  if (socket_) {
    boost::system::error_code ignored;
    socket_->close(ignored);
  }
  // The port goes back only once the socket no longer holds it.
  if (auto owner = owner_.lock()) owner->release(port_);
  owner_.reset();
}

Result<RtpPort> RtpPort::bind_any(const net::any_io_executor& executor,
                                  const net::ip::address& address) {
  auto socket = std::make_unique<udp::socket>(executor);
  boost::system::error_code ec;
  socket->open(address.is_v6() ? udp::v6() : udp::v4(), ec);
  if (!ec) socket->bind(udp::endpoint(address, 0), ec);
  if (ec) {
    return make_error(Errc::unavailable,
                      "cannot bind an RTP socket on " + address.to_string() + ": " + ec.message());
  }
  const auto port = socket->local_endpoint().port();
  return RtpPort(std::move(socket), port, {});
}

std::shared_ptr<RtpPortAllocator> RtpPortAllocator::create(net::ip::address address,
                                                           std::uint16_t first,
                                                           std::uint16_t last) {
  return std::shared_ptr<RtpPortAllocator>(new RtpPortAllocator(address, first, last));
}

RtpPortAllocator::RtpPortAllocator(net::ip::address address, std::uint16_t first,
                                   std::uint16_t last)
    : address_(address), first_(first), last_(last), ports_(0) {
  assert(first <= last);
  for (std::uint32_t p = first + (first & 1u); p <= last; p += 2) {
    free_.push_back(static_cast<std::uint16_t>(p));
  }
  ports_ = free_.size();
}

Result<RtpPort> RtpPortAllocator::open(const net::any_io_executor& executor) {
  std::lock_guard lock(mu_);
  std::size_t held_elsewhere = 0;
  // Each free port once, in order; one another program holds goes to the back for later.
  for (std::size_t tries = free_.size(); tries > 0; --tries) {
    const std::uint16_t port = free_.front();
    free_.pop_front();
    auto socket = std::make_unique<udp::socket>(executor);
    boost::system::error_code ec;
    socket->open(address_.is_v6() ? udp::v6() : udp::v4(), ec);
    if (!ec) socket->bind(udp::endpoint(address_, port), ec);
    if (ec) {
      free_.push_back(port);
      ++held_elsewhere;
      continue;
    }
    leased_.insert(port);
    return RtpPort(std::move(socket), port, weak_from_this());
  }
  return make_error(Errc::unavailable,
                    "no free RTP port in " + std::to_string(first_) + "-" +
                        std::to_string(last_) + " on " + address_.to_string() + ": " +
                        std::to_string(leased_.size()) + " in use by calls, " +
                        std::to_string(held_elsewhere) +
                        " held by other programs; widen the RTP port range");
}

void RtpPortAllocator::release(std::uint16_t port) {
  std::lock_guard lock(mu_);
  if (leased_.erase(port) == 1) free_.push_back(port);
}

std::size_t RtpPortAllocator::in_use() const {
  std::lock_guard lock(mu_);
  return leased_.size();
}

}  // namespace ccteams::rtp
