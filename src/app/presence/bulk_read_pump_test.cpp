// The bulk-read pump on simulated time, driven like the organisation's loop drives it (the
// watch set recomputed when due, then the pump's step): the first sync in calls of 650, then
// the cadence for an hour of Graph calls counted per minute; a 429 with Retry-After; log-ins and
// log-outs; sequenceNumber ordering; notifications coalesced into one read.
#include "app/presence/bulk_read_pump.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>
#include <vector>

#include "app/metrics.hpp"
#include "app/testing/fake_presence_graph.hpp"
#include "app/testing/in_memory_presence_store.hpp"
#include "app/testing/sim_org_loop.hpp"
#include "app/testing/test_store.hpp"

namespace ccteams::presence {
namespace {

using testing::FakePresenceGraph;
using Call = FakePresenceGraph::Call;
using std::chrono::minutes;
using std::chrono::seconds;
constexpr Timestamp kT0{Millis{1'800'000'000'000}};
constexpr OrgId kOrg{1};
constexpr DesktopProfileId kTeams{10};

std::string user_name(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "u%05d", i);
  return buf;
}

struct Options {
  int users = 3;
  sync::PresenceBudgetConfig budget{};
  std::size_t batch_size = sync::kMaxPresenceIdsPerCall;
  std::size_t max_in_flight = 4;
};

struct Applied {
  Timestamp at;
  AgentPresenceUpdate update;
};

struct Rig {
  explicit Rig(Options o)
      : time(kT0),
        loop(time),
        graph(time),
        budget(o.budget),
        metrics(registry),
        inbox(port, kOrg, metrics),
        watch(WatchSetDeps{kOrg, Millis{5'000},
                           [](std::vector<UserId>, bool) -> boost::asio::awaitable<Result<void>> {
                             co_return ok();
                           }}),
        pump(BulkReadPumpDeps{
            loop, graph, budget, metrics, inbox, watch, kOrg,
            sync::PollConfig{o.batch_size, Millis{1'000}, Millis{30'000}},
            sync::CoalescerConfig{Millis{100}, 650}, o.max_in_flight,
            [this](std::vector<AgentPresenceUpdate> updates)
                -> boost::asio::awaitable<Result<PresenceApplyReport>> {
              for (auto& u : updates) applied.push_back({time.now(), u});
              co_return PresenceApplyReport{};
            }}) {
    for (int i = 1; i <= o.users; ++i) add_agent(i, AgentStatus::available);
    pump.set_tenant("tenant");
  }

  void add_agent(int i, AgentStatus s) {
    AgentConfig a;
    a.user = UserId{i};
    a.org = kOrg;
    a.desktop_profile = kTeams;
    a.teams_user_id = user_name(i);
    agents.push_back(a);
    status[a.user] = s;
    graph.set(user_name(i), "Available", "Available", "0000001");
  }

  // The organisation's loop, as presence/org_sync runs it.
  void start() {
    loop.drive_async([this](Timestamp t, const testing::SimOrgLoop::Sooner& sooner)
                         -> boost::asio::awaitable<void> {
      if (t >= watch.due()) {
        if (auto change = co_await watch.recompute(t, read())) pump.watch_changed(*change, t);
      }
      pump.step(t, sooner);
      sooner(watch.due());
    });
  }
  Result<WatchInputs> read() const {
    WatchInputs in;
    in.agents = agents;
    DesktopProfile p;
    p.id = kTeams;
    p.microsoft_teams = true;
    in.profiles.push_back(p);
    in.status = status;
    return in;
  }
  void log_in_or_out(int agent, AgentStatus s) {
    status[UserId{agent}] = s;
    loop.on_strand([this] {
      if (watch.agent_logged_in_or_out(time.now())) loop.wake();
    });
  }

  // How often each user was read by the calls logged since the last clear_log().
  std::map<std::string, int> reads_per_user() const {
    std::map<std::string, int> n;
    for (const auto& r : graph.log()) {
      if (r.call != Call::get_presences) continue;
      for (const auto& id : r.ids) ++n[id];
    }
    return n;
  }
  std::vector<Applied> applied_for(const std::string& user) const {
    std::vector<Applied> out;
    for (const auto& a : applied) {
      if (watch.teams_user(a.update.agent) == user) out.push_back(a);
    }
    return out;
  }

  testing::SimulatedTime time;
  testing::SimOrgLoop loop;
  FakePresenceGraph graph;
  sync::PresenceBudget budget;
  Metrics registry;
  SyncMetrics metrics;
  testing::InMemoryPresenceStore store;
  testing::TestStore port{testing::TestStores{.inbox = &store}};
  InboxTracker inbox;
  std::vector<AgentConfig> agents;
  std::unordered_map<UserId, AgentStatus> status;
  WatchSet watch;
  std::vector<Applied> applied;
  BulkReadPump pump;
};

// Table: N users are read in ceil(N / 650) calls at once, before the cadence.
class BulkReadPumpFirstSync : public ::testing::TestWithParam<int> {};

TEST_P(BulkReadPumpFirstSync, ReadsEveryUserInCallsOf650AtOnce) {
  const int n = GetParam();
  Rig rig(Options{.users = n});
  rig.start();
  const std::size_t calls = (static_cast<std::size_t>(n) + 649) / 650;
  const auto log = rig.graph.calls(Call::get_presences);
  ASSERT_GE(log.size(), calls);
  std::set<std::string> read;
  for (std::size_t i = 0; i < calls; ++i) {
    EXPECT_EQ(log[i].at, kT0);
    EXPECT_LE(log[i].ids.size(), 650U);
    read.insert(log[i].ids.begin(), log[i].ids.end());
  }
  EXPECT_EQ(read.size(), static_cast<std::size_t>(n));  // each user once
  EXPECT_EQ(rig.pump.first_sync_pending(), 0U);
  EXPECT_EQ(rig.pump.first_sync_started(), kT0);
  EXPECT_EQ(rig.pump.first_sync_completed(), kT0);
  EXPECT_EQ(rig.applied.size(), static_cast<std::size_t>(n));  // every agent's presence
  EXPECT_EQ(rig.metrics.first_sync.snapshot().count, 1U);
}

INSTANTIATE_TEST_SUITE_P(Users, BulkReadPumpFirstSync,
                         ::testing::Values(1, 650, 651, 1300, 10'000));

TEST(BulkReadPump, FirstSyncThenCadence) {
  Rig rig(Options{.users = 700});
  rig.start();
  // The first sync: 650 + 50 users at once.
  const auto first = rig.graph.calls(Call::get_presences);
  ASSERT_GE(first.size(), 2U);
  EXPECT_EQ(first[0].ids.size(), 650U);
  EXPECT_EQ(first[1].ids.size(), 50U);
  ASSERT_EQ(rig.pump.first_sync_completed(), kT0);
  // Then the cadence: two balanced batches of 350 half a second apart, every user once a second.
  const Millis round = rig.pump.round_interval(rig.time.now());
  ASSERT_EQ(round, Millis{1'000});
  rig.graph.clear_log();
  const Millis window = minutes{1};
  const int per_window = static_cast<int>(window / round);
  for (int m = 0; m < 60; ++m) {
    rig.loop.run_for(window);
    const auto reads = rig.reads_per_user();
    ASSERT_EQ(reads.size(), 700U) << "minute " << m;
    for (const auto& [user, count] : reads) {
      ASSERT_EQ(count, per_window) << user << " in minute " << m;
    }
    rig.graph.clear_log();
  }
  // Presences that did not change went no further than the first sync.
  EXPECT_EQ(rig.applied.size(), 700U);
  EXPECT_EQ(rig.pump.failures(), 0U);
}

TEST(BulkReadPump, ReadsInFlightNeverExceedTheBound) {
  Rig rig(Options{.users = 10'000, .max_in_flight = 4});
  rig.graph.set_read_latency(rig.time, Millis{200});
  rig.start();
  rig.loop.run_for(seconds{2});
  EXPECT_EQ(rig.graph.max_reads_in_flight(), 4U);
  // 16 calls, four at a time, each answered 200 ms later.
  EXPECT_EQ(rig.pump.first_sync_completed(), kT0 + Millis{800});
}

TEST(BulkReadPump, A429WithRetryAfterStopsReadsThenSlowsTheCadence) {
  // A small budget so that it, not the one-second round, sets the cadence: 50 requests per
  // 30 s, 45 of them for reads: one call every 667 ms.
  sync::PresenceBudgetConfig budget;
  budget.graph_limit = 100;
  Rig rig(Options{.users = 10, .budget = budget, .batch_size = 5});
  rig.start();
  rig.loop.run_for(minutes{1});
  const Millis before = rig.pump.round_interval(rig.time.now());
  EXPECT_EQ(before, Millis{2 * 667});
  rig.graph.clear_log();
  rig.graph.fail_next(Call::get_presences, GraphErrorKind::throttled, 10);
  rig.loop.run_for(Millis{700});  // the next read is answered 429, Retry-After: 10
  const auto throttled = rig.graph.calls(Call::get_presences);
  ASSERT_EQ(throttled.size(), 1U);
  const Timestamp at = throttled[0].at;
  EXPECT_EQ(rig.pump.throttles(), 1U);
  EXPECT_EQ(rig.budget.blocked_until(), at + seconds{10});
  rig.graph.clear_log();
  rig.loop.run_for(at + seconds{10} - rig.time.now() - Millis{1});
  EXPECT_TRUE(rig.graph.log().empty());  // nothing during Retry-After
  // Then at half the rate or slower, recovering gradually.
  EXPECT_GE(rig.pump.round_interval(rig.time.now()), 2 * before);
  rig.loop.run_for(seconds{10});
  const auto resumed = rig.graph.calls(Call::get_presences);
  ASSERT_FALSE(resumed.empty());
  EXPECT_GE(resumed[0].at, at + seconds{10});
  EXPECT_EQ(resumed[0].ids, throttled[0].ids);  // the throttled batch goes first
  // The full rate would make 15 calls in these 10 s.
  EXPECT_LE(resumed.size(), 10'000U / (2 * 667) + 1);
  // Back to the full rate without another 429.
  rig.loop.run_for(minutes{2});
  EXPECT_EQ(rig.pump.round_interval(rig.time.now()), before);
}

TEST(BulkReadPump, ALogInAddsTheUserToAFirstSyncAndALogOutRemovesThem) {
  Rig rig(Options{.users = 3});
  rig.add_agent(4, AgentStatus::logged_out);
  rig.start();
  rig.loop.run_for(minutes{1});
  EXPECT_EQ(rig.reads_per_user().count(user_name(4)), 0U);
  rig.graph.clear_log();
  const Timestamp login_at = rig.time.now();
  rig.log_in_or_out(4, AgentStatus::available);
  rig.loop.run_for(Millis{250});
  // Read on its own at once (a first read), not a round later.
  const auto log = rig.graph.calls(Call::get_presences);
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.front().ids, (std::vector<std::string>{user_name(4)}));
  EXPECT_EQ(log.front().at, login_at + Millis{250});
  EXPECT_EQ(rig.pump.first_sync_started(), login_at + Millis{250});
  EXPECT_EQ(rig.pump.first_sync_completed(), login_at + Millis{250});
  ASSERT_EQ(rig.applied_for(user_name(4)).size(), 1U);
  // Then the cadence reads all four.
  rig.loop.run_for(minutes{1});
  EXPECT_EQ(rig.reads_per_user().size(), 4U);
  // A log-out: within 250 ms the user is no longer read.
  rig.log_in_or_out(2, AgentStatus::logged_out);
  rig.loop.run_for(Millis{250});
  rig.graph.clear_log();
  rig.loop.run_for(minutes{1});
  const auto reads = rig.reads_per_user();
  EXPECT_EQ(reads.size(), 3U);
  EXPECT_EQ(reads.count(user_name(2)), 0U);
}

TEST(BulkReadPump, AnOlderSequenceNumberIsNotApplied) {
  Rig rig(Options{.users = 2});
  rig.graph.set(user_name(1), "Available", "Available", "0000005");
  rig.start();
  ASSERT_EQ(rig.applied_for(user_name(1)).size(), 1U);
  rig.graph.set(user_name(1), "Busy", "InACall", "0000003");  // a late answer from elsewhere
  rig.loop.run_for(seconds{10});
  EXPECT_EQ(rig.applied_for(user_name(1)).size(), 1U);
  rig.graph.set(user_name(1), "DoNotDisturb", "Presenting", "0000009");
  rig.loop.run_for(seconds{10});
  const auto applied = rig.applied_for(user_name(1));
  ASSERT_EQ(applied.size(), 2U);  // once, although read ten times
  EXPECT_EQ(applied[1].update.observed.sequence_number, "0000009");
  EXPECT_EQ(applied[1].update.observed.channel, PresenceChannel::poll);
}

TEST(BulkReadPump, NotificationsForAUserCoalesceIntoOneRead) {
  Rig rig(Options{.users = 3});
  rig.start();
  rig.loop.run_for(Millis{300});
  rig.graph.clear_log();
  rig.graph.set(user_name(1), "DoNotDisturb", "Presenting", "0000002");
  const Timestamp t = rig.time.now();
  rig.loop.on_strand([&] { rig.pump.notified(user_name(1), rig.time.now()); });
  rig.loop.run_for(Millis{10});
  rig.loop.on_strand([&] { rig.pump.notified(user_name(1), rig.time.now()); });
  rig.loop.on_strand([&] { rig.pump.notified(user_name(2), rig.time.now()); });
  rig.loop.run_for(Millis{500});
  std::vector<FakePresenceGraph::Record> notification_reads;
  for (const auto& r : rig.graph.calls(Call::get_presences)) {
    if (r.ids.size() < 3) notification_reads.push_back(r);  // the cadence reads all three
  }
  ASSERT_EQ(notification_reads.size(), 1U);
  EXPECT_EQ(notification_reads[0].ids, (std::vector<std::string>{user_name(1), user_name(2)}));
  EXPECT_EQ(notification_reads[0].at, t + Millis{100});  // the coalescing window
  const auto applied = rig.applied_for(user_name(1));
  ASSERT_EQ(applied.size(), 2U);
  EXPECT_EQ(applied[1].update.observed.channel, PresenceChannel::notification);
  EXPECT_EQ(applied[1].at, t + Millis{100});
}

TEST(BulkReadPump, AFailedFirstReadIsRetriedASecondLater) {
  Rig rig(Options{.users = 3});
  rig.graph.fail_next(Call::get_presences, GraphErrorKind::unavailable);
  rig.start();
  rig.loop.run_for(seconds{2});
  const auto log = rig.graph.calls(Call::get_presences);
  ASSERT_GE(log.size(), 2U);
  EXPECT_EQ(log[0].at, kT0);
  EXPECT_EQ(log[1].at, kT0 + Millis{1'000});
  EXPECT_EQ(log[1].ids, log[0].ids);
  EXPECT_EQ(rig.pump.failures(), 1U);
  EXPECT_EQ(rig.pump.first_sync_completed(), kT0 + Millis{1'000});
}

}  // namespace
}  // namespace ccteams::presence
