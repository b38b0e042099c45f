#include "app/cluster/lease_keeper.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <map>
#include <vector>

#include "app/log_escaped.hpp"
#include "app/testing/simulated_time.hpp"

namespace ccteams {
namespace {

namespace asio = boost::asio;
using testing::SimulatedTime;

constexpr Timestamp kT0{Millis{1'800'000'000'000}};
constexpr OrgId kOrg1{1};
constexpr OrgId kOrg2{2};

// The lease table of org_leases in memory, on simulated time (the database's clock). Answers at
// once; `unreachable` makes every call fail as a database that does not answer.
class FakeLeaseStore final : public OrgLeaseStore {
 public:
  explicit FakeLeaseStore(const Clock& clock) : clock_(clock) {}

  std::map<OrgId, OrgLease> leases;
  std::vector<OrgId> organisations;
  bool unreachable = false;
  int renewals = 0;
  int releases = 0;

  // Another instance takes org over (as its acquire would after expiry).
  void steal(OrgId org) {
    auto& l = leases[org];
    l = OrgLease{org, "other", l.token + 1, clock_.now() + Millis{6000}};
  }

  asio::awaitable<Result<std::vector<OrgId>>> claimable() override {
    if (unreachable) co_return down();
    std::vector<OrgId> out;
    for (OrgId org : organisations) {
      auto it = leases.find(org);
      if (it == leases.end() || it->second.expires_at <= clock_.now()) out.push_back(org);
    }
    co_return out;
  }
  asio::awaitable<Result<std::optional<OrgLease>>> acquire(OrgId org, std::string owner,
                                                           Millis ttl) override {
    if (unreachable) co_return down();
    auto it = leases.find(org);
    const Timestamp now = clock_.now();
    if (it != leases.end() && it->second.expires_at > now && it->second.owner != owner) {
      co_return std::optional<OrgLease>{};
    }
    const bool mine_live =
        it != leases.end() && it->second.owner == owner && it->second.expires_at > now;
    const std::int64_t token =
        it == leases.end() ? 1 : (mine_live ? it->second.token : it->second.token + 1);
    leases[org] = OrgLease{org, owner, token, now + ttl};
    co_return std::optional<OrgLease>{leases[org]};
  }
  asio::awaitable<Result<std::vector<OrgLease>>> renew(std::string owner,
                                                       std::vector<HeldLease> held,
                                                       Millis ttl) override {
    if (unreachable) co_return down();
    ++renewals;
    std::vector<OrgLease> out;
    for (const HeldLease& h : held) {
      auto it = leases.find(h.org);
      if (it == leases.end() || it->second.owner != owner || it->second.token != h.token) {
        continue;
      }
      it->second.expires_at = clock_.now() + ttl;
      out.push_back(it->second);
    }
    co_return out;
  }
  asio::awaitable<Result<void>> release(LeaseFence fence) override {
    if (unreachable) co_return down();
    ++releases;
    auto it = leases.find(fence.org);
    if (it != leases.end() && it->second.owner == fence.owner && it->second.token == fence.token) {
      it->second.expires_at = clock_.now();
    }
    co_return ok();
  }
  asio::awaitable<Result<std::vector<OrgLease>>> list() override {
    std::vector<OrgLease> out;
    for (const auto& [org, l] : leases) out.push_back(l);
    co_return out;
  }
  asio::awaitable<Result<ClusterView>> heartbeat(std::string owner, Millis ttl) override {
    if (unreachable) co_return down();
    const Timestamp now = clock_.now();
    instances[owner] = now;
    std::size_t live = 0;
    for (const auto& [o, seen] : instances) {
      if (now - seen < ttl) ++live;
    }
    co_return ClusterView{live, organisations.size()};
  }
  asio::awaitable<Result<void>> leave(std::string owner) override {
    if (unreachable) co_return down();
    instances.erase(owner);
    co_return ok();
  }
  std::map<std::string, Timestamp> instances;  // owner -> last heartbeat
  // Organisations whose lease owner holds and has not released or let lapse.
  std::size_t held_by(const std::string& owner) const {
    std::size_t n = 0;
    for (const auto& [org, l] : leases) {
      if (l.owner == owner && l.expires_at > clock_.now()) ++n;
    }
    return n;
  }

 private:
  static Error down() { return make_error(Errc::unavailable, "database down", 1); }
  const Clock& clock_;
};

// One keeper on a strand of a test io_context, driven by simulated time.
struct LeaseKeeperTest : ::testing::Test {
  SimulatedTime time{kT0};
  asio::io_context io;
  asio::strand<asio::io_context::executor_type> strand = asio::make_strand(io);
  FakeLeaseStore store{time};
  LeaseTimings timings;  // the defaults: TTL 6 s, renew 2 s, scan 1 s, margin 1 s
  std::vector<LeaseFence> gained;
  std::vector<std::pair<OrgId, Timestamp>> lost;
  std::unique_ptr<LeaseKeeper> keeper;
  bool finished = false;

  void start() {
    keeper = std::make_unique<LeaseKeeper>(
        strand, store, time, time, time, "me", timings,
        LeaseKeeper::Callbacks{[this](const LeaseFence& f) { gained.push_back(f); },
                               [this](OrgId org) { lost.emplace_back(org, time.now()); }});
    auto body = [this]() -> asio::awaitable<void> {
      co_await keeper->run();
      finished = true;
    };
    asio::co_spawn(strand, body, LogEscaped{"lease keeper test"});
    SimulatedTime::drain(io);
  }
  void run_for(Millis d) { time.run_for(io, d); }

  void TearDown() override {
    if (keeper && !finished) {
      keeper->stop();
      SimulatedTime::drain(io);
    }
  }
};

TEST_F(LeaseKeeperTest, TakesEveryFreeOrganisationAtItsFirstScan) {
  store.organisations = {kOrg1, kOrg2};
  start();
  ASSERT_EQ(gained.size(), 2u);
  EXPECT_EQ(gained[0], (LeaseFence{kOrg1, "me", 1}));
  EXPECT_EQ(gained[1], (LeaseFence{kOrg2, "me", 1}));
  EXPECT_EQ(keeper->fence(kOrg1), (LeaseFence{kOrg1, "me", 1}));
  EXPECT_EQ(keeper->stats().owned, 2u);
}

TEST_F(LeaseKeeperTest, LeavesAnOrganisationAnotherInstanceHoldsAndTakesItOnceItLapses) {
  store.organisations = {kOrg1};
  store.leases[kOrg1] = OrgLease{kOrg1, "other", 4, kT0 + Millis{3000}};
  start();
  EXPECT_TRUE(gained.empty());
  EXPECT_FALSE(keeper->fence(kOrg1));
  run_for(Millis{2999});
  EXPECT_TRUE(gained.empty());
  run_for(Millis{1001});  // lapsed at 3 s; the scan at 3 s or 4 s takes it
  ASSERT_EQ(gained.size(), 1u);
  EXPECT_EQ(gained[0].token, 5);  // a take-over: the next token, never the old one
}

TEST_F(LeaseKeeperTest, RenewsEveryTwoSecondsAndKeepsTheOrganisation) {
  store.organisations = {kOrg1};
  start();
  run_for(Millis{60'000});
  EXPECT_EQ(store.renewals, 30);
  EXPECT_TRUE(lost.empty());
  EXPECT_EQ(gained.size(), 1u);
  EXPECT_EQ(store.leases[kOrg1].expires_at, kT0 + Millis{60'000 + 6'000});
}

TEST_F(LeaseKeeperTest, StopsActingBeforeTheDatabaseDeadlineWhenRenewalsFail) {
  store.organisations = {kOrg1};
  start();
  run_for(Millis{4000});  // renewed at 2 s and 4 s
  store.unreachable = true;
  const Timestamp database_deadline = store.leases[kOrg1].expires_at;  // 4 s + 6 s
  run_for(Millis{10'000});
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].first, kOrg1);
  // Local deadline: last renewal SENT (4 s) + TTL - margin = 9 s, one second before the
  // database lets anyone else take it.
  EXPECT_EQ(lost[0].second, kT0 + Millis{9000});
  EXPECT_LT(lost[0].second, database_deadline);
  EXPECT_FALSE(keeper->fence(kOrg1));
  EXPECT_GE(keeper->stats().renew_failures, 2u);
}

TEST_F(LeaseKeeperTest, OneFailedRenewalDoesNotLoseTheLease) {
  store.organisations = {kOrg1};
  start();
  run_for(Millis{3000});
  store.unreachable = true;  // the renewal at 4 s fails
  run_for(Millis{1500});
  store.unreachable = false;  // the one at 6 s succeeds
  run_for(Millis{10'000});
  EXPECT_TRUE(lost.empty());
  EXPECT_EQ(keeper->stats().renew_failures, 1u);
}

TEST_F(LeaseKeeperTest, ALeaseThatMovedIsLostAtTheNextRenewal) {
  store.organisations = {kOrg1};
  start();
  run_for(Millis{2500});
  store.steal(kOrg1);
  run_for(Millis{1500});  // renewal at 4 s is refused
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].second, kT0 + Millis{4000});
  EXPECT_FALSE(keeper->fence(kOrg1));
}

TEST_F(LeaseKeeperTest, AFenceIsGoneOnceTheLocalDeadlinePassedEvenBeforeTheKeeperRuns) {
  store.organisations = {kOrg1};
  start();
  store.unreachable = true;
  // Time moves without the io_context running (the keeper is starved): fence() still refuses.
  time.advance(Millis{5000});
  EXPECT_FALSE(keeper->fence(kOrg1));
}

TEST_F(LeaseKeeperTest, StopReleasesEveryLeaseAtOnceAndReportsItLost) {
  store.organisations = {kOrg1, kOrg2};
  start();
  run_for(Millis{2000});
  keeper->stop();
  SimulatedTime::drain(io);
  EXPECT_TRUE(finished);
  EXPECT_EQ(store.releases, 2);
  EXPECT_EQ(lost.size(), 2u);
  EXPECT_EQ(store.leases[kOrg1].expires_at, kT0 + Millis{2000});  // free for the others now
  EXPECT_EQ(keeper->stats().owned, 0u);
}

// Spreading (docs/postgresql.md, "Spreading organisations"): a second keeper on the same lease
// table, with an io_context of its own on the same simulated time.
struct Peer {
  Peer(SimulatedTime& time, FakeLeaseStore& store, std::string owner, LeaseTimings timings)
      : keeper(strand, store, time, time, time, std::move(owner), timings,
               LeaseKeeper::Callbacks{}) {
    auto body = [this]() -> asio::awaitable<void> {
      co_await keeper.run();
      finished = true;
    };
    asio::co_spawn(strand, body, LogEscaped{"lease keeper peer"});
    SimulatedTime::drain(io);
  }
  // Its run() ends before the keeper goes.
  ~Peer() {
    keeper.stop();
    SimulatedTime::drain(io);
  }
  asio::io_context io;
  asio::strand<asio::io_context::executor_type> strand = asio::make_strand(io);
  LeaseKeeper keeper;
  bool finished = false;
};

struct LeaseSpreadTest : LeaseKeeperTest {
  static constexpr int kOrgs = 10;
  void SetUp() override {
    for (int i = 1; i <= kOrgs; ++i) store.organisations.push_back(OrgId{i});
  }
  // Both keepers' timers due by then run, in time order, each keeper going on at the instant
  // its timer was due.
  void run_both_for(Peer& peer, Millis d) {
    const Timestamp until = time.now() + d;
    for (auto next = time.next_deadline(); next && *next <= until; next = time.next_deadline()) {
      time.advance_to(*next);
      SimulatedTime::drain(io);
      SimulatedTime::drain(peer.io);
    }
    time.advance_to(until);
    SimulatedTime::drain(io);
    SimulatedTime::drain(peer.io);
  }
};

TEST_F(LeaseSpreadTest, OneInstanceAloneTakesEveryOrganisation) {
  start();
  EXPECT_EQ(keeper->stats().owned, 10u);
  EXPECT_EQ(keeper->stats().live_instances, 1u);
  EXPECT_EQ(keeper->stats().fair_share, 10u);
}

TEST_F(LeaseSpreadTest, ASecondInstanceJoinsAndTheFirstReleasesDownToItsShareWithoutFlapping) {
  start();
  ASSERT_EQ(keeper->stats().owned, 10u);
  Peer peer(time, store, "you", timings);
  EXPECT_EQ(peer.keeper.stats().owned, 0u);  // everything is held
  EXPECT_EQ(peer.keeper.stats().fair_share, 5u);
  // One release round of at most kMaxReleasesPerScan a scan, then the peer takes them.
  run_both_for(peer, Millis{1'000});
  EXPECT_EQ(keeper->stats().owned, 10u - LeaseKeeper::kMaxReleasesPerScan);
  run_both_for(peer, Millis{5'000});
  EXPECT_EQ(keeper->stats().owned, 5u);
  EXPECT_EQ(peer.keeper.stats().owned, 5u);
  EXPECT_EQ(keeper->stats().released, 5u);
  // The highest ids moved: the first keeps 1..5.
  for (int i = 1; i <= 5; ++i) EXPECT_TRUE(keeper->fence(OrgId{i})) << i;
  // Equal counts: nothing moves any more.
  const auto gained_before = gained.size();
  run_both_for(peer, Millis{60'000});
  EXPECT_EQ(keeper->stats().owned, 5u);
  EXPECT_EQ(peer.keeper.stats().owned, 5u);
  EXPECT_EQ(keeper->stats().released, 5u);
  EXPECT_EQ(gained.size(), gained_before);
  EXPECT_EQ(store.held_by("me") + store.held_by("you"), 10u);
}

TEST_F(LeaseSpreadTest, WhenAnInstanceDiesTheSurvivorTakesEverythingAfterTheTtl) {
  start();
  Peer peer(time, store, "you", timings);
  run_both_for(peer, Millis{6'000});
  ASSERT_EQ(keeper->stats().owned, 5u);
  ASSERT_EQ(peer.keeper.stats().owned, 5u);
  // The peer dies (its io_context never runs again): no release, no leave; its leases and its
  // heartbeat lapse.
  run_for(Millis{5'000});
  EXPECT_EQ(keeper->stats().owned, 5u);  // its leases (TTL 6 s) have not lapsed yet
  run_for(Millis{3'000});
  EXPECT_EQ(keeper->stats().owned, 10u);
  EXPECT_EQ(keeper->stats().live_instances, 1u);
}

TEST_F(LeaseSpreadTest, AGracefulStopLeavesTheClusterAndTheSurvivorTakesAllAtItsNextScan) {
  start();
  Peer peer(time, store, "you", timings);
  run_both_for(peer, Millis{6'000});
  ASSERT_EQ(keeper->stats().owned, 5u);
  peer.keeper.stop();
  SimulatedTime::drain(peer.io);
  ASSERT_TRUE(peer.finished);
  EXPECT_FALSE(store.instances.contains("you"));
  run_for(Millis{1'000});
  EXPECT_EQ(keeper->stats().owned, 10u);
}

TEST(LeaseTimings, TheDefaultsAreValidAndBadOnesAreExplained) {
  EXPECT_FALSE(invalid_lease_timings(LeaseTimings{}));
  struct Case {
    LeaseTimings timings;
    const char* why;
  };
  const Case cases[] = {
      {{Millis{6000}, Millis{0}, Millis{1000}, Millis{1000}}, "positive"},
      {{Millis{6000}, Millis{2000}, Millis{1000}, Millis{6000}}, "margin"},
      {{Millis{6000}, Millis{3000}, Millis{1000}, Millis{1000}}, "renew_every"},
  };
  for (const Case& c : cases) {
    auto why = invalid_lease_timings(c.timings);
    ASSERT_TRUE(why) << c.why;
    EXPECT_NE(why->find(c.why), std::string::npos) << *why;
  }
}

}  // namespace
}  // namespace ccteams
