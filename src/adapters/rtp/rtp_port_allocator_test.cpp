#include "adapters/rtp/rtp_port_allocator.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

namespace ccteams::rtp {
namespace {

namespace net = boost::asio;
using net::ip::udp;
const net::ip::address kLoopback = net::ip::make_address("127.0.0.1");

// Another program may hold some ports of the range: the tests count what they get.
TEST(RtpPortAllocator, HandsOutEvenPortsOfTheRangeUntilExhausted) {
  net::io_context io;
  auto ports = RtpPortAllocator::create(kLoopback, 41001, 41020);  // 41002..41020: 10
  EXPECT_EQ(ports->size(), 10u);
  std::vector<RtpPort> open;
  for (;;) {
    auto p = ports->open(io.get_executor());
    if (!p) {
      EXPECT_EQ(p.error().code, Errc::unavailable);
      EXPECT_NE(p.error().message.find("no free RTP port in 41001-41020 on 127.0.0.1"),
                std::string::npos)
          << p.error().message;
      break;
    }
    EXPECT_EQ(p->port() % 2, 0) << p->port();
    EXPECT_GE(p->port(), 41002);
    EXPECT_LE(p->port(), 41020);
    EXPECT_EQ(p->socket().local_endpoint().port(), p->port());
    open.push_back(std::move(*p));
    ASSERT_LE(open.size(), 10u);
  }
  EXPECT_GE(open.size(), 1u);
  EXPECT_EQ(ports->in_use(), open.size());
  open.clear();
  EXPECT_EQ(ports->in_use(), 0u);
}

TEST(RtpPortAllocator, OpeningAndClosingManyLeaksNothing) {
  net::io_context io;
  auto ports = RtpPortAllocator::create(kLoopback, 41100, 41119);
  std::size_t first_round = 0;
  for (int round = 0; round < 200; ++round) {
    std::vector<RtpPort> open;
    while (auto p = ports->open(io.get_executor())) open.push_back(std::move(*p));
    if (round == 0) first_round = open.size();
    // Every round gets the same ports back (another program aside).
    EXPECT_GE(open.size() + 1, first_round) << "round " << round;
    EXPECT_EQ(ports->in_use(), open.size());
    // Half closed explicitly, half by destruction.
    for (std::size_t i = 0; i < open.size(); i += 2) open[i].close();
  }
  EXPECT_GE(first_round, 1u);
  EXPECT_EQ(ports->in_use(), 0u);
}

TEST(RtpPortAllocator, SkipsAPortAnotherProgramHolds) {
  net::io_context io;
  udp::socket other(io, udp::v4());
  boost::system::error_code ec;
  other.bind(udp::endpoint(kLoopback, 41200), ec);  // if it fails, someone else holds it
  auto ports = RtpPortAllocator::create(kLoopback, 41200, 41202);
  auto p = ports->open(io.get_executor());
  if (p) {
    EXPECT_EQ(p->port(), 41202);
  }
  auto none = ports->open(io.get_executor());
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("held by other programs"), std::string::npos)
      << none.error().message;
}

TEST(RtpPortAllocator, AClosedPortGoesToTheBackOfTheLine) {
  net::io_context io;
  auto ports = RtpPortAllocator::create(kLoopback, 41300, 41309);
  auto a = ports->open(io.get_executor());
  ASSERT_TRUE(a) << a.error().message;
  const auto first = a->port();
  a->close();
  auto b = ports->open(io.get_executor());
  ASSERT_TRUE(b) << b.error().message;
  // A late packet of the call that just ended does not reach the next call.
  EXPECT_NE(b->port(), first);
}

}  // namespace
}  // namespace ccteams::rtp
