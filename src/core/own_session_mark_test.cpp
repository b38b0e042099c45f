// The durable mark of our Teams presence session (core/agent_state.hpp, "Across restarts"): when
// it is set and dropped, what SyncEnabled does with it after a restart, and the restart scenario
// the mark exists for (issue 17: a kill must never leave our own session behind).

#include <gtest/gtest.h>

#include "core/agent_state.hpp"
#include "core/agent_state_test_support.hpp"

namespace ccteams {
namespace {

using namespace agent_test;  // NOLINT: test fixtures
using std::chrono::hours;
using std::chrono::seconds;

const Timestamp kNow = kT0 + seconds{5};
const Timestamp kEarlier = kT0 - hours{1};

AgentState marked(AgentState s, Timestamp since = kEarlier) {
  s.own_session.may_show_since = since;
  return s;
}

// What the store gives back after a restart: the stored fields, no presence bookkeeping.
AgentState stored(AgentStatus status, std::optional<Timestamp> mark) {
  AgentState s = base(status, /*sync=*/false);
  s.own_session = OwnSession{};
  s.own_session.may_show_since = mark;
  return s;
}

struct MarkCase {
  std::string name;
  AgentState from;
  AgentEvent event;
  std::optional<Timestamp> mark;     // may_show_since after the event
  std::vector<std::string> effects;  // the Teams effects only (SetTeamsBusy, Clear…)
  std::optional<Timestamp> cleared_at = std::nullopt;  // checked when set
};

void PrintTo(const MarkCase& c, std::ostream* os) { *os << c.name; }

std::vector<std::string> teams_effects(const Transition& t) {
  std::vector<std::string> out;
  for (const auto& name : effect_names(t)) {
    if (name.find("TeamsBusy") != std::string::npos) out.push_back(name);
  }
  return out;
}

std::vector<MarkCase> mark_cases() {
  using S = AgentStatus;
  const std::vector<std::string> set{"SetTeamsBusy"};
  const std::vector<std::string> clear{"ClearTeamsBusy"};
  const std::vector<std::string> stale{"ClearStaleTeamsBusy"};
  const std::vector<std::string> none{};
  auto after_contact = [](AgentState s) {  // the contact ended, the clear not confirmed yet
    s.own_session.active = false;
    s.own_session.cleared_at = kT0;
    return s;
  };
  return {
      // Set with the decision that first wants the session (stored before setPresence goes).
      {"OfferSetsTheMark", available(), Offer{kContact, seconds{15}}, kNow, set},
      {"OfferKeepsAnOlderMark", marked(available()), Offer{kContact, seconds{15}}, kEarlier, set},
      {"OfferWithSyncOffSetsNone", base(S::available, false), Offer{kContact, seconds{15}},
       std::nullopt, none},
      {"SyncOnWhileEngagedSetsTheMark", base(S::engaged, false), SyncEnabled{}, kNow, set},
      // Kept while the session may show: ending the contact only asks for the clear.
      {"ContactEndedKeepsTheMark", marked(engaged()), ContactEnded{kContact, seconds{0}}, kEarlier,
       clear},
      {"DeclineKeepsTheMark", marked(reserved()), Decline{kContact}, kEarlier, clear},
      {"ForceLogoutKeepsTheMark", marked(engaged()), ForceLogout{}, kEarlier, clear},
      {"SyncOffKeepsTheMark", marked(engaged()), SyncDisabled{}, kEarlier, clear},
      // Dropped once the session is known to show nothing, unless it is wanted again.
      {"ConfirmedClearDropsTheMark", marked(after_contact(available())), TeamsBusyCleared{kNow},
       std::nullopt, none, kNow},
      {"ConfirmedClearWhileWantedKeepsIt", marked(reserved()), TeamsBusyCleared{kNow}, kEarlier,
       none},
      {"GoneDropsTheMark", marked(after_contact(available())), OwnSessionGone{}, std::nullopt, none,
       kT0},
      {"GoneWhileWantedKeepsIt", marked(engaged()), OwnSessionGone{}, kEarlier, none},
      {"GoneWithoutAMarkChangesNothing", available(), OwnSessionGone{}, std::nullopt, none},
      // After a restart (stored state: sync off, no bookkeeping): SyncEnabled decides.
      {"SyncOnAvailableWithAMarkClearsTheStaleSession", stored(S::available, kEarlier),
       SyncEnabled{}, kEarlier, stale, kNow},
      {"SyncOnIdleWithAMarkClearsIt", stored(S::idle, kEarlier), SyncEnabled{}, kEarlier, stale,
       kNow},
      {"SyncOnWrapUpWithAMarkClearsIt", stored(S::wrap_up, kEarlier), SyncEnabled{}, kEarlier,
       stale, kNow},
      {"SyncOnLoggedOutWithAMarkClearsIt", stored(S::logged_out, kEarlier), SyncEnabled{}, kEarlier,
       stale, kNow},
      {"SyncOnEngagedWithAMarkSetsItAgain", stored(S::engaged, kEarlier), SyncEnabled{}, kEarlier,
       set},
      {"SyncOnReservedWithAMarkSetsItAgain", stored(S::reserved, kEarlier), SyncEnabled{}, kEarlier,
       set},
      // Bounded: an agent without a mark costs no Graph call.
      {"SyncOnWithoutAMarkSendsNothing", stored(S::available, std::nullopt), SyncEnabled{},
       std::nullopt, none},
      {"SyncOnLoggedOutWithoutAMarkSendsNothing", stored(S::logged_out, std::nullopt),
       SyncEnabled{}, std::nullopt, none},
      {"SyncOnTwiceSendsNothing", marked(available()), SyncEnabled{}, kEarlier, none},
  };
}

class OwnSessionMark : public ::testing::TestWithParam<MarkCase> {};

TEST_P(OwnSessionMark, Table) {
  const MarkCase& c = GetParam();
  auto r = apply(c.from, c.event, kNow);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->state.own_session.may_show_since, c.mark);
  EXPECT_EQ(teams_effects(*r), c.effects);
  if (c.cleared_at) {
    EXPECT_EQ(r->state.own_session.cleared_at, c.cleared_at);
  }
}

INSTANTIATE_TEST_SUITE_P(Events, OwnSessionMark, ::testing::ValuesIn(mark_cases()),
                         [](const auto& test_info) { return test_info.param.name; });

// The kill landed after the contact ended and before the clear went out: Teams still shows our
// Busy/InACall. Restarted, the agent's mark makes the first sync's read of it an echo.
TEST(OwnSessionMark, AfterARestartOurBusyReadByTheFirstSyncDoesNotIdle) {
  Agent a(stored(AgentStatus::available, kEarlier));
  const Timestamp start = kT0;
  auto enabled = a.on(SyncEnabled{}, start);
  EXPECT_EQ(teams_effects(enabled), std::vector<std::string>{"ClearStaleTeamsBusy"});
  const auto first_read = seen(in_call_p(), start + seconds{1}, "A1", PresenceChannel::poll);
  EXPECT_EQ(classify_presence(a.state(), first_read), PresenceOutcome::own_echo);
  a.on(first_read, start + seconds{1});
  EXPECT_EQ(a.state().status, AgentStatus::available);
  // Graph confirms the clear; the mark goes; what Teams shows then is the user's own.
  a.on(TeamsBusyCleared{start + seconds{2}}, start + seconds{2});
  EXPECT_FALSE(a.state().own_session.may_show_since);
  a.on(seen(available_p(), start + seconds{3}, "A2"), start + seconds{3});
  EXPECT_EQ(a.state().status, AgentStatus::available);
  a.on(seen(dnd_p(), start + seconds{4}, "A3"), start + seconds{4});
  EXPECT_EQ(a.state().status, AgentStatus::idle);  // a real change is applied as ever
}

// Without the mark (what a restart saw before it existed) the same read idles the agent: rule
// 5 broken across the restart.
TEST(OwnSessionMark, WithoutTheMarkTheSameReadIdlesTheAgent) {
  Agent a(stored(AgentStatus::available, std::nullopt));
  a.on(SyncEnabled{}, kT0);
  a.on(seen(in_call_p(), kT0 + seconds{1}, "A1", PresenceChannel::poll), kT0 + seconds{1});
  EXPECT_EQ(a.state().status, AgentStatus::idle);
  EXPECT_EQ(a.state().idle_code, kCall);
}

// A whole contact with sync on: the mark is set with the offer and survives until the clear is
// confirmed, whatever happens in between.
TEST(OwnSessionMark, LivesFromTheOfferUntilTheConfirmedClear) {
  Agent a(available());
  Timestamp t = kT0;
  a.on(Offer{kContact, seconds{15}}, t += seconds{1});
  const Timestamp offered = t;
  EXPECT_EQ(a.state().own_session.may_show_since, offered);
  a.on(Accept{kContact}, t += seconds{1});
  a.on(ContactEnded{kContact, seconds{10}}, t += seconds{1});
  a.on(WrapUpDone{kContact}, t += seconds{10});
  EXPECT_EQ(a.state().own_session.may_show_since, offered);
  a.on(TeamsBusyCleared{t}, t += seconds{1});
  EXPECT_FALSE(a.state().own_session.may_show_since);
}

}  // namespace
}  // namespace ccteams
