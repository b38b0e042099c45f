#include "core/telephony/call_machine.hpp"

namespace ccteams::telephony {

std::string_view call_state_name(CallState s) {
  switch (s) {
    case CallState::creating: return "creating";
    case CallState::queued: return "queued";
    case CallState::ringing: return "ringing";
    case CallState::bridged: return "bridged";
    case CallState::ended: return "ended";
  }
  return "?";
}

namespace {

struct Step {
  const Call& before;
  CallStep out;

  explicit Step(const Call& c) : before(c), out{c, {}} {}
  Call& call() { return out.call; }
  void effect(CallEffect e) { out.effects.push_back(std::move(e)); }

  // Into Ended: the caller's leg, the agent's leg and the media, whatever is still up.
  void end(bool hang_up_caller) {
    if (before.agent) effect(CancelAgent{*before.agent});
    if (hang_up_caller && before.caller_answered && !before.caller_gone) effect(HangUpCaller{});
    effect(ReleaseMedia{});
    call().state = CallState::ended;
    call().agent.reset();
  }

  void operator()(const ContactCreated& e) {
    if (before.state == CallState::creating) {
      call().contact = e.contact;
      call().state = CallState::queued;
      call().caller_answered = true;
      effect(AnswerCaller{});
      effect(PlayQueueAudio{});
    } else if (before.state == CallState::ended && !before.contact) {
      // The caller hung up while the contact was being made: it ends at once.
      call().contact = e.contact;
      effect(AbandonContact{e.contact});
    }
  }
  void operator()(const ContactRefused& e) {
    if (before.state != CallState::creating) return;
    effect(RejectCaller{e.status, e.reason});
    end(false);
  }
  void operator()(const ContactOffered& e) {
    if (before.state != CallState::queued && before.state != CallState::ringing &&
        before.state != CallState::bridged) {
      return;
    }
    if (before.agent == e.agent) return;  // the same offer heard again
    if (before.agent) effect(CancelAgent{*before.agent});
    if (before.state == CallState::bridged) effect(PlayQueueAudio{});  // transferred: music
    call().state = CallState::ringing;
    call().agent = e.agent;
    effect(RingAgent{e.agent});
  }
  void operator()(const ContactRequeued&) {
    if (before.state != CallState::ringing && before.state != CallState::bridged) return;
    effect(CancelAgent{*before.agent});
    if (before.state == CallState::bridged) effect(PlayQueueAudio{});
    call().state = CallState::queued;
    call().agent.reset();
  }
  void operator()(const ContactEnded&) {
    if (before.state == CallState::creating || before.state == CallState::ended) return;
    end(true);
  }
  void operator()(const DeviceAnswered& e) {
    if (before.state == CallState::ringing && before.agent == e.agent) {
      call().state = CallState::bridged;
      effect(AcceptContact{*before.contact, e.agent});
      effect(Bridge{e.agent});
      return;
    }
    // A ring we cancelled was answered anyway (a 200 crossing our CANCEL): hang it up.
    if (before.agent != e.agent) effect(CancelAgent{e.agent});
  }
  void operator()(const DeviceFailed& e) {
    if (before.state != CallState::ringing || before.agent != e.agent) return;
    call().state = CallState::queued;
    call().agent.reset();
    // No decline: the contact stays offered to A until its RONA time, and RONA sets A not
    // ready. A decline would put A back to Available, and a phone that refuses at once (486,
    // unreachable) would be offered the same contact again and again.
  }
  void operator()(const DeviceHungUp& e) {
    if (before.state != CallState::bridged || before.agent != e.agent) return;
    effect(EndContact{*before.contact, e.agent});
    call().agent.reset();  // its leg is gone already: nothing to cancel
    if (before.caller_answered && !before.caller_gone) effect(HangUpCaller{});
    effect(ReleaseMedia{});
    call().state = CallState::ended;
  }
  void operator()(const CallerHungUp&) {
    if (before.state == CallState::ended) return;
    call().caller_gone = true;
    if (before.contact) {
      if (before.state == CallState::bridged) {
        effect(EndContact{*before.contact, *before.agent});
      } else {
        effect(AbandonContact{*before.contact});
      }
    }
    end(false);
  }
};

}  // namespace

CallStep apply(const Call& call, const CallEvent& event) {
  Step step(call);
  std::visit(step, event);
  return std::move(step.out);
}

}  // namespace ccteams::telephony
