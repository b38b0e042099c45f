#include "core/sip/offer_answer.hpp"

#include <algorithm>
#include <charconv>

#include "core/sip/sip_message.hpp"

namespace ccteams::sip {
namespace {

constexpr std::string_view kEventsFmtp = "0-16";

std::optional<int> payload_type_of(std::string_view format) {
  int pt = -1;
  const auto [ptr, ec] = std::from_chars(format.data(), format.data() + format.size(), pt);
  if (format.empty() || ec != std::errc() || ptr != format.data() + format.size() || pt < 0 ||
      pt > 127) {
    return std::nullopt;
  }
  return pt;
}

std::optional<Codec> g711_of(const RtpMap& r) {
  if (r.clock_rate != 8000 || r.channels != 1) return std::nullopt;
  if (iequals(r.encoding, "PCMU")) return Codec::pcmu;
  if (iequals(r.encoding, "PCMA")) return Codec::pcma;
  return std::nullopt;
}

bool is_telephone_event(const RtpMap& r) {
  return r.clock_rate == 8000 && iequals(r.encoding, "telephone-event");
}

bool is_rtp_audio(const SdpMedia& m) {
  return m.type == "audio" && iequals(m.protocol, "RTP/AVP") && m.port != 0;
}

// The first format of `m` (in its order) that is a G.711 codec in `accepted`.
std::optional<std::pair<int, Codec>> first_g711(const SdpMedia& m,
                                                const std::vector<Codec>& accepted) {
  for (const auto& f : m.formats) {
    const auto pt = payload_type_of(f);
    if (!pt) continue;
    const auto rtpmap = m.codec(*pt);
    if (!rtpmap) continue;
    const auto codec = g711_of(*rtpmap);
    if (codec && std::find(accepted.begin(), accepted.end(), *codec) != accepted.end()) {
      return std::pair{*pt, *codec};
    }
  }
  return std::nullopt;
}

std::optional<int> telephone_event_of(const SdpMedia& m) {
  for (const auto& f : m.formats) {
    const auto pt = payload_type_of(f);
    if (!pt) continue;
    const auto rtpmap = m.codec(*pt);
    if (rtpmap && is_telephone_event(*rtpmap)) return pt;
  }
  return std::nullopt;
}

bool held_by_address(const std::optional<SdpConnection>& c) {
  return c && c->address_type == "IP4" && c->address == "0.0.0.0";
}

Direction without_receiving(Direction d) {
  return d == Direction::sendrecv   ? Direction::sendonly
         : d == Direction::recvonly ? Direction::inactive
                                    : d;
}

Direction from_both(bool send, bool receive) {
  if (send && receive) return Direction::sendrecv;
  if (send) return Direction::sendonly;
  if (receive) return Direction::recvonly;
  return Direction::inactive;
}

SdpMedia audio_stream(const MediaConfig& local, std::vector<std::pair<int, Codec>> codecs,
                      std::optional<int> events, std::optional<std::string_view> events_fmtp,
                      Direction direction) {
  SdpMedia m;
  m.port = local.port;
  for (const auto& [pt, codec] : codecs) {
    m.formats.push_back(std::to_string(pt));
    m.rtpmaps.push_back(RtpMap{pt, std::string(codec_name(codec)), 8000, 1});
  }
  if (events) {
    m.formats.push_back(std::to_string(*events));
    m.rtpmaps.push_back(RtpMap{*events, "telephone-event", 8000, 1});
    m.fmtps.push_back(Fmtp{*events, std::string(events_fmtp.value_or(kEventsFmtp))});
  }
  m.ptime = local.ptime;
  m.direction = direction;
  return m;
}

}  // namespace

std::string_view codec_name(Codec c) { return c == Codec::pcmu ? "PCMU" : "PCMA"; }
int static_payload_type(Codec c) { return c == Codec::pcmu ? 0 : 8; }

Direction answer_direction(Direction offered, Direction wanted) {
  switch (offered) {
    case Direction::sendonly:
      return from_both(false, receives(wanted));
    case Direction::recvonly:
      return from_both(sends(wanted), false);
    case Direction::inactive:
      return Direction::inactive;
    case Direction::sendrecv:
      return wanted;
  }
  return Direction::inactive;
}

Direction hold_direction(bool we_hold_peer, bool peer_holds_us) {
  return from_both(!peer_holds_us, !we_hold_peer);
}

SipResult<Answer> answer_offer(const SessionDescription& offer, const MediaConfig& local,
                               SdpOrigin origin, Direction wanted) {
  Answer answer;
  answer.sdp.origin = std::move(origin);
  answer.sdp.connection = SdpConnection{"IP4", local.address};
  bool accepted = false;
  for (std::size_t i = 0; i < offer.media.size(); ++i) {
    const SdpMedia& offered = offer.media[i];
    const auto connection = offer.connection_of(offered);
    const auto codec = is_rtp_audio(offered) && connection && !accepted
                           ? first_g711(offered, local.codecs)
                           : std::nullopt;
    if (!codec) {
      // Rejected (§6): port 0, the offer's formats, nothing else.
      SdpMedia rejected;
      rejected.type = offered.type;
      rejected.protocol = offered.protocol;
      rejected.formats = offered.formats;
      answer.sdp.media.push_back(std::move(rejected));
      continue;
    }
    accepted = true;
    Direction offered_direction = offer.direction_of(offered);
    if (held_by_address(connection)) offered_direction = without_receiving(offered_direction);
    const auto events = local.telephone_event ? telephone_event_of(offered) : std::nullopt;
    NegotiatedAudio& a = answer.audio;
    a.codec = codec->second;
    a.payload_type = codec->first;
    a.telephone_event_payload_type = events;
    a.remote_address = connection->address;
    a.remote_port = offered.port;
    a.direction = answer_direction(offered_direction, wanted);
    a.remote_ptime = offered.ptime;
    a.stream_index = i;
    answer.sdp.media.push_back(audio_stream(
        local, {*codec}, events, events ? offered.fmtp(*events) : std::nullopt, a.direction));
  }
  if (!accepted) return SipParseError{488, "Not Acceptable Here (no common codec)"};
  return answer;
}

SessionDescription make_offer(const MediaConfig& local, SdpOrigin origin, Direction direction) {
  SessionDescription offer;
  offer.origin = std::move(origin);
  offer.connection = SdpConnection{"IP4", local.address};
  std::vector<std::pair<int, Codec>> codecs;
  for (const Codec c : local.codecs) codecs.emplace_back(static_payload_type(c), c);
  std::optional<int> events;
  if (local.telephone_event) events = local.telephone_event_payload_type;
  offer.media.push_back(audio_stream(local, std::move(codecs), events, std::nullopt, direction));
  return offer;
}

SipResult<NegotiatedAudio> accept_answer(const SessionDescription& offer,
                                         const SessionDescription& answer) {
  if (answer.media.size() != offer.media.size()) {
    return bad_request("SDP: the answer's m= lines do not match the offer's");
  }
  for (std::size_t i = 0; i < answer.media.size(); ++i) {
    const SdpMedia& ours = offer.media[i];
    const SdpMedia& theirs = answer.media[i];
    const auto connection = answer.connection_of(theirs);
    if (!is_rtp_audio(ours) || !is_rtp_audio(theirs) || !connection) continue;
    // The answer's codec must be one we offered, with the number we gave it (§6.1).
    std::vector<Codec> offered_codecs;
    for (const auto& f : ours.formats) {
      const auto pt = payload_type_of(f);
      const auto r = pt ? ours.codec(*pt) : std::nullopt;
      if (const auto c = r ? g711_of(*r) : std::nullopt) offered_codecs.push_back(*c);
    }
    const auto codec = first_g711(theirs, offered_codecs);
    if (!codec) continue;
    NegotiatedAudio a;
    a.codec = codec->second;
    a.payload_type = codec->first;
    if (telephone_event_of(ours)) a.telephone_event_payload_type = telephone_event_of(theirs);
    a.remote_address = connection->address;
    a.remote_port = theirs.port;
    Direction their = answer.direction_of(theirs);
    if (held_by_address(connection)) their = without_receiving(their);
    const Direction mine = offer.direction_of(ours);
    a.direction = from_both(sends(mine) && receives(their), receives(mine) && sends(their));
    a.remote_ptime = theirs.ptime;
    a.stream_index = i;
    return a;
  }
  return SipParseError{488, "Not Acceptable Here (no common codec)"};
}

}  // namespace ccteams::sip
