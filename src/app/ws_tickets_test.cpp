#include "app/ws_tickets.hpp"

#include <gtest/gtest.h>

#include "app/testing/fake_clock.hpp"
#include "app/testing/fakes.hpp"

namespace ccteams {
namespace {

using namespace std::chrono_literals;
constexpr Timestamp kT0{Millis{1'800'000'000'000}};

struct WsTicketsFixture : ::testing::Test {
  testing::CountingTokens tokens;
  FakeClock clock{kT0};
  WsTickets tickets{tokens, clock, WsTicketOptions{30s, 4, 2}};
};

TEST_F(WsTicketsFixture, ATicketNamesItsSessionOnce) {
  auto t = tickets.issue("session-a");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->expires_at, kT0 + 30s);
  EXPECT_EQ(tickets.redeem(t->ticket).value(), "session-a");
  auto again = tickets.redeem(t->ticket);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::unauthenticated);
}

TEST_F(WsTicketsFixture, ExpiredAndUnknownTicketsAreRefused) {
  auto t = tickets.issue("session-a");
  ASSERT_TRUE(t);
  clock.advance(30s);
  auto late = tickets.redeem(t->ticket);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, Errc::unauthenticated);
  EXPECT_NE(late.error().message.find("expired"), std::string::npos);
  EXPECT_FALSE(tickets.redeem("never-issued"));
  EXPECT_FALSE(tickets.redeem(""));
}

TEST_F(WsTicketsFixture, UnusedTicketsAreBoundedPerSessionAndInTotal) {
  ASSERT_TRUE(tickets.issue("a"));
  ASSERT_TRUE(tickets.issue("a"));
  auto third = tickets.issue("a");
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, Errc::rate_limited);
  ASSERT_TRUE(tickets.issue("b"));
  ASSERT_TRUE(tickets.issue("c"));
  EXPECT_FALSE(tickets.issue("d"));  // 4 outstanding in total
  // Expired ones stop counting.
  clock.advance(31s);
  EXPECT_TRUE(tickets.issue("d"));
  EXPECT_EQ(tickets.outstanding(), 1u);
}

}  // namespace
}  // namespace ccteams
