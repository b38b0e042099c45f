// One decision at a time per organisation: OrgTurn hands the turn over in arrival order and
// never lets two holders overlap, even when a holder suspends (as a decision does for the store).
#include "app/org_turn.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>
#include <vector>

namespace ccteams {
namespace {

namespace asio = boost::asio;

TEST(OrgTurn, AFreeTurnIsTakenAtOnceAndFreedWhenTheHolderGoes) {
  asio::io_context io;
  OrgTurn turn;
  bool held_inside = false;
  auto body = [&]() -> asio::awaitable<void> {
    {
      const OrgTurn::Held h = co_await turn.take();
      held_inside = turn.held();
    }
    EXPECT_FALSE(turn.held());
  };
  asio::co_spawn(io, body, asio::detached);
  io.run();
  EXPECT_TRUE(held_inside);
  EXPECT_FALSE(turn.held());
}

TEST(OrgTurn, HoldersNeverOverlapAndTakeTheirTurnInArrivalOrder) {
  asio::io_context io;
  auto strand = asio::make_strand(io);
  OrgTurn turn;
  std::vector<std::string> log;
  int inside = 0;
  int most_inside = 0;
  constexpr int kDecisions = 5;
  for (int i = 0; i < kDecisions; ++i) {
    auto decision = [&, i]() -> asio::awaitable<void> {
      const OrgTurn::Held h = co_await turn.take();
      ++inside;
      most_inside = std::max(most_inside, inside);
      log.push_back("in " + std::to_string(i));
      // Suspends as a store call does: the strand runs the others meanwhile.
      co_await asio::post(strand, asio::use_awaitable);
      co_await asio::post(strand, asio::use_awaitable);
      log.push_back("out " + std::to_string(i));
      --inside;
    };
    asio::co_spawn(strand, decision, asio::detached);
  }
  io.run();
  EXPECT_EQ(most_inside, 1);
  std::vector<std::string> expected;
  for (int i = 0; i < kDecisions; ++i) {
    expected.push_back("in " + std::to_string(i));
    expected.push_back("out " + std::to_string(i));
  }
  EXPECT_EQ(log, expected);
  EXPECT_FALSE(turn.held());
  EXPECT_EQ(turn.waiting(), 0u);
}

}  // namespace
}  // namespace ccteams
