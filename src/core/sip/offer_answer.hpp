#pragma once
// RFC 3264 offer/answer for one G.711 audio stream with RFC 4733 telephone-events: what each
// call leg of the B2BUA negotiates with its peer. Pure: addresses, ports and the SDP origin come
// in as values (the dialog keeps the origin and raises its version by one per new SDP, §8).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sip/sdp.hpp"
#include "core/sip/sip_error.hpp"

namespace ccteams::sip {

enum class Codec : std::uint8_t { pcmu, pcma };  // G.711 µ-law (PT 0), A-law (PT 8)
std::string_view codec_name(Codec c);            // "PCMU", "PCMA"
int static_payload_type(Codec c);                // 0, 8

struct MediaConfig {
  std::string address;  // where we receive RTP (c=)
  std::uint16_t port = 0;
  std::vector<Codec> codecs{Codec::pcmu, Codec::pcma};  // what we accept; offers list this order
  bool telephone_event = true;             // RFC 4733 events 0-16 (digits, *, #, A-D, flash)
  int telephone_event_payload_type = 101;  // used in our offers; answers reuse the offer's
  int ptime = 20;
};

// The outcome for the audio stream: what to send where, and which way media flows for us.
struct NegotiatedAudio {
  Codec codec = Codec::pcmu;
  int payload_type = 0;
  std::optional<int> telephone_event_payload_type;  // absent: the peer takes no RFC 4733 events
  std::string remote_address;
  std::uint16_t remote_port = 0;
  Direction direction = Direction::sendrecv;  // ours: sends() = we may send RTP to the peer
  std::optional<int> remote_ptime;
  std::size_t stream_index = 0;  // which m= line
  friend bool operator==(const NegotiatedAudio&, const NegotiatedAudio&) = default;
};

struct Answer {
  SessionDescription sdp;
  NegotiatedAudio audio;
};

// Answers an offer (RFC 3264 §6): the first audio stream over RTP/AVP with a codec we take is
// accepted with that codec (the first of the offer's order among local.codecs, with the offer's
// payload type numbers) and telephone-event if both sides have it; every other stream is
// rejected with port 0, so the answer has as many m= lines in the same order. `wanted` is the
// direction we want (sendonly to put the peer on hold); the answer's follows §6.1 (offer
// sendonly -> recvonly or inactive, recvonly -> sendonly or inactive, inactive -> inactive). A
// stream offered with c=0.0.0.0 (the old hold, §8.4) is treated as offered without receiving.
// Error: 488 "Not Acceptable Here (no common codec)" when no stream can be accepted.
SipResult<Answer> answer_offer(const SessionDescription& offer, const MediaConfig& local,
                               SdpOrigin origin, Direction wanted = Direction::sendrecv);

// Our offer: one audio stream with local.codecs and telephone-event, in `direction`.
SessionDescription make_offer(const MediaConfig& local, SdpOrigin origin,
                              Direction direction = Direction::sendrecv);

// Reads the answer to our offer: the same number of m= lines (else 400), the first accepted
// audio stream with a G.711 codec we offered (else 488). Our direction is what both allow.
SipResult<NegotiatedAudio> accept_answer(const SessionDescription& offer,
                                         const SessionDescription& answer);

// The direction an answer takes to an offered direction, given what the answerer wants.
Direction answer_direction(Direction offered, Direction wanted);
// The direction to offer from the two hold states (RFC 3264 §8.4, RFC 6337 §5).
Direction hold_direction(bool we_hold_peer, bool peer_holds_us);

}  // namespace ccteams::sip
