#pragma once
// RTP ports for calls (RFC 3550 §11: RTP on an even port): a configured range, each port bound
// for real before it is handed out (another program may hold some), given back when its RtpPort
// closes. Handing out the least recently used port first keeps a late packet of the previous
// call from reaching the next one. No RTCP socket is opened on port + 1 (we send no RTCP yet);
// the odd ports are left alone so that one can be added.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>

#include "core/result.hpp"

namespace ccteams::rtp {

class RtpPortAllocator;

// A bound UDP socket and, when it came from an allocator, its port's lease. Move-only; the
// destructor or close() closes the socket and gives the port back.
class RtpPort {
 public:
  RtpPort() = default;
  // A socket on `address`, port 0 (the system picks): for tests and benches, no allocator.
  static Result<RtpPort> bind_any(const boost::asio::any_io_executor& executor,
                                  const boost::asio::ip::address& address);
  RtpPort(RtpPort&&) noexcept;
  RtpPort& operator=(RtpPort&&) noexcept;
  RtpPort(const RtpPort&) = delete;
  RtpPort& operator=(const RtpPort&) = delete;
  ~RtpPort();

  boost::asio::ip::udp::socket& socket() { return *socket_; }
  const boost::asio::ip::udp::socket& socket() const { return *socket_; }
  std::uint16_t port() const { return port_; }
  bool is_open() const { return socket_ && socket_->is_open(); }
  void close();

 private:
  friend class RtpPortAllocator;
  RtpPort(std::unique_ptr<boost::asio::ip::udp::socket> socket, std::uint16_t port,
          std::weak_ptr<RtpPortAllocator> owner);
  std::unique_ptr<boost::asio::ip::udp::socket> socket_;
  std::uint16_t port_ = 0;
  std::weak_ptr<RtpPortAllocator> owner_;
};

// Thread-safety: open() and the leases' release may run on any thread.
class RtpPortAllocator : public std::enable_shared_from_this<RtpPortAllocator> {
 public:
  // The even ports in [first, last] on `address`. Asserts first <= last.
  static std::shared_ptr<RtpPortAllocator> create(boost::asio::ip::address address,
                                                  std::uint16_t first, std::uint16_t last);

  // A socket bound to a free even port of the range, its handlers on `executor`. Error
  // (unavailable): every port of the range is in use by a call or held by another program.
  Result<RtpPort> open(const boost::asio::any_io_executor& executor);

  std::size_t in_use() const;
  std::size_t size() const { return ports_; }

 private:
  RtpPortAllocator(boost::asio::ip::address address, std::uint16_t first, std::uint16_t last);
  friend class RtpPort;
  void release(std::uint16_t port);

  boost::asio::ip::address address_;
  std::uint16_t first_;
  std::uint16_t last_;
  std::size_t ports_;
  mutable std::mutex mu_;
  std::deque<std::uint16_t> free_;  // least recently released first
  std::set<std::uint16_t> leased_;
};

}  // namespace ccteams::rtp
