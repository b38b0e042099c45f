#pragma once
// RFC 4733 telephone-events between legs, shared by the two-party relay and the conference:
// an event received on one leg goes out of another with THAT leg's telephone-event payload
// type, or is dropped when that leg did not negotiate telephone-event.
//
// Thread-safety: on the sessions' strand.

#include "adapters/rtp/rtp_session.hpp"

namespace ccteams::rtp {

// True when `packet`, received by `from`, is a telephone-event rather than audio (the session
// lets through only its negotiated payload types).
inline bool is_telephone_event(const RtpSession& from, const sip::RtpPacket& packet) {
  return packet.header.payload_type != from.media().payload_type;
}

// Sends the event out of `to` now (send_relayed: `to` stops playing its own frames). False,
// nothing sent, when `to` takes no telephone-events.
bool relay_telephone_event(RtpSession& to, const sip::RtpPacket& packet);

}  // namespace ccteams::rtp
