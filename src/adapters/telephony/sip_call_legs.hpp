#pragma once
// The call service's legs on the SIP server and RTP (issue 20, part 7): the SipServer's
// CallHandler for incoming INVITEs (routed by the CallService), one RtpSession per caller from
// the port allocator on a strand of its own (the call's one RTP clock), the queue audio played
// on it, and the hang-ups both ways.
//
// Gaps (docs/telephony.md, "What exists (part 7)"):
// - ring_agent, cancel_agent and bridge are the seam for SipServer::place_call / cancel_call:
//   today they log that agents' devices are not dialled, and the contact rings on the agent's
//   desktop only (RONA and desktop accept work as before).
// - a refusal goes out with the status's default reason phrase and no Retry-After, as
//   InviteDecision carries neither.
//
// Thread-safety: the CallLegs functions from any thread; the handler on the server's strand.

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <mutex>

#include "adapters/rtp/queue_audio.hpp"
#include "adapters/rtp/rtp_port_allocator.hpp"
#include "adapters/rtp/rtp_session.hpp"
#include "adapters/sip/sip_registrar.hpp"
#include "adapters/sip/sip_server.hpp"
#include "adapters/telephony/trunk_sources.hpp"
#include "app/telephony/call_service.hpp"

namespace ccteams::telephony {

struct SipCallLegsDeps {
  boost::asio::io_context& io;
  Clock& clock;
  Scheduler& scheduler;
  std::shared_ptr<rtp::RtpPortAllocator> ports;
  rtp::QueueAudio audio;
  TrunkSources trunks;
  std::string media_address;  // c= in our SDP
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
  struct Leg {
    sip::DialogId id;
    sip::SipMessage invite;
    rtp::Strand strand;
    std::shared_ptr<rtp::RtpSession> session;
    sip::NegotiatedAudio audio;
  };
  sip::InviteDecision on_invite(const sip::SipMessage& invite, const sip::DialogId& id);
  std::shared_ptr<Leg> find(const CallKey& call) const;

  SipCallLegsDeps deps_;
  CallService* service_ = nullptr;
  std::shared_ptr<sip::SipServer> server_;
  sip::SipRegistrar* registrar_ = nullptr;
  mutable std::mutex mu_;
  std::map<CallKey, std::shared_ptr<Leg>> legs_;
};

// The call's key: the dialog id as text (Call-ID, our tag, the caller's tag).
CallKey call_key(const sip::DialogId& id);

}  // namespace ccteams::telephony
