#pragma once
// Bridges two RTP sessions of a call (caller <-> agent): each side's packets go out of the
// other on arrival, no jitter buffer (relaying needs none: RFC 3550 §7.3). Each outgoing stream
// stays the session's own continuous SSRC, sequence and timestamp line across the switch from
// music to the agent and back (core/media/rtp_stream). Audio is passed as it is when both legs
// negotiated the same codec and transcoded (G.711 µ-law <-> A-law) otherwise, with each leg's
// payload type number; RFC 4733 telephone-events pass through with the far leg's number, or
// are dropped (counted) when the far leg did not negotiate them.
//
// Thread-safety: both sessions are on one strand; construct, stop and destroy the relay there.

#include <cstdint>
#include <memory>
#include <vector>

#include "adapters/rtp/rtp_session.hpp"

namespace ccteams::rtp {

struct RtpRelayStats {
  std::uint64_t forwarded = 0;
  std::uint64_t transcoded = 0;
  std::uint64_t events = 0;          // RFC 4733 packets passed
  std::uint64_t dropped_events = 0;  // the far leg takes no telephone-events
};

class RtpRelay {
 public:
  // Bridges at once: both sessions stop playing when the other side's first packet arrives
  // (until then the caller keeps hearing music). Replaces the sessions' packet receivers.
  RtpRelay(std::shared_ptr<RtpSession> a, std::shared_ptr<RtpSession> b);
  ~RtpRelay();  // stop()
  RtpRelay(const RtpRelay&) = delete;
  RtpRelay& operator=(const RtpRelay&) = delete;

  // Unbridges: packets are no longer forwarded (the app plays hold music again, or closes).
  void stop();
  // Each direction's counts: [0] a -> b, [1] b -> a.
  const RtpRelayStats& stats(int direction) const { return state_->stats[direction]; }

 private:
  struct State {
    std::weak_ptr<RtpSession> sessions[2];
    RtpRelayStats stats[2];
    std::vector<std::int16_t> linear;
    std::vector<std::uint8_t> payload;
  };
  static void forward(State& state, int from, const sip::RtpPacket& packet);
  std::shared_ptr<State> state_;
};

}  // namespace ccteams::rtp
