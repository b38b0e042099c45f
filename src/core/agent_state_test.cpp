#include "core/agent_state.hpp"

#include <gtest/gtest.h>

#include "core/agent_state_test_support.hpp"

namespace ccteams {
namespace {

using namespace agent_test;  // NOLINT: test fixtures
using std::chrono::seconds;

struct Want {  // nullopt status = refused with conflict
  std::optional<AgentStatus> status;
  std::optional<IdleCodeId> idle_code = std::nullopt;
  std::optional<IdleOrigin> origin = std::nullopt;
  std::optional<ContactId> contact = std::nullopt;
  std::vector<std::string> effects = {};
};

struct CommandCase {
  std::string name;
  AgentState from;
  AgentEvent event;
  Want want;
};

void PrintTo(const CommandCase& c, std::ostream* os) { *os << c.name; }

Want refused() { return Want{std::nullopt}; }

std::vector<CommandCase> command_cases() {
  const auto LO = logged_out();
  const auto AV = available();
  const auto IDm = idle(kLunch, IdleOrigin::manual);
  const auto IDs = idle(kDnd, IdleOrigin::presence_sync);
  const auto IDr = idle(kRona, IdleOrigin::rona);
  const auto RS = reserved();
  const auto EN = engaged();
  const auto WU = wrap_up();
  using S = AgentStatus;
  const std::vector<std::string> SC{"StateChanged"};
  return {
      // Login: only from LoggedOut; elsewhere a reconnecting desktop changes nothing.
      {"LoginFromLoggedOut", LO, Login{}, {S::available, {}, {}, {}, SC}},
      {"LoginWithIdleCode", LO, Login{kLunch}, {S::idle, kLunch, IdleOrigin::manual, {}, SC}},
      {"LoginWhenAvailable", AV, Login{}, {S::available}},
      {"LoginWhenIdle", IDm, Login{}, {S::idle, kLunch, IdleOrigin::manual}},
      {"LoginWhenReserved", RS, Login{}, {S::reserved, {}, {}, kContact}},
      {"LoginWhenEngaged", EN, Login{}, {S::engaged, {}, {}, kContact}},
      {"LoginWhenWrapUp", WU, Login{}, {S::wrap_up, {}, {}, kContact}},
      // Logout: refused while a contact is with the agent.
      {"LogoutWhenLoggedOut", LO, Logout{}, {S::logged_out}},
      {"LogoutFromAvailable", AV, Logout{}, {S::logged_out, {}, {}, {}, SC}},
      {"LogoutFromIdle", IDm, Logout{}, {S::logged_out, {}, {}, {}, SC}},
      {"LogoutFromSyncIdle", IDs, Logout{}, {S::logged_out, {}, {}, {}, SC}},
      {"LogoutReserved", RS, Logout{}, refused()},
      {"LogoutEngaged", EN, Logout{}, refused()},
      {"LogoutWrapUp", WU, Logout{}, refused()},
      // SetAvailable (manual).
      {"AvailableWhenLoggedOut", LO, SetAvailable{}, refused()},
      {"AvailableWhenAvailable", AV, SetAvailable{}, {S::available}},
      {"AvailableFromManualIdle", IDm, SetAvailable{}, {S::available, {}, {}, {}, SC}},
      {"AvailableFromSyncIdle", IDs, SetAvailable{}, {S::available, {}, {}, {}, SC}},
      {"AvailableFromRona", IDr, SetAvailable{}, {S::available, {}, {}, {}, SC}},
      {"AvailableWhenReserved", RS, SetAvailable{}, refused()},
      {"AvailableWhenEngaged", EN, SetAvailable{}, refused()},
      {"AvailableWhenWrapUp", WU, SetAvailable{}, refused()},
      // SetIdle (manual).
      {"IdleWhenLoggedOut", LO, SetIdle{kMeeting}, refused()},
      {"IdleFromAvailable", AV, SetIdle{kMeeting}, {S::idle, kMeeting, IdleOrigin::manual, {}, SC}},
      {"IdleChangesCode", IDm, SetIdle{kMeeting}, {S::idle, kMeeting, IdleOrigin::manual, {}, SC}},
      {"IdleSameCodeIsNoop", IDm, SetIdle{kLunch}, {S::idle, kLunch, IdleOrigin::manual}},
      {"IdleOverSyncIdle", IDs, SetIdle{kDnd}, {S::idle, kDnd, IdleOrigin::manual, {}, SC}},
      {"IdleOverRona", IDr, SetIdle{kLunch}, {S::idle, kLunch, IdleOrigin::manual, {}, SC}},
      {"IdleWhenReserved", RS, SetIdle{kMeeting}, refused()},
      {"IdleWhenEngaged", EN, SetIdle{kMeeting}, refused()},
      {"IdleWhenWrapUp", WU, SetIdle{kMeeting}, refused()},
      // Offer: only an Available agent.
      {"OfferAvailable", AV, Offer{kOtherContact, seconds{15}},
       {S::reserved, {}, {}, kOtherContact, {"StateChanged", "StartRonaTimer", "SetTeamsBusy"}}},
      {"OfferWithoutSync", base(S::available, false), Offer{kOtherContact, seconds{15}},
       {S::reserved, {}, {}, kOtherContact, {"StateChanged", "StartRonaTimer"}}},
      {"OfferLoggedOut", LO, Offer{kOtherContact, seconds{15}}, refused()},
      {"OfferIdle", IDm, Offer{kOtherContact, seconds{15}}, refused()},
      {"OfferSyncIdle", IDs, Offer{kOtherContact, seconds{15}}, refused()},
      {"OfferReserved", RS, Offer{kOtherContact, seconds{15}}, refused()},
      {"OfferEngaged", EN, Offer{kOtherContact, seconds{15}}, refused()},
      {"OfferWrapUp", WU, Offer{kOtherContact, seconds{15}}, refused()},
      // Accept.
      {"AcceptReserved", RS, Accept{kContact},
       {S::engaged, {}, {}, kContact, {"StateChanged", "CancelRonaTimer"}}},
      {"AcceptOtherContact", RS, Accept{kOtherContact}, refused()},
      {"AcceptAvailable", AV, Accept{kContact}, refused()},
      {"AcceptEngaged", EN, Accept{kContact}, refused()},
      {"AcceptWrapUp", WU, Accept{kContact}, refused()},
      // Decline: back to Available, the contact is re-queued.
      {"DeclineReserved", RS, Decline{kContact},
       {S::available, {}, {}, {},
        {"CancelRonaTimer", "ClearTeamsBusy", "RequeueContact", "StateChanged"}}},
      {"DeclineOtherContact", RS, Decline{kOtherContact}, refused()},
      {"DeclineEngaged", EN, Decline{kContact}, refused()},
      {"DeclineAvailable", AV, Decline{kContact}, refused()},
      // The caller hangs up while ringing.
      {"WithdrawnReserved", RS, OfferWithdrawn{kContact},
       {S::available, {}, {}, {}, {"CancelRonaTimer", "ClearTeamsBusy", "StateChanged"}}},
      {"WithdrawnEngaged", EN, OfferWithdrawn{kContact}, refused()},
      // RONA.
      {"RonaReserved", RS, RonaTimeout{kContact, kRona},
       {S::idle, kRona, IdleOrigin::rona, {}, {"ClearTeamsBusy", "RequeueContact", "StateChanged"}}},
      {"RonaStaleTimerAfterAccept", EN, RonaTimeout{kContact, kRona}, refused()},
      {"RonaStaleTimerOtherContact", RS, RonaTimeout{kOtherContact, kRona}, refused()},
      {"RonaAvailable", AV, RonaTimeout{kContact, kRona}, refused()},
      // Contact end.
      {"EndNoWrapUp", EN, ContactEnded{kContact, seconds{0}},
       {S::available, {}, {}, {}, {"ClearTeamsBusy", "StateChanged"}}},
      {"EndWithWrapUp", EN, ContactEnded{kContact, seconds{30}},
       {S::wrap_up, {}, {}, kContact, {"ClearTeamsBusy", "StateChanged", "StartWrapUpTimer"}}},
      {"EndOtherContact", EN, ContactEnded{kOtherContact, seconds{0}}, refused()},
      {"EndReserved", RS, ContactEnded{kContact, seconds{0}}, refused()},
      {"EndWrapUp", WU, ContactEnded{kContact, seconds{0}}, refused()},
      {"EndAvailable", AV, ContactEnded{kContact, seconds{0}}, refused()},
      // Wrap-up done.
      {"WrapUpDone", WU, WrapUpDone{kContact}, {S::available, {}, {}, {}, SC}},
      {"WrapUpDoneOtherContact", WU, WrapUpDone{kOtherContact}, refused()},
      {"WrapUpDoneEngaged", EN, WrapUpDone{kContact}, refused()},
      {"WrapUpDoneAvailable", AV, WrapUpDone{kContact}, refused()},
      // Sync switches.
      {"SyncOffReturnsSyncIdle", IDs, SyncDisabled{}, {S::available, {}, {}, {}, SC}},
      {"SyncOffKeepsManualIdle", IDm, SyncDisabled{}, {S::idle, kLunch, IdleOrigin::manual}},
      {"SyncOffKeepsRona", IDr, SyncDisabled{}, {S::idle, kRona, IdleOrigin::rona}},
      {"SyncOffClearsOwnSession", EN, SyncDisabled{},
       {S::engaged, {}, {}, kContact, {"ClearTeamsBusy"}}},
      {"SyncOffWhenOff", base(S::available, false), SyncDisabled{}, {S::available}},
      {"SyncOnWhileEngaged", base(S::engaged, false), SyncEnabled{},
       {S::engaged, {}, {}, kContact, {"SetTeamsBusy"}}},
      {"SyncOnWhileAvailable", base(S::available, false), SyncEnabled{}, {S::available}},
      // A supervisor's state change: from Available, Idle and WrapUp only.
      {"SupervisorIdlesAvailable", AV, SupervisorSet{kMeeting},
       {S::idle, kMeeting, IdleOrigin::supervisor, {}, SC}},
      {"SupervisorOverSyncIdle", IDs, SupervisorSet{kLunch},
       {S::idle, kLunch, IdleOrigin::supervisor, {}, SC}},
      {"SupervisorReturnsIdleToAvailable", IDr, SupervisorSet{}, {S::available, {}, {}, {}, SC}},
      {"SupervisorEndsWrapUp", WU, SupervisorSet{}, {S::available, {}, {}, {}, SC}},
      {"SupervisorIdlesFromWrapUp", WU, SupervisorSet{kLunch},
       {S::idle, kLunch, IdleOrigin::supervisor, {}, SC}},
      {"SupervisorSetLoggedOut", LO, SupervisorSet{}, refused()},
      {"SupervisorSetReserved", RS, SupervisorSet{}, refused()},
      {"SupervisorSetEngaged", EN, SupervisorSet{kLunch}, refused()},
      // The forced log-out works from every state.
      {"ForceLogoutLoggedOut", LO, ForceLogout{}, {S::logged_out}},
      {"ForceLogoutAvailable", AV, ForceLogout{}, {S::logged_out, {}, {}, {}, SC}},
      {"ForceLogoutIdle", IDr, ForceLogout{}, {S::logged_out, {}, {}, {}, SC}},
      {"ForceLogoutReserved", RS, ForceLogout{},
       {S::logged_out, {}, {}, {}, {"CancelRonaTimer", "ClearTeamsBusy", "StateChanged"}}},
      {"ForceLogoutEngaged", EN, ForceLogout{},
       {S::logged_out, {}, {}, {}, {"ClearTeamsBusy", "StateChanged"}}},
      {"ForceLogoutWrapUp", WU, ForceLogout{}, {S::logged_out, {}, {}, {}, SC}},
  };
}

class AgentCommands : public ::testing::TestWithParam<CommandCase> {};

TEST_P(AgentCommands, Table) {
  const CommandCase& c = GetParam();
  const Timestamp now = kT0 + seconds{5};
  auto r = apply(c.from, c.event, now);
  if (!c.want.status) {
    ASSERT_FALSE(r) << "expected a refusal";
    EXPECT_EQ(r.error().code, Errc::conflict);
    EXPECT_FALSE(r.error().message.empty());
    return;
  }
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->state.status, *c.want.status);
  EXPECT_EQ(r->state.idle_code, c.want.idle_code);
  EXPECT_EQ(r->state.origin, c.want.origin);
  EXPECT_EQ(r->state.contact, c.want.contact);
  EXPECT_EQ(effect_names(*r), c.want.effects);
  const bool changed = !c.want.effects.empty() && c.want.effects != std::vector<std::string>{
                                                                         "SetTeamsBusy"} &&
                       c.want.effects != std::vector<std::string>{"ClearTeamsBusy"};
  EXPECT_EQ(r->state.since, changed ? now : c.from.since);
}

INSTANTIATE_TEST_SUITE_P(AllStates, AgentCommands, ::testing::ValuesIn(command_cases()),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(AgentCommands, RefusalsSayWhatToDo) {
  auto r = apply(engaged(), SetAvailable{}, kT0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "agent is Engaged; end or transfer the contact first");
  r = apply(reserved(), Logout{}, kT0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "agent is Reserved; accept or decline the offered contact first");
  r = apply(logged_out(), SetAvailable{}, kT0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "agent is LoggedOut; log in first");
  r = apply(reserved(), Accept{kOtherContact}, kT0);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("contact 8 is not the agent's contact"), std::string::npos);
}

TEST(AgentCommands, TimersCarryDeadlines) {
  const Timestamp now = kT0 + seconds{1};
  auto r = apply(available(), Offer{kContact, seconds{15}}, now);
  ASSERT_TRUE(r);
  const auto& timer = std::get<StartRonaTimer>(r->effects.at(1));
  EXPECT_EQ(timer.contact, kContact);
  EXPECT_EQ(timer.deadline, now + seconds{15});
  EXPECT_EQ(std::get<StateChanged>(r->effects.at(0)).from, AgentStatus::available);
  EXPECT_EQ(std::get<StateChanged>(r->effects.at(0)).to, AgentStatus::reserved);

  auto w = apply(engaged(), ContactEnded{kContact, seconds{45}}, now);
  ASSERT_TRUE(w);
  EXPECT_EQ(std::get<StartWrapUpTimer>(w->effects.at(2)).deadline, now + seconds{45});
}

TEST(AgentCommands, NamesRoundTrip) {
  for (auto s : {AgentStatus::logged_out, AgentStatus::available, AgentStatus::idle,
                 AgentStatus::reserved, AgentStatus::engaged, AgentStatus::wrap_up}) {
    EXPECT_EQ(parse_agent_status(agent_status_name(s)), s);
  }
  EXPECT_EQ(agent_status_name(AgentStatus::wrap_up), "WrapUp");
  EXPECT_EQ(idle_origin_name(IdleOrigin::presence_sync), "presence_sync");
  EXPECT_EQ(parse_idle_origin("rona"), IdleOrigin::rona);
  EXPECT_FALSE(parse_idle_origin("Rona"));
  EXPECT_EQ(parse_presence_channel("notification"), PresenceChannel::notification);
  EXPECT_FALSE(parse_agent_status("available"));
}

TEST(AgentCommands, FullContactCycleWithSync) {
  AgentState s = logged_out();
  Timestamp t = kT0;
  auto step = [&](const AgentEvent& e) {
    t += seconds{1};
    auto r = apply(s, e, t);
    ASSERT_TRUE(r) << r.error().message;
    s = r->state;
  };
  step(Login{});
  step(Offer{kContact, seconds{15}});
  EXPECT_TRUE(s.own_session.active);
  step(Accept{kContact});
  step(ContactEnded{kContact, seconds{10}});
  EXPECT_FALSE(s.own_session.active);
  EXPECT_EQ(s.own_session.cleared_at, t);
  step(WrapUpDone{kContact});
  EXPECT_EQ(s.status, AgentStatus::available);
  EXPECT_FALSE(s.contact);
  step(Logout{});
  EXPECT_EQ(s.status, AgentStatus::logged_out);
}

TEST(AgentState, NeverSeenAgentHasNoSinceUntilTheFirstChange) {
  const AgentState never = logged_out_agent(kAgent, std::nullopt);
  EXPECT_FALSE(never.since);
  auto again = apply(never, Logout{}, kT0);  // nothing changes: still never seen
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->state.since);
  auto in = apply(never, Login{}, kT0);
  ASSERT_TRUE(in);
  EXPECT_EQ(in->state.since, kT0);
}

}  // namespace
}  // namespace ccteams
