// The outbound writer on simulated time: an hour of setPresence renewals in milliseconds,
// clears with TeamsBusyCleared, retries after failures.
#include "app/presence/outbound_writer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "app/metrics.hpp"
#include "app/testing/fake_presence_graph.hpp"
#include "app/testing/sim_org_loop.hpp"

namespace ccteams::presence {
namespace {

using testing::FakePresenceGraph;
using Call = FakePresenceGraph::Call;
constexpr Timestamp kT0{Millis{1'800'000'000'000}};
constexpr UserId kAgent{7};

struct Rig {
  Rig()
      : time(kT0),
        loop(time),
        graph(time),
        budget(sync::PresenceBudgetConfig{}),
        metrics_(registry),
        writer(OutboundWriterDeps{
            loop, graph, budget, metrics_, OrgId{1}, "client", config(), 8,
            [](UserId a) -> std::optional<std::string> {
              if (a == kAgent) return std::string("teams-7");
              return std::nullopt;
            },
            [this](UserId a, Timestamp at) -> boost::asio::awaitable<Result<void>> {
              cleared.emplace_back(a, at);
              co_return ok();
            },
            [this](UserId a) -> boost::asio::awaitable<Result<void>> {
              gone.push_back(a);
              co_return ok();
            }}) {
    writer.set_tenant("tenant");
    loop.drive(
        [this](Timestamp t, const testing::SimOrgLoop::Sooner& sooner) { writer.step(t, sooner); });
  }
  static sync::OutboundConfig config() {
    sync::OutboundConfig c;
    c.session_duration = std::chrono::minutes{30};
    c.renew_percent = 80;
    c.retry_initial = Millis{1'000};
    c.retry_max = Millis{60'000};
    return c;
  }
  void effect(const AgentEffect& e) {
    loop.on_strand([this, e] { writer.on_effect(e); });
  }

  testing::SimulatedTime time;
  testing::SimOrgLoop loop;
  FakePresenceGraph graph;
  sync::PresenceBudget budget;
  Metrics registry;
  SyncMetrics metrics_;
  std::vector<std::pair<UserId, Timestamp>> cleared;
  std::vector<UserId> gone;
  OutboundWriter writer;
};

TEST(OutboundWriter, SetPresenceIsRenewedBeforeItsExpiryForAnHour) {
  Rig rig;
  rig.effect(SetTeamsBusy{kAgent});
  rig.loop.run_for(std::chrono::hours{1});
  auto sets = rig.graph.calls(Call::set_presence);
  // At 0, then at 80 % of the 30 min session: 24 and 48 min; never a lapse in between.
  ASSERT_EQ(sets.size(), 3U);
  for (std::size_t i = 0; i < sets.size(); ++i) {
    EXPECT_EQ(sets[i].at, kT0 + std::chrono::minutes{24} * static_cast<int>(i)) << i;
    EXPECT_EQ(sets[i].id, "teams-7");
    EXPECT_EQ(sets[i].expiration, std::chrono::seconds{1800});
  }
  EXPECT_EQ(rig.writer.writes(), 3U);
  EXPECT_TRUE(rig.graph.calls(Call::clear_presence).empty());
}

TEST(OutboundWriter, ContactEndedClearsTheSessionAndFeedsTeamsBusyCleared) {
  Rig rig;
  rig.effect(SetTeamsBusy{kAgent});
  rig.loop.run_for(std::chrono::minutes{10});
  rig.effect(ClearTeamsBusy{kAgent});  // the contact ended
  rig.loop.run_for(std::chrono::hours{1});
  auto clears = rig.graph.calls(Call::clear_presence);
  ASSERT_EQ(clears.size(), 1U);
  EXPECT_EQ(clears[0].at, kT0 + std::chrono::minutes{10});
  ASSERT_EQ(rig.cleared.size(), 1U);
  EXPECT_EQ(rig.cleared[0], std::make_pair(kAgent, kT0 + std::chrono::minutes{10}));
  EXPECT_EQ(rig.writer.sessions_cleared(), 1U);
  // No renewal after the clear.
  EXPECT_EQ(rig.graph.calls(Call::set_presence).size(), 1U);
  EXPECT_FALSE(rig.writer.busy());
}

// Table: how a failed first setPresence is handled.
struct FailureCase {
  const char* name;
  GraphErrorKind kind;
  std::size_t sets_in_first_minute;  // the failed one and its retries
  std::uint64_t throttles;
};

class OutboundWriterFailure : public ::testing::TestWithParam<FailureCase> {};

TEST_P(OutboundWriterFailure, IsRetriedOrGivenUp) {
  const FailureCase& c = GetParam();
  Rig rig;
  rig.graph.fail_next(Call::set_presence, c.kind);
  rig.effect(SetTeamsBusy{kAgent});
  rig.loop.run_for(std::chrono::minutes{1});
  EXPECT_EQ(rig.graph.calls(Call::set_presence).size(), c.sets_in_first_minute);
  EXPECT_EQ(rig.writer.failures(), 1U);
  EXPECT_EQ(rig.writer.throttles(), c.throttles);
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, OutboundWriterFailure,
    ::testing::Values(FailureCase{"unavailable", GraphErrorKind::unavailable, 2, 0},
                      FailureCase{"throttled", GraphErrorKind::throttled, 2, 1},
                      FailureCase{"refused", GraphErrorKind::invalid_request, 1, 0}),
    [](const auto& p) { return std::string(p.param.name); });

// A session a killed process may have left (the agent's durable mark): one clearPresence; the
// 404 of a session that was not there settles it like a confirmed clear.
TEST(OutboundWriter, AStaleSessionGetsOneClearAndA404SettlesIt) {
  Rig rig;
  rig.graph.fail_next(Call::clear_presence, GraphErrorKind::not_found);
  rig.effect(ClearStaleTeamsBusy{kAgent});
  rig.loop.run_for(std::chrono::hours{1});
  auto clears = rig.graph.calls(Call::clear_presence);
  ASSERT_EQ(clears.size(), 1U);
  EXPECT_EQ(clears[0].at, kT0);
  EXPECT_EQ(clears[0].id, "teams-7");
  EXPECT_TRUE(rig.graph.calls(Call::set_presence).empty());
  ASSERT_EQ(rig.cleared.size(), 1U);
  EXPECT_EQ(rig.cleared[0].first, kAgent);
  EXPECT_TRUE(rig.gone.empty());
  EXPECT_FALSE(rig.writer.busy());
}

// A contact that ended before its setPresence went out: nothing is sent, and the session is
// reported gone (the app drops the mark) without a clear.
TEST(OutboundWriter, ASetThatNeverWentOutReportsTheSessionGone) {
  Rig rig;
  rig.loop.on_strand([&rig] {
    rig.writer.on_effect(SetTeamsBusy{kAgent});
    rig.writer.on_effect(ClearTeamsBusy{kAgent});
  });
  rig.loop.run_for(std::chrono::minutes{1});
  EXPECT_TRUE(rig.graph.log().empty());
  EXPECT_EQ(rig.gone, std::vector<UserId>{kAgent});
  EXPECT_TRUE(rig.cleared.empty());
}

TEST(OutboundWriter, AnAgentNoLongerLinkedIsNotWritten) {
  Rig rig;
  rig.effect(SetTeamsBusy{UserId{99}});
  rig.loop.run_for(std::chrono::minutes{1});
  EXPECT_TRUE(rig.graph.log().empty());
}

}  // namespace
}  // namespace ccteams::presence
