// The watch set: who is linked (a Teams user and a profile enabling Teams) and gets
// SyncEnabled, who is watched (logged in), which users need a first read, and when the next
// recomputation is due.
#include "app/presence/watch_set.hpp"

#include <gtest/gtest.h>

#include <map>

#include "app/testing/run_awaitable.hpp"
#include <vector>

namespace ccteams::presence {
namespace {

constexpr Timestamp kT0{Millis{1'800'000'000'000}};
constexpr OrgId kOrg{1};
constexpr DesktopProfileId kTeamsProfile{10};
constexpr DesktopProfileId kWebexProfile{11};

struct Rig {
  Rig()
      : watch(WatchSetDeps{kOrg, Millis{5'000},
                           [this](std::vector<UserId> list,
                                  bool enabled) -> boost::asio::awaitable<Result<void>> {
                             if (refuse_next) {
                               refuse_next = false;
                               co_return make_error(Errc::unavailable, "contact center busy");
                             }
                             for (UserId a : list) given[a.value].push_back(enabled);
                             co_return ok();
                           }}) {
    profiles.push_back(profile(kTeamsProfile, true));
    profiles.push_back(profile(kWebexProfile, false));
  }
  static DesktopProfile profile(DesktopProfileId id, bool teams) {
    DesktopProfile p;
    p.id = id;
    p.org = kOrg;
    p.name = teams ? "Teams" : "Webex";
    p.microsoft_teams = teams;
    return p;
  }
  void agent(std::int64_t id, std::optional<std::string> teams_user, DesktopProfileId profile_id,
             AgentStatus s) {
    AgentConfig a;
    a.user = UserId{id};
    a.org = kOrg;
    a.desktop_profile = profile_id;
    a.teams_user_id = std::move(teams_user);
    agents.push_back(a);
    status[a.user] = s;
  }
  Result<WatchInputs> read() const {
    if (fail_read) return make_error(Errc::unavailable, "store down");
    WatchInputs in;
    in.agents = agents;
    in.profiles = profiles;
    in.status = status;
    return in;
  }
  WatchSet::Change recompute(Timestamp t = kT0) {
    auto c = testing::run_awaitable(watch.recompute(t, read()));
    EXPECT_TRUE(c);
    return c.value_or(WatchSet::Change{});
  }

  std::vector<AgentConfig> agents;
  std::vector<DesktopProfile> profiles;
  std::unordered_map<UserId, AgentStatus> status;
  bool fail_read = false;
  bool refuse_next = false;
  std::map<std::int64_t, std::vector<bool>> given;  // agent -> SyncEnabled (true) / Disabled
  WatchSet watch;
};

using Users = std::vector<std::string>;

TEST(WatchSet, LinkedAgentsGetSyncEnabledAndThoseLoggedInAreWatched) {
  Rig rig;
  rig.agent(1, "u1", kTeamsProfile, AgentStatus::available);
  rig.agent(2, "u2", kTeamsProfile, AgentStatus::logged_out);         // linked, not watched
  rig.agent(3, "u3", kWebexProfile, AgentStatus::available);          // the profile has no Teams
  rig.agent(4, std::nullopt, kTeamsProfile, AgentStatus::available);  // no Teams user
  rig.agent(5, "", kTeamsProfile, AgentStatus::available);            // no Teams user either
  const auto change = rig.recompute();
  EXPECT_EQ(change.first_reads, (Users{"u1"}));
  EXPECT_TRUE(change.users_changed);
  EXPECT_EQ(rig.given, (std::map<std::int64_t, std::vector<bool>>{{1, {true}}, {2, {true}}}));
  EXPECT_EQ(rig.watch.linked(), 2U);
  EXPECT_EQ(rig.watch.watched_ids(), (Users{"u1"}));
  EXPECT_EQ(rig.watch.teams_user(UserId{2}), "u2");
  EXPECT_EQ(rig.watch.teams_user(UserId{3}), std::nullopt);
  ASSERT_NE(rig.watch.agents_of("u1"), nullptr);
  EXPECT_EQ(*rig.watch.agents_of("u1"), (std::vector<UserId>{UserId{1}}));
  EXPECT_EQ(rig.watch.agents_of("u2"), nullptr);
}

TEST(WatchSet, AProfileNoLongerEnablingTeamsGivesItsAgentsSyncDisabled) {
  Rig rig;
  rig.agent(1, "u1", kTeamsProfile, AgentStatus::available);
  rig.recompute();
  rig.profiles[0].microsoft_teams = false;
  const auto change = rig.recompute(kT0 + Millis{5'000});
  EXPECT_TRUE(change.users_changed);
  EXPECT_TRUE(change.first_reads.empty());
  EXPECT_EQ(rig.given[1], (std::vector<bool>{true, false}));
  EXPECT_FALSE(rig.watch.sync_enabled(UserId{1}));
  EXPECT_EQ(rig.watch.linked(), 0U);
  EXPECT_EQ(rig.watch.watched_count(), 0U);
}

TEST(WatchSet, ALogInAddsAFirstReadAndALogOutRemovesTheUser) {
  Rig rig;
  rig.agent(1, "u1", kTeamsProfile, AgentStatus::available);
  rig.agent(2, "u2", kTeamsProfile, AgentStatus::logged_out);
  rig.recompute();
  rig.status[UserId{2}] = AgentStatus::available;
  auto change = rig.recompute(kT0 + Millis{1'000});
  EXPECT_EQ(change.first_reads, (Users{"u2"}));
  EXPECT_TRUE(change.users_changed);
  EXPECT_EQ(rig.watch.watched_ids(), (Users{"u1", "u2"}));
  rig.status[UserId{1}] = AgentStatus::logged_out;
  change = rig.recompute(kT0 + Millis{2'000});
  EXPECT_TRUE(change.first_reads.empty());
  EXPECT_TRUE(change.users_changed);
  EXPECT_EQ(rig.watch.watched_ids(), (Users{"u2"}));
  // Logging out does not unlink: SyncEnabled stays, given once.
  EXPECT_EQ(rig.given[1], (std::vector<bool>{true}));
  EXPECT_TRUE(rig.watch.sync_enabled(UserId{1}));
}

TEST(WatchSet, ASecondAgentOnAWatchedUserGetsAFirstReadWithoutChangingTheUsers) {
  Rig rig;
  rig.agent(1, "shared", kTeamsProfile, AgentStatus::available);
  rig.agent(2, "shared", kTeamsProfile, AgentStatus::logged_out);
  rig.recompute();
  rig.status[UserId{2}] = AgentStatus::available;
  const auto change = rig.recompute(kT0 + Millis{1'000});
  EXPECT_EQ(change.first_reads, (Users{"shared"}));
  EXPECT_FALSE(change.users_changed);  // the cadence and subscriptions need no change
  EXPECT_EQ(rig.watch.agents_of("shared")->size(), 2U);
}

TEST(WatchSet, NothingChangedMeansNoFirstReadAndNoChange) {
  Rig rig;
  rig.agent(1, "u1", kTeamsProfile, AgentStatus::available);
  rig.recompute();
  const auto change = rig.recompute(kT0 + Millis{5'000});
  EXPECT_TRUE(change.first_reads.empty());
  EXPECT_FALSE(change.users_changed);
  EXPECT_EQ(rig.given[1].size(), 1U);
}

TEST(WatchSet, RecomputesEveryRefreshSoonAfterALogInAndAtOnceWhenAsked) {
  Rig rig;
  EXPECT_LE(rig.watch.due(), kT0);  // the first one at once
  rig.recompute();
  EXPECT_EQ(rig.watch.due(), kT0 + Millis{5'000});
  // A log-in: 250 ms later, so that a shift starting makes a few recomputations, not hundreds.
  EXPECT_TRUE(rig.watch.agent_logged_in_or_out(kT0 + Millis{1'000}));
  EXPECT_EQ(rig.watch.due(), kT0 + Millis{1'250});
  EXPECT_FALSE(rig.watch.agent_logged_in_or_out(kT0 + Millis{1'100}));  // one is due already
  EXPECT_EQ(rig.watch.due(), kT0 + Millis{1'250});
  // The connector's settings changed: at once.
  EXPECT_TRUE(rig.watch.due_by(kT0 + Millis{1'100}));
  EXPECT_EQ(rig.watch.due(), kT0 + Millis{1'100});
  EXPECT_FALSE(rig.watch.due_by(kT0 + Millis{2'000}));
}

TEST(WatchSet, ARefusedSyncEnabledIsGivenAtTheNextRecomputation) {
  Rig rig;
  rig.agent(1, "u1", kTeamsProfile, AgentStatus::available);
  rig.refuse_next = true;
  rig.recompute();
  EXPECT_FALSE(rig.watch.sync_enabled(UserId{1}));
  EXPECT_TRUE(rig.given.empty());
  rig.recompute(kT0 + Millis{5'000});
  EXPECT_TRUE(rig.watch.sync_enabled(UserId{1}));
  EXPECT_EQ(rig.given[1], (std::vector<bool>{true}));
}

TEST(WatchSet, AnUnreadableStoreChangesNothingAndTriesAgainAfterTheRefresh) {
  Rig rig;
  rig.agent(1, "u1", kTeamsProfile, AgentStatus::available);
  rig.recompute();
  rig.fail_read = true;
  rig.agents.clear();
  EXPECT_FALSE(testing::run_awaitable(rig.watch.recompute(kT0 + Millis{5'000}, rig.read())));
  EXPECT_EQ(rig.watch.watched_ids(), (Users{"u1"}));
  EXPECT_TRUE(rig.watch.sync_enabled(UserId{1}));
  EXPECT_EQ(rig.watch.due(), kT0 + Millis{10'000});
}

TEST(WatchSet, SwitchingOffGivesSyncDisabledToEveryEnabledAgent) {
  Rig rig;
  rig.agent(1, "u1", kTeamsProfile, AgentStatus::available);
  rig.agent(2, "u2", kTeamsProfile, AgentStatus::logged_out);
  rig.recompute();
  testing::run_awaitable(rig.watch.disable_all());
  EXPECT_EQ(rig.given[1], (std::vector<bool>{true, false}));
  EXPECT_EQ(rig.given[2], (std::vector<bool>{true, false}));
  EXPECT_FALSE(rig.watch.sync_enabled(UserId{1}));
}

}  // namespace
}  // namespace ccteams::presence
