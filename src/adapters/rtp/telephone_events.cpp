#include "adapters/rtp/telephone_events.hpp"

namespace ccteams::rtp {

bool relay_telephone_event(RtpSession& to, const sip::RtpPacket& packet) {
  const auto pt = to.media().telephone_event_payload_type;
  if (!pt) return false;
  to.send_relayed(packet.header, packet.payload, *pt);
  return true;
}

}  // namespace ccteams::rtp
