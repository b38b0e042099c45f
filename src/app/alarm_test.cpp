// Alarm, Periodic and SimulatedTime: the time port's wait, loop and simulated clock.
#include "app/alarm.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <vector>

#include "app/periodic.hpp"
#include "app/testing/simulated_time.hpp"

namespace ccteams {
namespace {

namespace asio = boost::asio;
using testing::SimulatedTime;
constexpr Timestamp kT0{Millis{1'800'000'000'000}};

TEST(SimulatedTime, RunsTimersInDeadlineOrderWithNowAtEachDeadline) {
  SimulatedTime time(kT0);
  std::vector<std::pair<int, Timestamp>> ran;
  std::unique_ptr<TimerHandle> scheduled_while_running;
  auto a = time.schedule(kT0 + Millis{300}, [&] { ran.emplace_back(3, time.now()); });
  auto b = time.schedule(kT0 + Millis{100}, [&] {
    ran.emplace_back(1, time.now());
    // Scheduled while running, due before the next: runs in this same advance.
    scheduled_while_running =
        time.schedule(kT0 + Millis{200}, [&] { ran.emplace_back(2, time.now()); });
  });
  auto gone = time.schedule(kT0 + Millis{150}, [&] { ran.emplace_back(99, time.now()); });
  gone->cancel();
  time.advance(Millis{250});
  ASSERT_EQ(ran.size(), 2U);
  EXPECT_EQ(ran[0], std::make_pair(1, kT0 + Millis{100}));
  EXPECT_EQ(ran[1], std::make_pair(2, kT0 + Millis{200}));
  EXPECT_EQ(time.now(), kT0 + Millis{250});
  time.advance(Millis{50});
  ASSERT_EQ(ran.size(), 3U);
  EXPECT_EQ(ran[2], std::make_pair(3, kT0 + Millis{300}));
  EXPECT_EQ(time.pending(), 0U);
}

// An hour of a loop waking every 10 s, on simulated time: 360 rounds, each at its instant.
TEST(Alarm, WaitsUntilTheDeadlineOnSimulatedTime) {
  asio::io_context io;
  SimulatedTime time(kT0);
  auto strand = asio::make_strand(io);
  Alarm alarm(strand, time);
  std::vector<Timestamp> rounds;
  asio::co_spawn(
      strand,
      [&]() -> asio::awaitable<void> {
        for (;;) {
          auto woke = co_await alarm.wait_until(time.now() + Millis{10'000});
          if (woke == Alarm::Woke::stopped) break;
          EXPECT_EQ(woke, Alarm::Woke::deadline);
          rounds.push_back(time.now());
        }
      },
      asio::detached);
  time.run_for(io, std::chrono::hours(1));
  ASSERT_EQ(rounds.size(), 360U);
  EXPECT_EQ(rounds.front(), kT0 + Millis{10'000});
  EXPECT_EQ(rounds.back(), kT0 + std::chrono::hours(1));
  alarm.stop();
  SimulatedTime::drain(io);
  EXPECT_EQ(time.pending(), 0U);
}

TEST(Alarm, WakeEndsTheWaitAtOnceAndIsNotLostWhenNothingWaits) {
  asio::io_context io;
  SimulatedTime time(kT0);
  auto strand = asio::make_strand(io);
  Alarm alarm(strand, time);
  std::vector<std::pair<Alarm::Woke, Timestamp>> woke;
  alarm.wake();  // before anything waits: the first wait returns at once
  asio::co_spawn(
      strand,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i) {
          auto w = co_await alarm.wait_until(time.now() + Millis{60'000});
          woke.emplace_back(w, time.now());
        }
      },
      asio::detached);
  SimulatedTime::drain(io);
  ASSERT_EQ(woke.size(), 1U);
  EXPECT_EQ(woke[0], std::make_pair(Alarm::Woke::woken, kT0));
  time.run_for(io, Millis{5'000});
  alarm.wake();
  SimulatedTime::drain(io);
  ASSERT_EQ(woke.size(), 2U);
  EXPECT_EQ(woke[1], std::make_pair(Alarm::Woke::woken, kT0 + Millis{5'000}));
  // The first wait's timer was cancelled: only the third wait's deadline ends it.
  time.run_for(io, Millis{60'000});
  ASSERT_EQ(woke.size(), 3U);
  EXPECT_EQ(woke[2], std::make_pair(Alarm::Woke::deadline, kT0 + Millis{65'000}));
}

TEST(Periodic, RunsEveryIntervalUntilStoppedAndPokeRunsAtOnce) {
  asio::io_context io;
  SimulatedTime time(kT0);
  std::vector<Timestamp> steps;
  bool before_ran = false;
  Periodic loop(
      io.get_executor(), time, time, Millis{30'000},
      [&]() -> asio::awaitable<void> {
        steps.push_back(time.now());
        co_return;
      },
      "test loop");
  loop.start(Periodic::First::after_interval, [&]() -> asio::awaitable<void> {
    before_ran = true;
    co_return;
  });
  time.run_for(io, Millis{95'000});
  EXPECT_TRUE(before_ran);
  ASSERT_EQ(steps.size(), 3U);
  EXPECT_EQ(steps[0], kT0 + Millis{30'000});
  EXPECT_EQ(steps[2], kT0 + Millis{90'000});
  loop.poke();
  SimulatedTime::drain(io);
  ASSERT_EQ(steps.size(), 4U);
  EXPECT_EQ(steps[3], kT0 + Millis{95'000});
  loop.stop();
  time.run_for(io, Millis{120'000});
  EXPECT_EQ(steps.size(), 4U);
}

}  // namespace
}  // namespace ccteams
