// DESIGN.md presence sync rules 1-5 as tables and scenarios over the agent state machine.

#include <gtest/gtest.h>

#include "core/agent_state.hpp"
#include "core/agent_state_test_support.hpp"

namespace ccteams {
namespace {

using namespace agent_test;  // NOLINT: test fixtures
using std::chrono::seconds;

struct RuleCase {
  std::string name;
  AgentState from;
  Presence presence;
  PresenceOutcome outcome;
  AgentStatus status;
  std::optional<IdleCodeId> idle_code;
  std::optional<IdleOrigin> origin;
  std::vector<std::string> effects;
};

void PrintTo(const RuleCase& c, std::ostream* os) { *os << c.name; }

std::vector<RuleCase> rule_cases() {
  using S = AgentStatus;
  using O = PresenceOutcome;
  const auto ps = IdleOrigin::presence_sync;
  const std::vector<std::string> shown{"TeamsPresenceUpdated"};
  const std::vector<std::string> shown_and_state{"TeamsPresenceUpdated", "StateChanged"};
  const auto AV = with_baseline(available(), available_p());
  const auto IDs = with_baseline(idle(kDnd, ps), dnd_p());
  const auto IDm = with_baseline(idle(kLunch, IdleOrigin::manual), available_p());
  const auto IDr = with_baseline(idle(kRona, IdleOrigin::rona), available_p());
  const auto IDsys = with_baseline(idle(kMeeting, IdleOrigin::system), available_p());
  const auto EN_no_session = [] {
    auto s = with_baseline(engaged(), available_p());
    s.own_session.active = false;  // e.g. our write was coalesced away: rule 3 still holds
    return s;
  }();
  return {
      // Rule 1: an Available agent goes Idle with the mapped code.
      {"R1_DndIdles", AV, dnd_p(), O::applied, S::idle, kDnd, ps, shown_and_state},
      {"R1_InACallIdles", AV, in_call_p(), O::applied, S::idle, kCall, ps, shown_and_state},
      {"R1_ConferenceIdles", AV, p(Availability::busy, Activity::in_a_conference_call), O::applied,
       S::idle, kConf, ps, shown_and_state},
      {"R1_PresentingIdlesWithItsOwnCode", AV, presenting_p(), O::applied, S::idle, kPresenting, ps,
       shown_and_state},
      {"R1_FocusingFallsToDndAny", AV, p(Availability::do_not_disturb, Activity::focusing),
       O::applied, S::idle, kDnd, ps, shown_and_state},
      {"R1_AwayIsUnmapped", AV, away_p(), O::kept, S::available, {}, {}, shown},
      {"R1_InAMeetingIsUnmapped", AV, p(Availability::busy, Activity::in_a_meeting), O::kept,
       S::available, {}, {}, shown},
      {"R1_UnknownValuesAreUnmapped", AV, parse_presence("Sleeping", "Dreaming"), O::kept,
       S::available, {}, {}, shown},
      // Rule 2: only a sync idle is undone by sync.
      {"R2_AvailableEndsSyncIdle", IDs, available_p(), O::applied, S::available, {}, {},
       shown_and_state},
      {"R2_AwayEndsSyncIdle", IDs, away_p(), O::applied, S::available, {}, {}, shown_and_state},
      {"R2_OtherMappedPresenceSwitchesCode", IDs, presenting_p(), O::applied, S::idle, kPresenting,
       ps, shown_and_state},
      {"R2_SameCodeKept", IDs, p(Availability::do_not_disturb, Activity::focusing), O::kept,
       S::idle, kDnd, ps, shown},
      // Rule 4: sync never undoes a manual, rona or system idle.
      {"R4_ManualIdleKeptOnAvailable", with_baseline(IDm, dnd_p()), available_p(), O::kept,
       S::idle, kLunch, IdleOrigin::manual, shown},
      {"R4_ManualIdleKeptOnDnd", IDm, dnd_p(), O::kept, S::idle, kLunch, IdleOrigin::manual, shown},
      {"R4_RonaKeptOnAvailable", with_baseline(IDr, dnd_p()), available_p(), O::kept, S::idle,
       kRona, IdleOrigin::rona, shown},
      {"R4_RonaKeptOnDnd", IDr, dnd_p(), O::kept, S::idle, kRona, IdleOrigin::rona, shown},
      {"R4_SystemIdleKept", IDsys, dnd_p(), O::kept, S::idle, kMeeting, IdleOrigin::system, shown},
      {"R4_ManualAvailableWinsUntilAChange", with_baseline(available(), dnd_p()), dnd_p(),
       O::unchanged, S::available, {}, {}, shown},
      // Rule 3: remembered while a contact is with the agent.
      {"R3_ReservedRemembers", with_baseline(reserved(), available_p()), dnd_p(), O::remembered,
       S::reserved, {}, {}, shown},
      {"R3_EngagedRemembers", EN_no_session, presenting_p(), O::remembered, S::engaged, {}, {},
       shown},
      {"R3_WrapUpRemembers", with_baseline(wrap_up(), available_p()), dnd_p(), O::remembered,
       S::wrap_up, {}, {}, shown},
      // Rule 5: Busy/InACall while our session is on is ours.
      {"R5_EchoWhileEngaged", with_baseline(engaged(), available_p()), in_call_p(), O::own_echo,
       S::engaged, {}, {}, shown},
      {"R5_EchoWhileReserved", with_baseline(reserved(), available_p()), in_call_p(), O::own_echo,
       S::reserved, {}, {}, shown},
      {"R5_ConferenceCallIsNotOurs", with_baseline(engaged(), available_p()),
       p(Availability::busy, Activity::in_a_conference_call), O::remembered, S::engaged, {}, {},
       shown},
      // Sync off or logged out: only recorded.
      {"OffRecordsOnly", with_baseline(base(S::available, false), available_p()), dnd_p(),
       O::recorded, S::available, {}, {}, shown},
      {"LoggedOutRecordsOnly", logged_out(), dnd_p(), O::recorded, S::logged_out, {}, {}, shown},
  };
}

class PresenceRules : public ::testing::TestWithParam<RuleCase> {};

TEST_P(PresenceRules, Table) {
  const RuleCase& c = GetParam();
  const Timestamp at = kT0 + seconds{3};
  const PresenceChanged event = seen(c.presence, at, "A0000000100");
  EXPECT_EQ(classify_presence(c.from, event), c.outcome)
      << presence_outcome_name(classify_presence(c.from, event));
  auto r = apply(c.from, event, at);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->state.status, c.status);
  EXPECT_EQ(r->state.idle_code, c.idle_code);
  EXPECT_EQ(r->state.origin, c.origin);
  EXPECT_EQ(effect_names(*r), c.effects);
  ASSERT_TRUE(r->state.teams_presence);
  EXPECT_EQ(r->state.teams_presence->presence, c.presence);  // always visible to supervisors
  EXPECT_EQ(r->state.teams_presence->seen_at, at);
  if (c.outcome == PresenceOutcome::own_echo) {
    EXPECT_EQ(r->state.baseline, c.from.baseline);  // an echo is not the user's presence
  } else {
    EXPECT_EQ(r->state.baseline, c.presence);
  }
  EXPECT_EQ(r->state.remembered.has_value(), c.outcome == PresenceOutcome::remembered);
}

INSTANTIATE_TEST_SUITE_P(StateByPresenceByOrigin, PresenceRules, ::testing::ValuesIn(rule_cases()),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(PresenceSequence, OlderAndDuplicateUpdatesAreDropped) {
  Agent a(with_baseline(available(), available_p()));
  a.on(seen(dnd_p(), kT0, "A0000000005"), kT0);
  EXPECT_EQ(a.state().status, AgentStatus::idle);
  // An older "Available" arriving late must not undo the newer DND.
  const auto older = seen(available_p(), kT0 + seconds{1}, "A0000000004");
  EXPECT_EQ(classify_presence(a.state(), older), PresenceOutcome::stale);
  auto t = a.on(older, kT0 + seconds{1});
  EXPECT_TRUE(t.effects.empty());
  EXPECT_EQ(a.state().status, AgentStatus::idle);
  EXPECT_EQ(a.state().teams_presence->presence, dnd_p());
  // The same stamp again (a retried notification, or the poll reading it) changes nothing.
  const AgentState before = a.state();
  const auto dup = seen(dnd_p(), kT0 + seconds{2}, "A0000000005", PresenceChannel::poll);
  EXPECT_EQ(classify_presence(a.state(), dup), PresenceOutcome::duplicate);
  t = a.on(dup, kT0 + seconds{2});
  EXPECT_TRUE(t.effects.empty());
  EXPECT_EQ(a.state(), before);
  // Newer applies.
  a.on(seen(available_p(), kT0 + seconds{3}, "A0000000006"), kT0 + seconds{3});
  EXPECT_EQ(a.state().status, AgentStatus::available);
}

TEST(PresenceSequence, TheFirstSyncAppliesTheStampLastRecorded) {
  // DND was recorded while sync was off; switching it on reads the same stamp again.
  Agent a(with_baseline(available(), available_p()));
  a.on(SyncDisabled{}, kT0);
  a.on(seen(dnd_p(), kT0, "A0000000005"), kT0);
  EXPECT_EQ(a.state().status, AgentStatus::available);
  a.on(SyncEnabled{}, kT0 + seconds{1});
  const auto same = seen(dnd_p(), kT0 + seconds{2}, "A0000000005", PresenceChannel::poll);
  EXPECT_EQ(classify_presence(a.state(), same), PresenceOutcome::applied);
  a.on(same, kT0 + seconds{2});
  EXPECT_EQ(a.state().status, AgentStatus::idle);
  // Once applied, the same stamp is a duplicate again.
  EXPECT_EQ(classify_presence(a.state(), seen(dnd_p(), kT0 + seconds{3}, "A0000000005")),
            PresenceOutcome::duplicate);
}

TEST(PresenceSequence, MissingStampAppliesButKeepsTheKnownOrder) {
  Agent a(with_baseline(available(), available_p()));
  a.on(seen(dnd_p(), kT0, "A0000000005"), kT0);
  a.on(seen(available_p(), kT0 + seconds{1}, ""), kT0 + seconds{1});
  EXPECT_EQ(a.state().status, AgentStatus::available);
  EXPECT_EQ(a.state().teams_presence->sequence_number, "A0000000005");
  EXPECT_EQ(classify_presence(a.state(), seen(dnd_p(), kT0, "A0000000004")),
            PresenceOutcome::stale);
}

TEST(PresenceSequence, SamePresenceWithNewStampIsNotAChange) {
  Agent a(with_baseline(available(), dnd_p()));  // manual Available over a DND
  auto t = a.on(seen(dnd_p(), kT0, "A1"), kT0);
  EXPECT_EQ(a.state().status, AgentStatus::available);
  EXPECT_EQ(effect_names(t), std::vector<std::string>{"TeamsPresenceUpdated"});
  a.on(seen(dnd_p(), kT0 + seconds{1}, "A2", PresenceChannel::poll), kT0 + seconds{1});
  EXPECT_EQ(a.state().status, AgentStatus::available);
  EXPECT_EQ(a.state().teams_presence->channel, PresenceChannel::poll);
}

TEST(Rule3, MappedPresenceRememberedDuringContactIdlesAtTheEnd) {
  Agent a(with_baseline(available(), available_p()));
  a.on(Offer{kContact, seconds{15}}, kT0);
  a.on(Accept{kContact}, kT0 + seconds{2});
  a.on(seen(dnd_p(), kT0 + seconds{3}), kT0 + seconds{3});
  EXPECT_EQ(a.state().status, AgentStatus::engaged);
  auto t = a.on(ContactEnded{kContact, seconds{0}}, kT0 + seconds{60});
  EXPECT_EQ(a.state().status, AgentStatus::idle);
  EXPECT_EQ(a.state().idle_code, kDnd);
  EXPECT_EQ(a.state().origin, IdleOrigin::presence_sync);
  EXPECT_FALSE(a.state().remembered);
  EXPECT_EQ(effect_names(t), (std::vector<std::string>{"ClearTeamsBusy", "StateChanged"}));
  // Leaving DND later is rule 2.
  a.on(seen(available_p(), kT0 + seconds{70}), kT0 + seconds{70});
  EXPECT_EQ(a.state().status, AgentStatus::available);
}

TEST(Rule3, LastRememberedPresenceDecidesAfterWrapUp) {
  Agent a(with_baseline(engaged(), available_p()));
  a.on(seen(presenting_p(), kT0 + seconds{1}), kT0 + seconds{1});
  a.on(seen(away_p(), kT0 + seconds{2}), kT0 + seconds{2});
  a.on(ContactEnded{kContact, seconds{30}}, kT0 + seconds{3});
  EXPECT_EQ(a.state().status, AgentStatus::wrap_up);
  a.on(WrapUpDone{kContact}, kT0 + seconds{33});
  EXPECT_EQ(a.state().status, AgentStatus::available);  // Away is unmapped
}

TEST(Rule3, RememberedDuringRingingAppliesOnDeclineButNotOnRona) {
  Agent declined(with_baseline(reserved(), available_p()));
  declined.on(seen(dnd_p(), kT0 + seconds{1}), kT0 + seconds{1});
  declined.on(Decline{kContact}, kT0 + seconds{2});
  EXPECT_EQ(declined.state().status, AgentStatus::idle);
  EXPECT_EQ(declined.state().origin, IdleOrigin::presence_sync);

  Agent rona(with_baseline(reserved(), available_p()));
  rona.on(seen(dnd_p(), kT0 + seconds{1}), kT0 + seconds{1});
  rona.on(RonaTimeout{kContact, kRona}, kT0 + seconds{15});
  EXPECT_EQ(rona.state().idle_code, kRona);
  EXPECT_EQ(rona.state().origin, IdleOrigin::rona);
  // Rule 4: sync does not undo RONA, even when Teams goes Available.
  rona.on(seen(available_p(), kT0 + seconds{20}), kT0 + seconds{20});
  EXPECT_EQ(rona.state().origin, IdleOrigin::rona);
}

TEST(Rule3, NoChangeDuringContactMeansAvailable) {
  // A manual Available over a mapped presence survives a contact: nothing changed meanwhile.
  Agent a(with_baseline(available(), dnd_p()));
  a.on(Offer{kContact, seconds{15}}, kT0);
  a.on(Accept{kContact}, kT0 + seconds{1});
  a.on(seen(dnd_p(), kT0 + seconds{2}), kT0 + seconds{2});  // not a change
  a.on(ContactEnded{kContact, seconds{0}}, kT0 + seconds{9});
  EXPECT_EQ(a.state().status, AgentStatus::available);
}

TEST(Rule5, LateInACallAfterContactEndDoesNotIdle) {
  Agent a(with_baseline(available(), available_p()));
  a.on(Offer{kContact, seconds{15}}, kT0);
  a.on(Accept{kContact}, kT0 + seconds{2});
  a.on(seen(in_call_p(), kT0 + seconds{3}, "A2"), kT0 + seconds{3});  // our echo, on time
  const Timestamp ended = kT0 + seconds{60};
  a.on(ContactEnded{kContact, seconds{0}}, ended);
  EXPECT_EQ(a.state().status, AgentStatus::available);
  // A second copy of the echo, delivered 50 s late by Graph.
  auto late = seen(in_call_p(), ended + seconds{50}, "A3");
  EXPECT_EQ(classify_presence(a.state(), late), PresenceOutcome::own_echo);
  a.on(late, ended + seconds{50});
  EXPECT_EQ(a.state().status, AgentStatus::available);
  EXPECT_EQ(a.state().baseline, available_p());
}

TEST(Rule5, EchoAfterDeclineDoesNotIdle) {
  Agent a(with_baseline(available(), available_p()));
  a.on(Offer{kContact, seconds{15}}, kT0);
  a.on(Decline{kContact}, kT0 + seconds{4});
  a.on(seen(in_call_p(), kT0 + seconds{30}), kT0 + seconds{30});
  EXPECT_EQ(a.state().status, AgentStatus::available);
}

TEST(Rule5, RealCallAfterTheWindowIsApplied) {
  Agent a(with_baseline(available(), available_p()));
  a.on(Offer{kContact, seconds{15}}, kT0);
  a.on(Accept{kContact}, kT0 + seconds{1});
  a.on(ContactEnded{kContact, seconds{0}}, kT0 + seconds{10});
  a.on(seen(in_call_p(), kT0 + seconds{20}, {}, PresenceChannel::poll), kT0 + seconds{20});
  EXPECT_EQ(a.state().status, AgentStatus::available);  // inside the window: attributed to us
  const Timestamp after = kT0 + seconds{10} + kOwnSessionEchoWindow;
  a.on(seen(in_call_p(), after, {}, PresenceChannel::poll), after);
  EXPECT_EQ(a.state().status, AgentStatus::idle);  // the next poll sees the user's own call
  EXPECT_EQ(a.state().idle_code, kCall);
}

TEST(Rule5, ACallAfterGraphShowedTheClearIsApplied) {
  // The agent takes a Teams call 20 s after the contact. Graph showed them Available in
  // between (our session gone from its aggregate), so the Busy/InACall is theirs.
  Agent a(with_baseline(available(), available_p()));
  a.on(Offer{kContact, seconds{15}}, kT0);
  a.on(Accept{kContact}, kT0 + seconds{2});
  a.on(seen(in_call_p(), kT0 + seconds{3}, "A2"), kT0 + seconds{3});  // our echo
  const Timestamp ended = kT0 + seconds{60};
  a.on(ContactEnded{kContact, seconds{0}}, ended);
  a.on(seen(available_p(), ended + seconds{2}, "A3", PresenceChannel::poll), ended + seconds{2});
  auto call = seen(in_call_p(), ended + seconds{20}, "A4", PresenceChannel::poll);
  EXPECT_EQ(classify_presence(a.state(), call), PresenceOutcome::applied);
  a.on(call, ended + seconds{20});
  EXPECT_EQ(a.state().status, AgentStatus::idle);
  EXPECT_EQ(a.state().idle_code, kCall);
}

TEST(Rule5, AnOlderAvailableDoesNotShowTheClear) {
  // A notification from before the contact, delivered late: stale, so it proves nothing.
  Agent a(with_baseline(available(), available_p()));
  a.on(seen(available_p(), kT0, "A1"), kT0);
  a.on(Offer{kContact, seconds{15}}, kT0);
  a.on(Accept{kContact}, kT0 + seconds{2});
  a.on(seen(in_call_p(), kT0 + seconds{3}, "A2"), kT0 + seconds{3});
  const Timestamp ended = kT0 + seconds{60};
  a.on(ContactEnded{kContact, seconds{0}}, ended);
  a.on(seen(available_p(), ended + seconds{1}, "A1"), ended + seconds{1});
  auto late_echo = seen(in_call_p(), ended + seconds{30}, "A3");
  EXPECT_EQ(classify_presence(a.state(), late_echo), PresenceOutcome::own_echo);
  a.on(late_echo, ended + seconds{30});
  EXPECT_EQ(a.state().status, AgentStatus::available);
}

TEST(Rule5, ConfirmedClearMovesTheWindow) {
  Agent a(with_baseline(engaged(), available_p()));
  a.on(ContactEnded{kContact, seconds{0}}, kT0);
  // Graph confirmed the clear only 90 s later (throttled): echoes until 90 s + window.
  a.on(TeamsBusyCleared{kT0 + seconds{90}}, kT0 + seconds{90});
  const Timestamp t = kT0 + seconds{90} + kOwnSessionEchoWindow - seconds{1};
  EXPECT_TRUE(attributed_to_own_session(a.state(), in_call_p(), t));
  EXPECT_FALSE(attributed_to_own_session(a.state(), in_call_p(), t + seconds{1}));
  // An older confirmation never shortens it.
  a.on(TeamsBusyCleared{kT0 + seconds{5}}, kT0 + seconds{95});
  EXPECT_TRUE(attributed_to_own_session(a.state(), in_call_p(), t));
}

TEST(FirstSync, LoginAndSyncEnabledApplyTheCurrentPresence) {
  Agent a(with_baseline(logged_out(), dnd_p()));
  a.on(Login{}, kT0);
  a.on(seen(dnd_p(), kT0 + seconds{1}, {}, PresenceChannel::poll), kT0 + seconds{1});
  EXPECT_EQ(a.state().status, AgentStatus::idle);
  EXPECT_EQ(a.state().idle_code, kDnd);

  Agent b(with_baseline(base(AgentStatus::available, false), dnd_p()));
  b.on(SyncEnabled{}, kT0);
  b.on(seen(dnd_p(), kT0 + seconds{1}, {}, PresenceChannel::poll), kT0 + seconds{1});
  EXPECT_EQ(b.state().idle_code, kDnd);
  b.on(SyncDisabled{}, kT0 + seconds{2});
  EXPECT_EQ(b.state().status, AgentStatus::available);
}

}  // namespace
}  // namespace ccteams
