#pragma once
// Test support: a UDP peer on loopback that drives a SipServer on simulated time by hand
// (udp_sip_server_test.cpp, sip_registrar_test.cpp).

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "adapters/sip/sip_server.hpp"
#include "app/testing/simulated_time.hpp"
#include "core/sip/sip_parser.hpp"

namespace ccteams::sip {

inline const Timestamp kUdpPeerT0 = from_unix_millis(1'800'000'000'000);

// A UDP peer on loopback, driven by hand against a server on simulated time.
struct UdpSipPeer {
  boost::asio::io_context io;
  testing::SimulatedTime time{kUdpPeerT0};
  std::shared_ptr<SipServer> server = SipServer::create(io, time, time, default_answer);
  boost::asio::ip::udp::endpoint server_at;
  boost::asio::ip::udp::socket client{
      io, boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)};

  UdpSipPeer() {
    auto bound = server->start_udp(
        boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    EXPECT_TRUE(bound) << bound.error().message;
    server_at = *bound;
    client.non_blocking(true);
  }
  ~UdpSipPeer() {
    server->stop();
    testing::SimulatedTime::drain(io);
  }

  std::string request(const std::string& method, const std::string& branch,
                      const std::string& extra = "") {
    const std::string port = std::to_string(client.local_endpoint().port());
    return method +
           " sip:+4930999999@127.0.0.1 SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:" +
           port + ";branch=" + branch +
           ";rport\r\n"
           "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:+4930999999@127.0.0.1>\r\n" +
           extra + "Call-ID: c-" + branch + "\r\nCSeq: 1 " + method +
           "\r\nContent-Length: 0\r\n\r\n";
  }
  void send(const std::string& text) {
    client.send_to(boost::asio::buffer(text), server_at);
    testing::SimulatedTime::drain(io);
  }
  // The next datagram for the client; loopback delivers at once, so a few polls suffice.
  std::optional<SipMessage> receive() {
    std::array<char, 65536> buf{};
    for (int i = 0; i < 1000; ++i) {
      testing::SimulatedTime::drain(io);
      boost::system::error_code ec;
      boost::asio::ip::udp::endpoint from;
      const std::size_t n = client.receive_from(boost::asio::buffer(buf), from, 0, ec);
      if (!ec) {
        // The structure only: a 400 to a request without Call-ID has none either.
        auto m = parse_sip_structure(std::string_view(buf.data(), n));
        EXPECT_TRUE(m) << std::string_view(buf.data(), n);
        if (m) return *m;
        return std::nullopt;
      }
      std::this_thread::yield();
    }
    return std::nullopt;
  }
  bool nothing_received() {
    testing::SimulatedTime::drain(io);
    return client.available() == 0;
  }
};

}  // namespace ccteams::sip
