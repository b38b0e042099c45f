#pragma once
// Shared fixtures for the agent state machine tests (agent_state_test.cpp, presence_sync_test.cpp,
// own_session_mark_test.cpp).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/agent_state.hpp"

namespace ccteams::agent_test {

inline const Timestamp kT0 = from_unix_millis(1'790'000'000'000);
inline constexpr UserId kAgent{42};
inline constexpr ContactId kContact{7};
inline constexpr ContactId kOtherContact{8};
inline constexpr IdleCodeId kRona{1};
inline constexpr IdleCodeId kDnd{11};
inline constexpr IdleCodeId kCall{12};
inline constexpr IdleCodeId kConf{13};
inline constexpr IdleCodeId kPresenting{14};
inline constexpr IdleCodeId kLunch{100};
inline constexpr IdleCodeId kMeeting{101};

inline PresenceMapping test_mapping() {
  return default_presence_mapping({kDnd, kCall, kConf, kPresenting});
}

inline AgentState base(AgentStatus status, bool sync = true) {
  AgentState s = logged_out_agent(kAgent, kT0);
  s.status = status;
  s.sync_enabled = sync;
  if (status == AgentStatus::reserved || status == AgentStatus::engaged) {
    s.contact = kContact;
    s.own_session.active = sync;
  }
  if (status == AgentStatus::wrap_up) s.contact = kContact;
  return s;
}
inline AgentState logged_out() { return base(AgentStatus::logged_out); }
inline AgentState available() { return base(AgentStatus::available); }
inline AgentState idle(IdleCodeId code, IdleOrigin origin) {
  AgentState s = base(AgentStatus::idle);
  s.idle_code = code;
  s.origin = origin;
  return s;
}
inline AgentState reserved() { return base(AgentStatus::reserved); }
inline AgentState engaged() { return base(AgentStatus::engaged); }
inline AgentState wrap_up() { return base(AgentStatus::wrap_up); }
inline AgentState with_baseline(AgentState s, Presence p) {
  s.baseline = p;
  return s;
}

inline Presence p(Availability a, Activity b) { return make_presence(a, b); }
inline Presence available_p() { return p(Availability::available, Activity::available); }
inline Presence dnd_p() { return p(Availability::do_not_disturb, Activity::do_not_disturb); }
inline Presence in_call_p() { return p(Availability::busy, Activity::in_a_call); }
inline Presence presenting_p() { return p(Availability::do_not_disturb, Activity::presenting); }
inline Presence away_p() { return p(Availability::away, Activity::away); }

inline PresenceChanged seen(Presence pr, Timestamp at, std::string seq = {},
                            PresenceChannel ch = PresenceChannel::notification) {
  return presence_changed(ObservedPresence{std::move(pr), at, ch, std::move(seq)}, test_mapping());
}

inline std::string effect_name(const AgentEffect& e) {
  struct V {
    std::string operator()(const SetTeamsBusy&) const { return "SetTeamsBusy"; }
    std::string operator()(const ClearTeamsBusy&) const { return "ClearTeamsBusy"; }
    std::string operator()(const StartRonaTimer&) const { return "StartRonaTimer"; }
    std::string operator()(const CancelRonaTimer&) const { return "CancelRonaTimer"; }
    std::string operator()(const StartWrapUpTimer&) const { return "StartWrapUpTimer"; }
    std::string operator()(const RequeueContact&) const { return "RequeueContact"; }
    std::string operator()(const StateChanged&) const { return "StateChanged"; }
    std::string operator()(const TeamsPresenceUpdated&) const { return "TeamsPresenceUpdated"; }
    std::string operator()(const ClearStaleTeamsBusy&) const { return "ClearStaleTeamsBusy"; }
  };
  return std::visit(V{}, e);
}
inline std::vector<std::string> effect_names(const Transition& t) {
  std::vector<std::string> out;
  for (const auto& e : t.effects) out.push_back(effect_name(e));
  return out;
}

// Drives one agent through a sequence of events, failing the test on any refusal.
class Agent {
 public:
  explicit Agent(AgentState s) : s_(std::move(s)) {}
  Transition on(const AgentEvent& e, Timestamp at) {
    auto r = apply(s_, e, at);
    EXPECT_TRUE(r) << r.error().message;
    if (!r) return Transition{s_, {}};
    s_ = r->state;
    return *std::move(r);
  }
  const AgentState& state() const { return s_; }

 private:
  AgentState s_;
};

}  // namespace ccteams::agent_test
