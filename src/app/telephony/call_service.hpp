#pragma once
// Real incoming calls become contacts (issue 20, part 7). The call service keeps one
// core/telephony Call per incoming INVITE, feeds it what the SIP side, the agents' devices and
// the contact center report, and carries out the effects through two ports: CallLegs (the SIP
// and RTP adapter: the caller's leg, the agent's leg, the media) and CallContacts (the contact
// center). No Asio here: the adapters post to their strands.
//
// How the service hears about contacts: the contact center publishes every change of a
// contact on the event hub (CcEventHub, "contact" events); the runtime's telephony module
// subscribes for the organisations that have numbers and hands each change to
// contact_changed(). ContactCenter's decisions are unchanged: offers, RONA, re-queue and
// ending stay its own, and the service follows them (core/telephony/call_machine.hpp).
//
// Thread-safety: every member function may be called from any thread. The table of calls is
// guarded by a mutex; the effects of an event run after it is released, in order, on the
// calling thread (the ports return at once), so a port may report back synchronously.

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/contact.hpp"
#include "core/result.hpp"
#include "core/telephony/call_machine.hpp"
#include "core/telephony/call_routing.hpp"

namespace ccteams::telephony {

// The caller's leg as the adapter knows it (the SIP dialog id, as text): unique per call.
using CallKey = std::string;

// The legs and their media (adapters: the SIP server and the RTP sessions). Every function
// returns at once; results come back through CallService (device_*, caller_hung_up).
class CallLegs {
 public:
  virtual ~CallLegs() = default;
  virtual void answer_caller(const CallKey& call) = 0;  // 200 with the SDP answer
  virtual void reject_caller(const CallKey& call, int status, const std::string& reason) = 0;
  // BYE on the caller's answered leg.
  virtual void hang_up_caller(const CallKey& call) = 0;
  virtual void play_queue_audio(const CallKey& call) = 0;  // greeting, then music on hold
  // Ring agent's device (a registered extension named like the agent's account, or an E.164
  // number through a trunk) with the caller's number; the adapter answers with
  // CallService::device_answered, device_failed or device_hung_up.
  virtual void ring_agent(const CallKey& call, OrgId org, UserId agent,
                          const std::string& caller) = 0;
  // CANCEL the agent's ringing leg, or BYE it once answered; nothing when it is gone.
  virtual void cancel_agent(const CallKey& call, UserId agent) = 0;
  // The caller's RTP and the agent's relayed both ways (the queue audio stops).
  virtual void bridge(const CallKey& call, UserId agent) = 0;
  // Every RTP port of the call given back.
  virtual void release_media(const CallKey& call) = 0;
};

// The contact center's side (ContactCenter on the organisation's strand in production).
class CallContacts {
 public:
  virtual ~CallContacts() = default;
  // This instance serves org now (cluster leases; always true without [cluster]).
  virtual bool served(OrgId org) const = 0;
  // A new contact in queue; done is called once, on any thread.
  virtual void new_contact(OrgId org, QueueId queue, std::string caller,
                           std::function<void(Result<ContactId>)> done) = 0;
  // Fire and forget: a refusal (the contact moved on meanwhile) is the adapter's to log.
  virtual void abandon(OrgId org, ContactId contact) = 0;
  virtual void end(OrgId org, UserId agent, ContactId contact) = 0;
  virtual void accept(OrgId org, UserId agent, ContactId contact) = 0;
  virtual void decline(OrgId org, UserId agent, ContactId contact) = 0;
};

// One contact's change as the contact center published it.
struct ContactUpdate {
  OrgId org;
  ContactId contact;
  ContactStatus status = ContactStatus::queued;
  std::optional<UserId> agent;
};

struct CallServiceCounts {
  std::size_t live = 0;       // calls not ended (or waiting for their contact)
  std::uint64_t taken = 0;    // INVITEs routed to a queue
  std::uint64_t refused = 0;  // INVITEs refused (403, 404, 503)
};

class CallService {
 public:
  // legs and contacts must outlive the service. numbers: checked (invalid_number_routes).
  CallService(std::vector<NumberRoute> numbers, CallLegs& legs, CallContacts& contacts);

  // A new INVITE: refused (the caller answers it with the status), or routed to a queue: the
  // call is kept and its contact asked for; answer_caller follows once it exists, or
  // reject_caller when the contact center refuses (an unknown queue: 404, logged).
  RouteDecision incoming(const CallKey& call, const IncomingInvite& invite);
  // The caller's BYE, CANCEL, or no ACK.
  void caller_hung_up(const CallKey& call);
  void contact_changed(const ContactUpdate& update);
  void device_answered(const CallKey& call, UserId agent);
  void device_failed(const CallKey& call, UserId agent);
  void device_hung_up(const CallKey& call, UserId agent);

  CallServiceCounts counts() const;
  std::optional<Call> call(const CallKey& key) const;

 private:
  struct Entry {
    Call call;
    OrgId org;
    QueueId queue;
    std::string caller;
    bool awaiting_contact = true;  // new_contact has not answered yet
  };
  struct Work {
    CallKey key;
    OrgId org;
    std::string caller;
    std::vector<CallEffect> effects;
  };
  // Applies event to key's call under the lock; the effects to run after it.
  std::optional<Work> step(const CallKey& key, const CallEvent& event);
  void run(const Work& work);
  void on_contact(const CallKey& key, Result<ContactId> created);
  void forget_if_done(std::map<CallKey, Entry>::iterator it);

  std::vector<NumberRoute> numbers_;
  CallLegs& legs_;
  CallContacts& contacts_;
  mutable std::mutex mu_;
  std::map<CallKey, Entry> calls_;
  std::map<ContactId, CallKey> by_contact_;
  // Changes of contacts not (yet) known as calls: a new contact may be offered before
  // new_contact has answered. The latest per contact, the oldest dropped beyond kEarlyMax.
  static constexpr std::size_t kEarlyMax = 1024;
  std::map<ContactId, ContactUpdate> early_;
  std::deque<ContactId> early_order_;
  std::uint64_t taken_ = 0;
  std::uint64_t refused_ = 0;
};

}  // namespace ccteams::telephony
