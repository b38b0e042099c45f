// Basic-notification coalescing (sync_coalescer.hpp): window, size limit, no double queueing.

#include "core/sync_coalescer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ccteams::sync {
namespace {

const Timestamp kT0 = from_unix_millis(1'790'000'000'000);
Timestamp at(int ms) { return kT0 + Millis{ms}; }

struct Arrival {
  std::string id;
  int at_ms;
};
struct CoalesceCase {
  std::string name;
  CoalescerConfig config;
  std::vector<Arrival> arrivals;
  int take_at_ms;
  std::vector<std::vector<std::string>> batches;  // what take() gives at take_at_ms, in order
  std::size_t left_queued;
};
void PrintTo(const CoalesceCase& c, std::ostream* os) { *os << c.name; }
class CoalesceTable : public ::testing::TestWithParam<CoalesceCase> {};

TEST_P(CoalesceTable, TakesTheReadyBatches) {
  const auto& c = GetParam();
  NotificationCoalescer q(c.config);
  for (const auto& a : c.arrivals) q.add(a.id, at(a.at_ms));
  std::vector<std::vector<std::string>> got;
  while (auto b = q.take(at(c.take_at_ms))) got.push_back(*b);
  EXPECT_EQ(got, c.batches);
  EXPECT_EQ(q.queued(), c.left_queued);
}

const CoalescerConfig kDefault{};
const CoalescerConfig kTwoIds{Millis{100}, 2};

INSTANTIATE_TEST_SUITE_P(
    Cases, CoalesceTable,
    ::testing::Values(
        CoalesceCase{"NothingBeforeTheWindow", kDefault, {{"a", 0}, {"b", 50}}, 99, {}, 2},
        CoalesceCase{"WindowFromTheFirstId", kDefault, {{"a", 0}, {"b", 99}}, 100, {{"a", "b"}}, 0},
        CoalesceCase{"DuplicatesQueuedOnce",
                     kDefault,
                     {{"a", 0}, {"a", 10}, {"b", 20}, {"a", 30}},
                     100,
                     {{"a", "b"}},
                     0},
        CoalesceCase{
            "FullBatchIsReadyAtOnce", kTwoIds, {{"a", 0}, {"b", 1}, {"c", 2}}, 2, {{"a", "b"}}, 1},
        CoalesceCase{"SeveralFullBatchesInOrder",
                     kTwoIds,
                     {{"a", 0}, {"b", 1}, {"c", 2}, {"d", 3}, {"e", 4}},
                     3,
                     {{"a", "b"}, {"c", "d"}},
                     1},
        CoalesceCase{"ZeroWindowReadsEachArrival",
                     CoalescerConfig{Millis{0}, 650},
                     {{"a", 0}},
                     0,
                     {{"a"}},
                     0}),
    [](const auto& tp) { return tp.param.name; });

TEST(NotificationCoalescer, DueAtFollowsTheOldestBatch) {
  NotificationCoalescer q(CoalescerConfig{Millis{100}, 2});
  EXPECT_FALSE(q.due_at());
  q.add("a", at(10));
  EXPECT_EQ(q.due_at(), at(110));
  q.add("b", at(20));  // full: ready at once
  EXPECT_EQ(q.due_at(), at(10));
  q.add("c", at(30));
  ASSERT_TRUE(q.take(at(30)));
  EXPECT_EQ(q.due_at(), at(130));
}

TEST(NotificationCoalescer, AUserCanBeQueuedAgainOnceTheReadStarted) {
  NotificationCoalescer q;
  EXPECT_TRUE(q.add("a", at(0)));
  EXPECT_FALSE(q.add("a", at(1)));
  ASSERT_TRUE(q.take(at(100)));
  // A notification after the read began may describe a change the read missed.
  EXPECT_TRUE(q.add("a", at(101)));
  EXPECT_EQ(q.take_now(), (std::vector<std::string>{"a"}));
  EXPECT_FALSE(q.take_now());
}

TEST(NotificationCoalescer, NeverExceedsTheCallLimit) {
  NotificationCoalescer q;
  for (int i = 0; i < 2000; ++i) q.add("u" + std::to_string(i), at(0));
  std::size_t total = 0;
  while (auto b = q.take(at(0))) {
    EXPECT_LE(b->size(), 650u);
    total += b->size();
  }
  EXPECT_EQ(total, 1950u);  // three full calls; the 50 left wait for their window
  EXPECT_EQ(q.queued(), 50u);
  EXPECT_TRUE(q.take(at(100)));
}

TEST(CoalescerConfig, RejectsOversizedBatches) {
  EXPECT_TRUE(validate(CoalescerConfig{}));
  EXPECT_FALSE(validate(CoalescerConfig{Millis{100}, 651}));
  EXPECT_FALSE(validate(CoalescerConfig{Millis{100}, 0}));
  EXPECT_FALSE(validate(CoalescerConfig{Millis{-1}, 10}));
}

}  // namespace
}  // namespace ccteams::sync
