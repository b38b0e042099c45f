#pragma once
// The call service's legs on the SIP server and RTP (issue 20, part 7): the SipServer's
// CallHandler for incoming INVITEs (routed by the CallService), one RtpSession per caller from
// the port allocator on a strand of its own (the call's one RTP clock), the queue audio played
// on it, and the hang-ups both ways.
//
// The agent's leg: ring_agent asks the telephony module for the agent's extension (for now
// the account's username, "agent1"; no admin-managed device per agent yet), dials the first
// of its registered bindings with SipServer::place_call (our offer from a second RTP port of
// the call's strand), and reports device_answered / device_failed / device_hung_up to the
// service; bridge relays the two RTP sessions (RtpRelay); cancel_agent and release_media
// CANCEL or BYE that leg and give its port back.
//
// Gaps (docs/telephony.md, "What exists (part 7)"):
// - an agent without a registered extension is not dialled: the offer rings on the desktop
//   only (RONA and desktop accept work as before). No E.164 agent numbers.
// - a refusal goes out with the status's default reason phrase and no Retry-After, as
//   InviteDecision carries neither.
//
// Thread-safety: the CallLegs functions from any thread; the handler on the server's strand.

#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/rtp/queue_audio.hpp"
#include "adapters/rtp/rtp_port_allocator.hpp"
#include "adapters/rtp/rtp_relay.hpp"
#include "adapters/rtp/rtp_session.hpp"
#include "adapters/sip/sip_registrar.hpp"
#include "adapters/sip/sip_server.hpp"
#include "adapters/telephony/trunk_sources.hpp"
#include "app/telephony/call_service.hpp"

namespace ccteams::telephony {

// The agent's extension (the registrar's user, "agent1"); done gets "" when there is none.
// done may run on any thread, before or after the lookup returns.
using ExtensionLookup =
    std::function<void(OrgId org, UserId agent, std::function<void(std::string)> done)>;

struct SipCallLegsDeps {
  boost::asio::io_context& io;
  Clock& clock;
  Scheduler& scheduler;
  std::shared_ptr<rtp::RtpPortAllocator> ports;
  rtp::QueueAudio audio;
  TrunkSources trunks;
  std::string media_address;  // c= in our SDP, and the host of our From/To URIs
  ExtensionLookup extension_of;  // empty: agents' devices are not dialled
};

class SipCallLegs final : public CallLegs {
 public:
  explicit SipCallLegs(SipCallLegsDeps deps);
  ~SipCallLegs() override;

  // Wiring, before the server starts: the service routes INVITEs, server and registrar (may be
  // null) must outlive this.
  void attach(CallService& service, std::shared_ptr<sip::SipServer> server,
              sip::SipRegistrar* registrar);
  sip::CallHandler handler();
  // The registrar's handler for SipServer::set_register_handler, serialised with the reads of
  // its bindings (ring_agent runs on any thread). Needs attach() with a registrar first.
  sip::RegisterHandler register_handler();

  // Calls with a leg (and its RTP port) still open.
  std::size_t open_legs() const;

  // CallLegs
  void answer_caller(const CallKey& call) override;
  void reject_caller(const CallKey& call, int status, const std::string& reason) override;
  void hang_up_caller(const CallKey& call) override;
  void play_queue_audio(const CallKey& call) override;
  void ring_agent(const CallKey& call, OrgId org, UserId agent, const std::string& caller) override;
  void cancel_agent(const CallKey& call, UserId agent) override;
  void bridge(const CallKey& call, UserId agent) override;
  void release_media(const CallKey& call) override;

 private:
  // The agent's leg of a call: ringing (handle set once placed), then answered (session).
  struct AgentLeg {
    UserId agent;
    std::string handle;                         // place_call's; under mu_
    bool gone = false;                          // cancelled or ended; under mu_
    std::optional<rtp::RtpPort> port;           // until answered (the codec is unknown)
    std::shared_ptr<rtp::RtpSession> session;   // once answered; used on the call's strand
    std::shared_ptr<rtp::RtpRelay> relay;       // bridged; on the call's strand
  };
  struct Leg {
    sip::DialogId id;
    sip::SipMessage invite;
    rtp::Strand strand;
    std::shared_ptr<rtp::RtpSession> session;
    sip::NegotiatedAudio audio;
    std::shared_ptr<AgentLeg> agent;  // under mu_
  };
  sip::InviteDecision on_invite(const sip::SipMessage& invite, const sip::DialogId& id);
  std::shared_ptr<Leg> find(const CallKey& call) const;
  std::vector<sip::Binding> bindings(const std::string& extension);
  // The extension is known: place the call to its first binding (none: the desktop rings).
  void dial(const CallKey& call, std::shared_ptr<AgentLeg> agent, std::string caller,
            std::string extension);
  // Whether agent is still call's current agent leg (under mu_).
  bool current(const CallKey& call, const std::shared_ptr<AgentLeg>& agent) const;
  // Takes the call's agent leg off (when it is `only`, or any when null), and ends it: CANCEL
  // or BYE, its relay, session and port closed on the call's strand.
  void drop_agent(const std::shared_ptr<Leg>& leg, const AgentLeg* only, bool hang_up);

  SipCallLegsDeps deps_;
  CallService* service_ = nullptr;
  std::shared_ptr<sip::SipServer> server_;
  sip::SipRegistrar* registrar_ = nullptr;
  std::mutex registrar_mu_;  // the registrar's handler and its bindings' reads
  mutable std::mutex mu_;
  std::map<CallKey, std::shared_ptr<Leg>> legs_;
};

// The call's key: the dialog id as text (Call-ID, our tag, the caller's tag).
CallKey call_key(const sip::DialogId& id);

}  // namespace ccteams::telephony
