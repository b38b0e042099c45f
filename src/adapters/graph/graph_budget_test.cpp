#include "adapters/graph/graph_budget.hpp"

#include <gtest/gtest.h>

namespace ccteams::graph {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const Timestamp kT0 = from_unix_millis(1795508735000);

TEST(GraphBudget, DefaultsFollowTheDocumentedLimitsWithTheSafetyShare) {
  GraphBudget b(BudgetConfig{}, kT0);
  // presence 1500/30 s × 0.8 = 1200 per window: burst 300, 900 refilled over 30 s.
  EXPECT_DOUBLE_EQ(b.capacity(BudgetKind::presence), 300);
  // identity 3500/10 s × 0.8 = 2800: burst 700.
  EXPECT_DOUBLE_EQ(b.capacity(BudgetKind::identity_read), 700);
  // subscription writes 1000/20 s × 0.8 = 800: burst 200.
  EXPECT_DOUBLE_EQ(b.capacity(BudgetKind::subscription_write), 200);
}

// Whatever the request pattern, one window of `period` never admits more than share × limit.
struct WindowCase {
  BudgetKind kind;
  milliseconds step;  // how often we try
  double limit;
  milliseconds period;
};

class GraphBudgetWindow : public ::testing::TestWithParam<WindowCase> {};

TEST_P(GraphBudgetWindow, NeverExceedsShareOfLimitInAnyWindow) {
  const auto& c = GetParam();
  GraphBudget b(BudgetConfig{}, kT0);
  std::vector<Timestamp> admitted;
  for (Timestamp t = kT0; t < kT0 + 4 * c.period; t += c.step) {
    while (b.try_acquire(c.kind, t)) admitted.push_back(t);
  }
  ASSERT_FALSE(admitted.empty());
  std::size_t lo = 0;
  for (std::size_t hi = 0; hi < admitted.size(); ++hi) {
    while (admitted[hi] - admitted[lo] >= c.period) ++lo;
    ASSERT_LE(static_cast<double>(hi - lo + 1), 0.8 * c.limit + 1e-9)
        << "window ending at +" << (admitted[hi] - kT0).count() << " ms";
  }
  // And the budget is actually used: over 4 periods at least 3 windows' worth went through.
  EXPECT_GE(static_cast<double>(admitted.size()), 3 * 0.8 * c.limit * 0.9);
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, GraphBudgetWindow,
    ::testing::Values(WindowCase{BudgetKind::presence, milliseconds{10}, 1500, seconds{30}},
                      WindowCase{BudgetKind::presence, milliseconds{1000}, 1500, seconds{30}},
                      WindowCase{BudgetKind::identity_read, milliseconds{7}, 3500, seconds{10}},
                      WindowCase{BudgetKind::subscription_write, milliseconds{50}, 1000,
                                 seconds{20}}));

TEST(GraphBudget, KindsAreSeparate) {
  GraphBudget b(BudgetConfig{}, kT0);
  while (b.try_acquire(BudgetKind::presence, kT0)) {
  }
  EXPECT_TRUE(b.try_acquire(BudgetKind::subscription_write, kT0));
  EXPECT_TRUE(b.try_acquire(BudgetKind::identity_read, kT0, 2));  // GET users = 2 RU
}

TEST(GraphBudget, NextAvailableIsWhenTheRefillArrives) {
  GraphBudget b(BudgetConfig{}, kT0);
  EXPECT_EQ(b.next_available(BudgetKind::presence, kT0), kT0);
  ASSERT_TRUE(b.try_acquire(BudgetKind::presence, kT0, 300));
  EXPECT_FALSE(b.try_acquire(BudgetKind::presence, kT0));
  // 900 per 30 s = one every 33.3 ms.
  const Timestamp next = b.next_available(BudgetKind::presence, kT0);
  EXPECT_EQ(next, kT0 + milliseconds{34});
  EXPECT_FALSE(b.try_acquire(BudgetKind::presence, next - milliseconds{2}));
  EXPECT_TRUE(b.try_acquire(BudgetKind::presence, next));
  // n above the burst is clamped in next_available and can never be acquired.
  EXPECT_FALSE(b.try_acquire(BudgetKind::presence, kT0 + seconds{3600}, 301));
}

TEST(GraphBudget, FreezeOnTooManyRequestsRefusesUntilRetryAfterThenStartsEmpty) {
  GraphBudget b(BudgetConfig{}, kT0);
  b.freeze(BudgetKind::presence, kT0 + seconds{10});
  EXPECT_FALSE(b.try_acquire(BudgetKind::presence, kT0 + seconds{9}));
  EXPECT_DOUBLE_EQ(b.available(BudgetKind::presence, kT0 + seconds{5}), 0);
  EXPECT_EQ(b.next_available(BudgetKind::presence, kT0), kT0 + seconds{10} + milliseconds{34});
  EXPECT_FALSE(b.try_acquire(BudgetKind::presence, kT0 + seconds{10}));  // empty at the thaw
  EXPECT_TRUE(b.try_acquire(BudgetKind::presence, kT0 + seconds{10} + milliseconds{34}));
  // Other kinds are untouched; an earlier freeze does not shorten a later one.
  EXPECT_TRUE(b.try_acquire(BudgetKind::identity_read, kT0));
  b.freeze(BudgetKind::identity_read, kT0 + seconds{20});
  b.freeze(BudgetKind::identity_read, kT0 + seconds{5});
  EXPECT_FALSE(b.try_acquire(BudgetKind::identity_read, kT0 + seconds{19}));
}

TEST(GraphBudget, ConfigurableSafetyShare) {
  BudgetConfig config;
  config.presence.safety_share = 0.5;  // leave half for another instance
  GraphBudget b(config, kT0);
  EXPECT_DOUBLE_EQ(b.capacity(BudgetKind::presence), 187);  // floor(750 × 0.25)
}

TEST(GraphBudget, StaleTimeDoesNotMintTokens) {
  GraphBudget b(BudgetConfig{}, kT0);
  ASSERT_TRUE(b.try_acquire(BudgetKind::subscription_write, kT0 + seconds{1}, 200));
  EXPECT_FALSE(b.try_acquire(BudgetKind::subscription_write, kT0));
  EXPECT_FALSE(b.try_acquire(BudgetKind::subscription_write, kT0 + seconds{1}));
}

}  // namespace
}  // namespace ccteams::graph
