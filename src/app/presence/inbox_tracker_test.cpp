// The inbox tracker: an entry leaves the durable inbox only after a read that started after it
// was stored has been applied for every watched user it names.
#include "app/presence/inbox_tracker.hpp"

#include <gtest/gtest.h>

#include "app/metrics.hpp"
#include "app/testing/in_memory_presence_store.hpp"
#include "app/testing/run_awaitable.hpp"
#include "app/testing/test_store.hpp"

namespace ccteams::presence {
namespace {

constexpr Timestamp kT0{Millis{1'800'000'000'000}};
constexpr OrgId kOrg{1};

struct Rig {
  Rig() : metrics(registry), tracker(port, kOrg, metrics) {}
  std::optional<InboxTracker::NewEntries> read_new() {
    return testing::run_awaitable(tracker.read_new());
  }
  std::vector<std::string> track(std::int64_t) {
    auto fresh = read_new();
    std::vector<std::string> users;
    for (const auto& e : fresh->entries) {
      auto u = tracker.await_reads(e, [](const std::string& id) { return id != "unwatched"; });
      users.insert(users.end(), u.begin(), u.end());
    }
    return users;
  }
  testing::InMemoryPresenceStore store;
  testing::TestStore port{testing::TestStores{.inbox = &store}};
  Metrics registry;
  SyncMetrics metrics;
  InboxTracker tracker;
};

// Table: reads of "a" and "b" starting at various times relative to the entry stored at T0+1s.
struct ReadCase {
  const char* name;
  std::vector<std::pair<std::string, Millis>> reads;  // user, read started at T0 + this
  bool removed;
};

class InboxTrackerRemoval : public ::testing::TestWithParam<ReadCase> {};

TEST_P(InboxTrackerRemoval, RemovesAnEntryOnlyAfterALaterReadOfEveryUser) {
  const ReadCase& c = GetParam();
  Rig rig;
  const auto seq = rig.store.add(kOrg, kT0 + Millis{1'000}, {"a", "b", "unwatched"});
  EXPECT_EQ(rig.track(seq), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(rig.tracker.awaiting(), 1U);
  for (const auto& [user, at] : c.reads) rig.tracker.satisfied(user, kT0 + at);
  EXPECT_EQ(!rig.store.has(seq), c.removed);
  EXPECT_EQ(rig.tracker.awaiting(), c.removed ? 0U : 1U);
}

INSTANTIATE_TEST_SUITE_P(
    Reads, InboxTrackerRemoval,
    ::testing::Values(
        ReadCase{"both_read_after", {{"a", Millis{2'000}}, {"b", Millis{1'500}}}, true},
        ReadCase{"read_started_at_storing", {{"a", Millis{1'000}}, {"b", Millis{1'000}}}, true},
        ReadCase{"one_user_left", {{"a", Millis{2'000}}}, false},
        ReadCase{"a_read_started_before", {{"a", Millis{500}}, {"b", Millis{2'000}}}, false},
        ReadCase{"earlier_then_later",
                 {{"a", Millis{500}}, {"b", Millis{2'000}}, {"a", Millis{3'000}}},
                 true}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(InboxTracker, AnEntryNamingNoWatchedUserIsLeftToTheCallerToRemove) {
  Rig rig;
  const auto seq = rig.store.add(kOrg, kT0, {"unwatched"});
  EXPECT_TRUE(rig.track(seq).empty());
  EXPECT_EQ(rig.tracker.awaiting(), 0U);
  rig.tracker.remove({seq});
  EXPECT_FALSE(rig.store.has(seq));
}

TEST(InboxTracker, EntriesAreReadOnceAndAFailedRemoveIsCounted) {
  Rig rig;
  const auto seq = rig.store.add(kOrg, kT0, {"a"});
  rig.track(seq);
  EXPECT_TRUE(rig.read_new()->entries.empty());  // seen already
  rig.store.fail_next_remove = true;
  rig.tracker.satisfied("a", kT0 + Millis{10});
  EXPECT_TRUE(rig.store.has(seq));  // the store failed: the entry stays for the next start
  EXPECT_EQ(rig.metrics.store_failures.value(), 1U);
}

TEST(InboxTracker, AnEntryIsTakenOnceWhetherHandedOverOrRead) {
  Rig rig;
  const auto handed = rig.store.add(kOrg, kT0, {"a"});
  const auto left = rig.store.add(kOrg, kT0, {"b"});
  EXPECT_TRUE(rig.tracker.claim(handed));   // the webhook's hand-off
  EXPECT_FALSE(rig.tracker.claim(handed));  // handed twice
  auto fresh = rig.read_new();              // a read that overlapped the hand-off
  ASSERT_TRUE(fresh);
  ASSERT_EQ(fresh->entries.size(), 1U);
  EXPECT_EQ(fresh->entries[0].seq, left);
  EXPECT_FALSE(rig.tracker.claim(left));  // its hand-off came after the read took it
  // Removed entries are forgotten: the tracker's memory does not grow with the traffic.
  rig.tracker.remove({handed, left});
  EXPECT_FALSE(rig.store.has(handed));
  EXPECT_TRUE(rig.read_new()->entries.empty());
}

// Another instance stores entries (PresenceSync::inbox_grown): each read takes only what is new.
TEST(InboxTracker, EntriesStoredBehindItsBackAreReadOnceEach) {
  Rig rig;
  const auto first = rig.store.add(kOrg, kT0, {"a"});
  auto fresh = rig.read_new();
  ASSERT_TRUE(fresh);
  ASSERT_EQ(fresh->entries.size(), 1U);
  const auto second = rig.store.add(kOrg, kT0, {"b"});
  const auto third = rig.store.add(kOrg, kT0, {"c"});
  fresh = rig.read_new();
  ASSERT_TRUE(fresh);
  ASSERT_EQ(fresh->entries.size(), 2U);
  EXPECT_EQ(fresh->entries[0].seq, second);
  EXPECT_EQ(fresh->entries[1].seq, third);
  EXPECT_FALSE(fresh->more);
  EXPECT_TRUE(rig.read_new()->entries.empty());
  EXPECT_FALSE(rig.tracker.claim(first));  // nor handed over again
}

// The removal is posted: a read may still find the entry (here: its removal failed). It is not
// processed a second time.
TEST(InboxTracker, ARemovedEntryIsNotTakenAgainByAReadThatRacedItsRemoval) {
  Rig rig;
  const auto seq = rig.store.add(kOrg, kT0, {"a"});
  ASSERT_EQ(rig.read_new()->entries.size(), 1U);
  rig.store.fail_next_remove = true;
  rig.tracker.remove({seq});
  ASSERT_TRUE(rig.store.has(seq));
  EXPECT_TRUE(rig.read_new()->entries.empty());
  EXPECT_FALSE(rig.tracker.claim(seq));
  // A newer entry is still taken.
  const auto next = rig.store.add(kOrg, kT0, {"b"});
  auto fresh = rig.read_new();
  ASSERT_EQ(fresh->entries.size(), 1U);
  EXPECT_EQ(fresh->entries[0].seq, next);
}

TEST(InboxTracker, KeepsTheEarliestNotificationTimeForTheDelayMetric) {
  Rig rig;
  rig.tracker.note_notified("a", kT0 + Millis{200});
  rig.tracker.note_notified("a", kT0 + Millis{100});
  EXPECT_EQ(rig.tracker.take_notified("a"), kT0 + Millis{100});
  EXPECT_EQ(rig.tracker.take_notified("a"), std::nullopt);
}

}  // namespace
}  // namespace ccteams::presence
