#include "adapters/rtp/rtp_relay.hpp"

#include "adapters/rtp/telephone_events.hpp"
#include "core/media/media_player.hpp"

namespace ccteams::rtp {

RtpRelay::RtpRelay(std::shared_ptr<RtpSession> a, std::shared_ptr<RtpSession> b)
    : state_(std::make_shared<State>()) {
  state_->sessions[0] = a;
  state_->sessions[1] = b;
  // The receivers hold the state, not the sessions: no cycle through a session's own callback.
  a->on_packet([state = state_](const sip::RtpPacket& p) { forward(*state, 0, p); });
  b->on_packet([state = state_](const sip::RtpPacket& p) { forward(*state, 1, p); });
}

RtpRelay::~RtpRelay() { stop(); }

void RtpRelay::stop() {
  for (auto& weak : state_->sessions) {
    if (auto s = weak.lock()) s->on_packet(nullptr);
    weak.reset();
  }
}

void RtpRelay::forward(State& state, int from, const sip::RtpPacket& packet) {
  auto in = state.sessions[from].lock();
  auto out = state.sessions[1 - from].lock();
  if (!in || !out) return;
  auto& stats = state.stats[from];
  const RtpLegMedia& src = in->media();
  const RtpLegMedia& dst = out->media();
  if (is_telephone_event(*in, packet)) {
    if (!relay_telephone_event(*out, packet)) {
      ++stats.dropped_events;
      return;
    }
    ++stats.events;
    ++stats.forwarded;
    return;
  }
  ++stats.forwarded;
  if (src.codec == dst.codec) {
    out->send_relayed(packet.header, packet.payload, dst.payload_type);
    return;
  }
  media::decode_frame(packet.payload, src.codec, state.linear);
  media::encode_frame(state.linear, dst.codec, state.payload);
  ++stats.transcoded;
  out->send_relayed(packet.header, state.payload, dst.payload_type);
}

}  // namespace ccteams::rtp
