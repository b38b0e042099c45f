#include "core/telephony/call_machine.hpp"

#include <gtest/gtest.h>

namespace ccteams::telephony {
namespace {

constexpr ContactId kC{7};
constexpr UserId kA{1};
constexpr UserId kB{2};

Call creating() { return Call{}; }
Call queued() { return Call{CallState::queued, kC, std::nullopt, true, false}; }
Call ringing(UserId a) { return Call{CallState::ringing, kC, a, true, false}; }
Call bridged(UserId a) { return Call{CallState::bridged, kC, a, true, false}; }
Call ended(std::optional<ContactId> c, bool answered, bool gone) {
  return Call{CallState::ended, c, std::nullopt, answered, gone};
}

// Effects compared by their kind and fields, printed for a failing row.
std::string describe(const CallEffect& e) {
  struct V {
    std::string operator()(const AnswerCaller&) const { return "AnswerCaller"; }
    std::string operator()(const RejectCaller& r) const {
      return "RejectCaller " + std::to_string(r.status) + " " + r.reason;
    }
    std::string operator()(const HangUpCaller&) const { return "HangUpCaller"; }
    std::string operator()(const PlayQueueAudio&) const { return "PlayQueueAudio"; }
    std::string operator()(const RingAgent& r) const {
      return "RingAgent " + std::to_string(r.agent.value);
    }
    std::string operator()(const CancelAgent& r) const {
      return "CancelAgent " + std::to_string(r.agent.value);
    }
    std::string operator()(const Bridge& r) const {
      return "Bridge " + std::to_string(r.agent.value);
    }
    std::string operator()(const AbandonContact& r) const {
      return "AbandonContact " + std::to_string(r.contact.value);
    }
    std::string operator()(const EndContact& r) const {
      return "EndContact " + std::to_string(r.contact.value) + " " +
             std::to_string(r.agent.value);
    }
    std::string operator()(const AcceptContact& r) const {
      return "AcceptContact " + std::to_string(r.contact.value) + " " +
             std::to_string(r.agent.value);
    }
    std::string operator()(const DeclineContact& r) const {
      return "DeclineContact " + std::to_string(r.contact.value) + " " +
             std::to_string(r.agent.value);
    }
    std::string operator()(const ReleaseMedia&) const { return "ReleaseMedia"; }
  };
  return std::visit(V{}, e);
}

TEST(CallMachine, EveryRule) {
  struct Row {
    const char* name;
    Call before;
    CallEvent event;
    Call after;
    std::vector<std::string> effects;
  };
  const Row rows[] = {
      // The caller's INVITE becomes a contact.
      {"contact created: answered, greeting and music", creating(), ContactCreated{kC}, queued(),
       {"AnswerCaller", "PlayQueueAudio"}},
      {"contact refused: the caller is rejected, media released", creating(),
       ContactRefused{404, "Not Found (no such queue)"}, ended(std::nullopt, false, false),
       {"RejectCaller 404 Not Found (no such queue)", "ReleaseMedia"}},
      {"caller cancels while the contact is made", creating(), CallerHungUp{},
       ended(std::nullopt, false, true), {"ReleaseMedia"}},
      {"... then the contact arrives: abandoned at once", ended(std::nullopt, false, true),
       ContactCreated{kC}, ended(kC, false, true), {"AbandonContact 7"}},
      // Offers to agents' devices.
      {"offered: ring the agent", queued(), ContactOffered{kA}, ringing(kA), {"RingAgent 1"}},
      {"the same offer heard twice rings once", ringing(kA), ContactOffered{kA}, ringing(kA), {}},
      {"device answers: accept and bridge", ringing(kA), DeviceAnswered{kA}, bridged(kA),
       {"AcceptContact 7 1", "Bridge 1"}},
      {"device fails: left to RONA (a decline would re-offer A at once)", ringing(kA),
       DeviceFailed{kA}, queued(), {}},
      {"RONA (back in the queue): the ring is cancelled", ringing(kA), ContactRequeued{},
       queued(), {"CancelAgent 1"}},
      {"offered to another agent without a re-queue first", ringing(kA), ContactOffered{kB},
       ringing(kB), {"CancelAgent 1", "RingAgent 2"}},
      {"a late answer of a cancelled ring is hung up", queued(), DeviceAnswered{kA}, queued(),
       {"CancelAgent 1"}},
      {"a failure of a cancelled ring changes nothing", queued(), DeviceFailed{kA}, queued(), {}},
      {"supervisor re-queues a bridged contact: agent hung up, music again", bridged(kA),
       ContactRequeued{}, queued(), {"CancelAgent 1", "PlayQueueAudio"}},
      {"transferred to another agent: music while it rings", bridged(kA), ContactOffered{kB},
       ringing(kB), {"CancelAgent 1", "PlayQueueAudio", "RingAgent 2"}},
      // The caller hangs up.
      {"caller hangs up while queued: abandoned", queued(), CallerHungUp{},
       ended(kC, true, true), {"AbandonContact 7", "ReleaseMedia"}},
      {"caller hangs up while an agent rings: abandoned, ring cancelled", ringing(kA),
       CallerHungUp{}, ended(kC, true, true),
       {"AbandonContact 7", "CancelAgent 1", "ReleaseMedia"}},
      {"caller hangs up while talking: ended for the agent, agent hung up", bridged(kA),
       CallerHungUp{}, ended(kC, true, true),
       {"EndContact 7 1", "CancelAgent 1", "ReleaseMedia"}},
      {"caller hangs up twice: once", ended(kC, true, true), CallerHungUp{},
       ended(kC, true, true), {}},
      // The contact center ends the contact.
      {"ended while queued (force end): caller hung up", queued(), ContactEnded{},
       ended(kC, true, false), {"HangUpCaller", "ReleaseMedia"}},
      {"ended while ringing", ringing(kA), ContactEnded{}, ended(kC, true, false),
       {"CancelAgent 1", "HangUpCaller", "ReleaseMedia"}},
      {"agent ends on the desktop while talking", bridged(kA), ContactEnded{},
       ended(kC, true, false), {"CancelAgent 1", "HangUpCaller", "ReleaseMedia"}},
      {"ended after the caller left: nothing more", ended(kC, true, true), ContactEnded{},
       ended(kC, true, true), {}},
      // The agent's phone hangs up.
      {"agent's phone hangs up mid-call: contact ended, caller hung up", bridged(kA),
       DeviceHungUp{kA}, ended(kC, true, false),
       {"EndContact 7 1", "HangUpCaller", "ReleaseMedia"}},
      {"another agent's hang-up is not this call's", bridged(kA), DeviceHungUp{kB}, bridged(kA),
       {}},
  };
  for (const auto& row : rows) {
    const CallStep step = telephony::apply(row.before, row.event);
    EXPECT_EQ(step.call, row.after) << row.name << ": state "
                                    << call_state_name(step.call.state);
    std::vector<std::string> got;
    for (const auto& e : step.effects) got.push_back(describe(e));
    EXPECT_EQ(got, row.effects) << row.name;
  }
}

}  // namespace
}  // namespace ccteams::telephony
