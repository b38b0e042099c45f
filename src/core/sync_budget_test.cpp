// The shared presence request budget (sync_budget.hpp): window, share, throttling and recovery.

#include "core/sync_budget.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/sync_outbound.hpp"
#include "core/sync_polling.hpp"

namespace ccteams::sync {
namespace {

using std::chrono::seconds;

const Timestamp kT0 = from_unix_millis(1'790'000'000'000);

PresenceBudgetConfig small(int limit, int share_percent = 100) {
  PresenceBudgetConfig c;
  c.graph_limit = limit;
  c.share_percent = share_percent;
  return c;
}

struct ShareCase {
  std::string name;
  int limit;
  int share_percent;
  int reserve_percent;
  int share;
  int read_allowance;
};
void PrintTo(const ShareCase& c, std::ostream* os) { *os << c.name; }

class BudgetShareTable : public ::testing::TestWithParam<ShareCase> {};

TEST_P(BudgetShareTable, ComputesShareAndReadAllowance) {
  const auto& c = GetParam();
  auto cfg = small(c.limit, c.share_percent);
  cfg.write_reserve_percent = c.reserve_percent;
  PresenceBudget b(cfg);
  EXPECT_EQ(b.share(), c.share);
  EXPECT_EQ(b.allowance(kT0), c.share);
  EXPECT_EQ(b.read_allowance(kT0), c.read_allowance);
}

INSTANTIATE_TEST_SUITE_P(Cases, BudgetShareTable,
                         ::testing::Values(ShareCase{"HalfOfApiPages", 1500, 50, 10, 750, 675},
                                           ShareCase{"CurrentLimitsPage", 10000, 50, 10, 5000,
                                                     4500},
                                           ShareCase{"NoReserve", 1500, 100, 0, 1500, 1500},
                                           ShareCase{"TinyShareKeepsOne", 1, 1, 90, 1, 1}),
                         [](const auto& tp) { return tp.param.name; });

TEST(PresenceBudget, NeverGrantsMoreThanTheShareInAnyWindow) {
  PresenceBudget b(small(10));
  int granted = 0;
  // Try every 100 ms for 90 s: at most 10 in any 30 s window.
  std::vector<Timestamp> grants;
  for (int ms = 0; ms < 90'000; ms += 100) {
    if (b.try_take(kT0 + Millis{ms})) grants.push_back(kT0 + Millis{ms});
  }
  granted = static_cast<int>(grants.size());
  EXPECT_EQ(granted, 30);
  for (std::size_t i = 10; i < grants.size(); ++i) {
    EXPECT_GE(grants[i] - grants[i - 10], Millis{30'000});
  }
}

TEST(PresenceBudget, NextAvailableIsWhenTheOldestGrantLeavesTheWindow) {
  PresenceBudget b(small(3));
  ASSERT_TRUE(b.try_take(kT0));
  ASSERT_TRUE(b.try_take(kT0 + seconds{1}));
  ASSERT_TRUE(b.try_take(kT0 + seconds{2}));
  EXPECT_FALSE(b.try_take(kT0 + seconds{3}));
  EXPECT_EQ(b.next_available(kT0 + seconds{3}), kT0 + seconds{30});
  EXPECT_FALSE(b.try_take(kT0 + seconds{30} - Millis{1}));
  EXPECT_TRUE(b.try_take(kT0 + seconds{30}));
  EXPECT_EQ(b.used(kT0 + seconds{30}), 3);
}

TEST(PresenceBudget, ThrottleHonoursRetryAfterThenHalvesTheRate) {
  PresenceBudget b(small(80));
  b.on_throttled(kT0, seconds{5});
  EXPECT_EQ(b.next_available(kT0), kT0 + seconds{5});
  EXPECT_FALSE(b.try_take(kT0 + seconds{4}));
  EXPECT_EQ(b.allowance(kT0 + seconds{5}), 40);
  // The rate doubles back every recovery_interval (10 s) after the block.
  EXPECT_EQ(b.allowance(kT0 + seconds{15}), 80);
  EXPECT_TRUE(b.try_take(kT0 + seconds{5}));
}

TEST(PresenceBudget, RepeatedThrottlesGoDownToTheFloorAndRecoverStepByStep) {
  PresenceBudget b(small(80));
  for (int i = 0; i < 5; ++i) b.on_throttled(kT0, seconds{1});
  const Timestamp unblock = kT0 + seconds{1};
  EXPECT_EQ(b.allowance(unblock), 10);  // 80 / 8: min_rate_divisor
  EXPECT_EQ(b.allowance(unblock + seconds{10}), 20);
  EXPECT_EQ(b.allowance(unblock + seconds{20}), 40);
  EXPECT_EQ(b.allowance(unblock + seconds{30}), 80);
}

TEST(PresenceBudget, WithoutRetryAfterBacksOffExponentiallyUntilASuccess) {
  PresenceBudget b(small(80));
  b.on_throttled(kT0, std::nullopt);
  EXPECT_EQ(b.next_available(kT0), kT0 + seconds{1});
  b.on_throttled(kT0 + seconds{1}, std::nullopt);
  EXPECT_EQ(b.next_available(kT0 + seconds{1}), kT0 + seconds{3});
  b.on_throttled(kT0 + seconds{3}, std::nullopt);
  EXPECT_EQ(b.next_available(kT0 + seconds{3}), kT0 + seconds{7});
  b.on_success();
  b.on_throttled(kT0 + seconds{7}, std::nullopt);
  EXPECT_EQ(b.next_available(kT0 + seconds{7}), kT0 + seconds{8});
}

TEST(PresenceBudget, RecoveringRateIsOfferedAsTheNextTime) {
  PresenceBudget b(small(4));
  b.on_throttled(kT0, seconds{1});  // allowance 2 until kT0+11s, then 4
  ASSERT_TRUE(b.try_take(kT0 + seconds{1}));
  ASSERT_TRUE(b.try_take(kT0 + seconds{2}));
  EXPECT_FALSE(b.try_take(kT0 + seconds{3}));
  EXPECT_EQ(b.next_available(kT0 + seconds{3}), kT0 + seconds{11});
  EXPECT_TRUE(b.try_take(kT0 + seconds{11}));
}

// Bulk reads for 10,000 users and outbound writes for 3,000 agents (5 contacts start or end a
// second), one budget, five simulated minutes with a 429 in the middle: every 30 s
// window stays within a share smaller than both want, nothing is sent while Retry-After runs, and
// both keep going.
TEST(PresenceBudget, ReadsAndWritesTogetherNeverExceedTheShare) {
  PresenceBudgetConfig config;
  config.share_percent = 30;  // 450 / 30 s: less than reads (16/s) and writes (5/s) would like
  PresenceBudget budget(config);
  PollScheduler poll({}, budget);
  std::vector<std::string> users;
  for (int i = 0; i < 10'000; ++i) users.push_back("u" + std::to_string(i));
  poll.set_users(users);
  OutboundQueue out({}, budget);
  std::vector<Timestamp> calls;
  std::size_t reads = 0;
  std::size_t writes = 0;
  const Timestamp throttle_after = kT0 + seconds{120};
  std::optional<Timestamp> throttled_at;  // the read that got the 429
  for (Timestamp now = kT0; now < kT0 + seconds{300}; now += Millis{10}) {
    const auto tick = (now - kT0).count() / 10;
    if (tick % 100 == 0) {  // every second, 5 agents start (even seconds) or end a contact
      for (int a = 0; a < 3'000; a += 600) {
        const UserId agent{a + static_cast<int>(tick / 200) % 100};
        if ((tick / 100) % 2 == 0) {
          out.want_busy(agent, now);
        } else {
          out.want_clear(agent, now);
        }
      }
    }
    while (auto step = poll.next(now).batch) {
      calls.push_back(now);
      ++reads;
      const bool throttle_now = !throttled_at && now >= throttle_after;
      if (throttle_now) throttled_at = now;
      poll.on_result(now, *step, throttle_now ? ReadOutcome::throttled : ReadOutcome::ok,
                     seconds{10});
    }
    while (auto w = out.next(now).write) {
      calls.push_back(now);
      ++writes;
      out.on_result(now, *w, WriteOutcome::ok);
    }
  }
  ASSERT_TRUE(throttled_at);
  EXPECT_GT(reads, 2'500u);  // what the writes leave of the share
  // 5 a second would be 1,500; a set still waiting for a token when its clear comes is dropped.
  EXPECT_GT(writes, 1'000u);
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const auto window_end = std::upper_bound(calls.begin(), calls.end(), calls[i] + Millis{29'999});
    EXPECT_LE(window_end - (calls.begin() + static_cast<std::ptrdiff_t>(i)), 450);
    EXPECT_FALSE(calls[i] > *throttled_at && calls[i] < *throttled_at + seconds{10});
  }
}

TEST(PresenceBudgetConfig, RejectsOutOfRangeFigures) {
  EXPECT_TRUE(validate(PresenceBudgetConfig{}));
  auto c = PresenceBudgetConfig{};
  c.share_percent = 0;
  EXPECT_FALSE(validate(c));
  c = {};
  c.write_reserve_percent = 95;
  EXPECT_FALSE(validate(c));
  c = {};
  c.window = Millis{0};
  EXPECT_FALSE(validate(c));
  c = {};
  c.graph_limit = 0;
  EXPECT_FALSE(validate(c));
}

}  // namespace
}  // namespace ccteams::sync
