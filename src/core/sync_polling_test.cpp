// The bulk-read cadence (sync_polling.hpp): batch split, spacing from the budget, failures.

#include "core/sync_polling.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace ccteams::sync {
namespace {

using std::chrono::seconds;

const Timestamp kT0 = from_unix_millis(1'790'000'000'000);

std::vector<std::string> ids(int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) out.push_back("u" + std::to_string(i));
  return out;
}

struct SplitCase {
  std::string name;
  int users;
  std::size_t batches;
  std::size_t largest;
  std::size_t smallest;
};
void PrintTo(const SplitCase& c, std::ostream* os) { *os << c.name; }
class SplitTable : public ::testing::TestWithParam<SplitCase> {};

TEST_P(SplitTable, BalancesBatchesUnderTheLimit) {
  const auto& c = GetParam();
  const auto batches = split_batches(ids(c.users), 650);
  ASSERT_EQ(batches.size(), c.batches);
  std::size_t total = 0;
  std::size_t largest = 0;
  std::size_t smallest = 1'000'000;
  for (const auto& b : batches) {
    total += b.size();
    largest = std::max(largest, b.size());
    smallest = std::min(smallest, b.size());
  }
  EXPECT_EQ(total, static_cast<std::size_t>(c.users));
  if (c.batches > 0) {
    EXPECT_EQ(largest, c.largest);
    EXPECT_EQ(smallest, c.smallest);
    EXPECT_EQ(batches.front().front(), "u0");
    EXPECT_EQ(batches.back().back(), "u" + std::to_string(c.users - 1));
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, SplitTable,
                         ::testing::Values(SplitCase{"None", 0, 0, 0, 0},
                                           SplitCase{"One", 1, 1, 1, 1},
                                           SplitCase{"ExactlyOneCall", 650, 1, 650, 650},
                                           SplitCase{"OneOver", 651, 2, 326, 325},
                                           SplitCase{"TenThousand", 10'000, 16, 625, 625},
                                           SplitCase{"TwentyThousand", 20'000, 31, 646, 645}),
                         [](const auto& tp) { return tp.param.name; });

struct CadenceCase {
  std::string name;
  int users;
  int graph_limit;
  int share_percent;
  Millis spacing;
  Millis round;
};
void PrintTo(const CadenceCase& c, std::ostream* os) { *os << c.name; }
class CadenceTable : public ::testing::TestWithParam<CadenceCase> {};

TEST_P(CadenceTable, SpacingIsTheSlowerOfTargetAndBudget) {
  const auto& c = GetParam();
  PresenceBudgetConfig bc;
  bc.graph_limit = c.graph_limit;
  bc.share_percent = c.share_percent;
  PresenceBudget budget(bc);
  PollScheduler s({}, budget);
  s.set_users(ids(c.users));
  EXPECT_EQ(s.spacing(kT0), c.spacing);
  EXPECT_EQ(s.round_interval(kT0), c.round);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CadenceTable,
    ::testing::Values(
        // 675 reads / 30 s -> 45 ms minimum; 16 batches at the 1 s target -> 62 ms.
        CadenceCase{"TenThousandAtHalfShare", 10'000, 1500, 50, Millis{62}, Millis{992}},
        // 31 batches: the budget (45 ms) wins over the target (32 ms): 1.4 s rounds.
        CadenceCase{"TwentyThousandIsBudgetBound", 20'000, 1500, 50, Millis{45}, Millis{1395}},
        // 10 % of 1,500 = 150, reads 135 / 30 s -> 223 ms per call.
        CadenceCase{"SmallShareSlowsTheRound", 10'000, 1500, 10, Millis{223}, Millis{3568}},
        CadenceCase{"OneBatchReadsOncePerSecond", 100, 1500, 50, Millis{1000}, Millis{1000}}),
    [](const auto& tp) { return tp.param.name; });

TEST(PollScheduler, ReadsEveryBatchOncePerRoundAtTheSpacing) {
  PresenceBudget budget({});
  PollScheduler s({}, budget);
  s.set_users(ids(2000));  // 4 batches of 500: 250 ms apart
  std::set<std::string> seen;
  Timestamp now = kT0;
  std::vector<Timestamp> sent;
  for (int i = 0; i < 4; ++i) {
    auto step = s.next(now);
    ASSERT_TRUE(step.batch) << i;
    EXPECT_EQ(step.batch->round, 0u);
    EXPECT_EQ(step.batch->index, static_cast<std::size_t>(i));
    seen.insert(step.batch->user_ids->begin(), step.batch->user_ids->end());
    sent.push_back(now);
    s.on_result(now, *step.batch, ReadOutcome::ok);
    EXPECT_FALSE(s.next(now).batch);  // not before the next slot
    now = step.next_at;
  }
  EXPECT_EQ(seen.size(), 2000u);
  EXPECT_EQ(sent.back() - sent.front(), Millis{750});
  EXPECT_EQ(s.rounds_completed(), 1u);
  auto step = s.next(now);
  ASSERT_TRUE(step.batch);
  EXPECT_EQ(step.batch->round, 1u);
  EXPECT_EQ(step.batch->index, 0u);
}

TEST(PollScheduler, ThrottledBatchIsReadFirstAfterRetryAfter) {
  PresenceBudget budget({});
  PollScheduler s({}, budget);
  s.set_users(ids(1300));  // 2 batches
  auto first = s.next(kT0);
  ASSERT_TRUE(first.batch);
  s.on_result(kT0, *first.batch, ReadOutcome::throttled, seconds{3});
  auto blocked = s.next(kT0 + Millis{500});
  EXPECT_FALSE(blocked.batch);
  EXPECT_EQ(blocked.next_at, kT0 + seconds{3});
  auto retry = s.next(kT0 + seconds{3});
  ASSERT_TRUE(retry.batch);
  EXPECT_TRUE(retry.batch->retry);
  EXPECT_EQ(retry.batch->index, 0u);
  EXPECT_EQ(*retry.batch->user_ids, *first.batch->user_ids);
  // The rate is halved after a 429 (750 -> 375 / 30 s) and recovers 10 s after the block.
  EXPECT_EQ(budget.allowance(kT0 + seconds{3}), 375);
  EXPECT_EQ(budget.allowance(kT0 + seconds{13}), 750);
  auto second = s.next(retry.next_at);
  ASSERT_TRUE(second.batch);
  EXPECT_EQ(second.batch->index, 1u);
}

TEST(PollScheduler, FailuresBackOffExponentiallyAndSuccessResets) {
  PresenceBudget budget({});
  PollConfig cfg;
  cfg.failure_backoff_max = seconds{4};
  PollScheduler s(cfg, budget);
  s.set_users(ids(10));
  Timestamp now = kT0;
  std::vector<Millis> pauses;
  for (int i = 0; i < 4; ++i) {
    auto step = s.next(now);
    ASSERT_TRUE(step.batch);
    s.on_result(now, *step.batch, ReadOutcome::failed);
    const auto wait = s.next(now);
    ASSERT_FALSE(wait.batch);
    pauses.push_back(wait.next_at - now);
    now = wait.next_at;
  }
  EXPECT_EQ(pauses, (std::vector<Millis>{seconds{1}, seconds{2}, seconds{4}, seconds{4}}));
  auto step = s.next(now);
  ASSERT_TRUE(step.batch);
  s.on_result(now, *step.batch, ReadOutcome::ok);
  auto again = s.next(step.next_at);
  ASSERT_TRUE(again.batch);
  s.on_result(step.next_at, *again.batch, ReadOutcome::failed);
  EXPECT_EQ(s.next(step.next_at).next_at - step.next_at, seconds{1});
}

TEST(PollScheduler, SharesTheBudgetWithOtherCallers) {
  PresenceBudgetConfig bc;
  bc.graph_limit = 10;
  bc.share_percent = 100;
  PresenceBudget budget(bc);
  PollScheduler s({}, budget);
  s.set_users(ids(10));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(budget.try_take(kT0));  // writes took everything
  auto step = s.next(kT0);
  EXPECT_FALSE(step.batch);
  EXPECT_EQ(step.next_at, kT0 + seconds{30});
}

TEST(PollScheduler, UserChangesKeepTheRoundGoing) {
  PresenceBudget budget({});
  PollScheduler s({}, budget);
  s.set_users(ids(1300));
  auto a = s.next(kT0);
  ASSERT_TRUE(a.batch);
  s.set_users(ids(100));  // one batch left: the cursor (1) is past it, a new round starts
  auto b = s.next(a.next_at);
  ASSERT_TRUE(b.batch);
  EXPECT_EQ(b.batch->round, 1u);
  EXPECT_EQ(b.batch->user_ids->size(), 100u);
  s.set_users({"x", "x", "y"});
  EXPECT_EQ(s.users(), 2u);
  s.set_users({});
  EXPECT_FALSE(s.next(b.next_at).batch);
}

}  // namespace
}  // namespace ccteams::sync
