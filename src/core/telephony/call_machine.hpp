#pragma once
// One incoming call's legs and its contact (issue 20, part 7): the caller's leg (a trunk's
// INVITE), the contact it becomes, and the agent's leg while an agent's device rings or talks.
// Pure: events in, the new state and the effects to carry out out; the call service
// (app/telephony/call_service) feeds it and runs the effects.
//
//   Creating --contact created--> Queued (answer the caller, play greeting then music)
//   Creating --contact refused--> Ended (reject the caller with the status)
//   Queued --offered to agent A--> Ringing(A) (ring A's device)
//   Ringing --device answered--> Bridged(A) (accept the contact for A, bridge the legs)
//   Ringing --device failed (busy, no answer, error)--> Queued (no effect: the offer to A runs
//        to its RONA time, which sets A not ready, then the next agent's device rings)
//   Ringing --contact back in its queue (RONA, decline, re-queue)--> Queued (cancel the ring)
//   Bridged --contact back in its queue (supervisor re-queue)--> Queued (hang up A, music)
//   any --caller hangs up--> Ended: abandon while Creating/Queued/Ringing (Contact: Queued or
//        Offered -> Ended(abandoned)); end for the agent while Bridged (-> Ended(completed),
//        the agent wraps up); the agent's leg is cancelled or hung up
//   Bridged --agent's device hangs up--> Ended (end the contact for the agent, hang up the
//        caller): the agent's phone is the agent's "end" button
//   any --contact ended in the contact center (agent, supervisor force end)--> Ended (hang up
//        the caller and the agent's leg)
//   every way into Ended releases the call's media (its RTP ports).
// Events that do not apply in a state change nothing and have no effects (a late answer of a
// cancelled ring is hung up: see DeviceAnswered).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/ids.hpp"

namespace ccteams::telephony {

enum class CallState : std::uint8_t { creating, queued, ringing, bridged, ended };
std::string_view call_state_name(CallState s);  // "creating", "queued", ...

struct Call {
  CallState state = CallState::creating;
  std::optional<ContactId> contact;  // once created
  std::optional<UserId> agent;       // ringing, bridged
  bool caller_answered = false;      // our 200 went out (a BYE hangs it up; before: a 4xx-6xx)
  bool caller_gone = false;          // the caller hung up (BYE, CANCEL)
  friend bool operator==(const Call&, const Call&) = default;
};

// ---- events ----
struct ContactCreated { ContactId contact; };
struct ContactRefused { int status = 500; std::string reason; };
struct ContactOffered { UserId agent; };    // the contact center offers the contact to agent
struct ContactRequeued {};                  // the contact is Queued again
struct ContactEnded {};                     // the contact center ended the contact
struct DeviceAnswered { UserId agent; };    // the agent's device answered
struct DeviceFailed { UserId agent; };      // ... did not answer (busy, timeout, error)
struct DeviceHungUp { UserId agent; };      // ... hung up after answering
struct CallerHungUp {};                     // BYE, CANCEL, or no ACK
using CallEvent = std::variant<ContactCreated, ContactRefused, ContactOffered, ContactRequeued,
                               ContactEnded, DeviceAnswered, DeviceFailed, DeviceHungUp,
                               CallerHungUp>;

// ---- effects, in the order to carry them out ----
struct AnswerCaller {};                          // 200 with the SDP answer
struct RejectCaller { int status; std::string reason; };
struct HangUpCaller {};                          // BYE on the answered caller's leg
struct PlayQueueAudio {};                        // greeting then music on hold to the caller
struct RingAgent { UserId agent; };
struct CancelAgent { UserId agent; };            // CANCEL the ring, or BYE the answered leg
struct Bridge { UserId agent; };                 // relay the caller's RTP and the agent's
struct AbandonContact { ContactId contact; };
struct EndContact { ContactId contact; UserId agent; };      // the customer or agent ended
struct AcceptContact { ContactId contact; UserId agent; };
struct DeclineContact { ContactId contact; UserId agent; };
struct ReleaseMedia {};                          // every RTP port of the call
using CallEffect = std::variant<AnswerCaller, RejectCaller, HangUpCaller, PlayQueueAudio,
                                RingAgent, CancelAgent, Bridge, AbandonContact, EndContact,
                                AcceptContact, DeclineContact, ReleaseMedia>;

struct CallStep {
  Call call;
  std::vector<CallEffect> effects;
};

CallStep apply(const Call& call, const CallEvent& event);

}  // namespace ccteams::telephony
