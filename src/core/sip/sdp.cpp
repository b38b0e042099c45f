#include "core/sip/sdp.hpp"

#include <algorithm>
#include <charconv>

namespace ccteams::sip {
namespace {

template <class N>
bool to_number(std::string_view s, N& out) {
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && ptr == s.data() + s.size();
}

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

SipParseError bad_sdp(std::string_view what) { return bad_request("SDP: " + std::string(what)); }

std::optional<Direction> direction_attribute(std::string_view a) {
  if (a == "sendrecv") return Direction::sendrecv;
  if (a == "sendonly") return Direction::sendonly;
  if (a == "recvonly") return Direction::recvonly;
  if (a == "inactive") return Direction::inactive;
  return std::nullopt;
}

SipResult<SdpConnection> parse_connection(std::string_view v) {
  const auto f = split_spaces(v);
  if (f.size() != 3 || f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6")) {
    return bad_sdp("bad c= line");
  }
  // A multicast address may carry /ttl; the address is what we keep, and it must be there.
  const std::string_view address = f[2].substr(0, f[2].find('/'));
  if (address.empty()) return bad_sdp("bad c= line");
  return SdpConnection{std::string(f[1]), std::string(address)};
}

SipResult<SdpMedia> parse_media_line(std::string_view v) {
  const auto f = split_spaces(v);
  if (f.size() < 4) return bad_sdp("bad m= line");
  if (f.size() - 3 > kMaxSdpFormats) return bad_sdp("too many formats");
  SdpMedia m;
  m.type = std::string(f[0]);
  const std::string_view port = f[1].substr(0, f[1].find('/'));
  if (!to_number(port, m.port)) return bad_sdp("bad m= port");
  if (port.size() < f[1].size()) {
    if (!to_number(f[1].substr(port.size() + 1), m.port_count) || m.port_count < 1) {
      return bad_sdp("bad m= port count");
    }
  }
  m.protocol = std::string(f[2]);
  for (std::size_t i = 3; i < f.size(); ++i) m.formats.emplace_back(f[i]);
  return m;
}

// "96 telephone-event/8000" or "0 PCMU/8000/1".
SipResult<RtpMap> parse_rtpmap(std::string_view v) {
  const auto space = v.find(' ');
  RtpMap r;
  if (space == std::string_view::npos || !to_number(v.substr(0, space), r.payload_type) ||
      r.payload_type < 0 || r.payload_type > 127) {
    return bad_sdp("bad rtpmap");
  }
  std::string_view rest = v.substr(space + 1);
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return bad_sdp("bad rtpmap");
  r.encoding = std::string(rest.substr(0, slash));
  rest.remove_prefix(slash + 1);
  const auto slash2 = rest.find('/');
  if (!to_number(rest.substr(0, slash2), r.clock_rate) || r.clock_rate <= 0) {
    return bad_sdp("bad rtpmap clock rate");
  }
  if (slash2 != std::string_view::npos &&
      (!to_number(rest.substr(slash2 + 1), r.channels) || r.channels <= 0)) {
    return bad_sdp("bad rtpmap channels");
  }
  return r;
}

// One a= line; `media` is null at session level.
SipResult<void> parse_attribute(std::string_view a, SessionDescription& sdp, SdpMedia* media) {
  if (auto d = direction_attribute(a)) {
    (media != nullptr ? media->direction : sdp.direction) = *d;
    return {};
  }
  if (media != nullptr && a.starts_with("rtpmap:")) {
    auto r = parse_rtpmap(a.substr(7));
    if (!r) return std::move(r).error();
    media->rtpmaps.push_back(std::move(*r));
    return {};
  }
  if (media != nullptr && a.starts_with("fmtp:")) {
    const std::string_view v = a.substr(5);
    const auto space = v.find(' ');
    Fmtp f;
    if (!to_number(v.substr(0, space), f.payload_type)) return bad_sdp("bad fmtp");
    if (space != std::string_view::npos) f.parameters = std::string(v.substr(space + 1));
    media->fmtps.push_back(std::move(f));
    return {};
  }
  if (media != nullptr && a.starts_with("ptime:")) {
    int ptime = 0;
    if (!to_number(a.substr(6), ptime) || ptime <= 0 || ptime > 1000) return bad_sdp("bad ptime");
    media->ptime = ptime;
    return {};
  }
  (media != nullptr ? media->attributes : sdp.attributes).emplace_back(a);
  return {};
}

SipResult<SdpOrigin> parse_origin(std::string_view v) {
  const auto f = split_spaces(v);
  SdpOrigin o;
  if (f.size() != 6 || f[3] != "IN" || !to_number(f[1], o.session_id) ||
      !to_number(f[2], o.session_version)) {
    return bad_sdp("bad o= line");
  }
  o.username = std::string(f[0]);
  o.address_type = std::string(f[4]);
  o.address = std::string(f[5]);
  return o;
}

}  // namespace

std::string_view direction_name(Direction d) {
  switch (d) {
    case Direction::sendrecv:
      return "sendrecv";
    case Direction::sendonly:
      return "sendonly";
    case Direction::recvonly:
      return "recvonly";
    case Direction::inactive:
      return "inactive";
  }
  return "sendrecv";
}

bool sends(Direction d) { return d == Direction::sendrecv || d == Direction::sendonly; }
bool receives(Direction d) { return d == Direction::sendrecv || d == Direction::recvonly; }

std::optional<RtpMap> SdpMedia::codec(int payload_type) const {
  for (const auto& r : rtpmaps) {
    if (r.payload_type == payload_type) return r;
  }
  switch (payload_type) {  // RFC 3551 §6, Table 4
    case 0:
      return RtpMap{0, "PCMU", 8000, 1};
    case 3:
      return RtpMap{3, "GSM", 8000, 1};
    case 8:
      return RtpMap{8, "PCMA", 8000, 1};
    case 9:
      return RtpMap{9, "G722", 8000, 1};
    case 13:
      return RtpMap{13, "CN", 8000, 1};
    case 18:
      return RtpMap{18, "G729", 8000, 1};
    default:
      return std::nullopt;
  }
}

std::optional<std::string_view> SdpMedia::fmtp(int payload_type) const {
  for (const auto& f : fmtps) {
    if (f.payload_type == payload_type) return std::string_view(f.parameters);
  }
  return std::nullopt;
}

Direction SessionDescription::direction_of(const SdpMedia& m) const {
  return m.direction.value_or(direction.value_or(Direction::sendrecv));
}

std::optional<SdpConnection> SessionDescription::connection_of(const SdpMedia& m) const {
  return m.connection ? m.connection : connection;
}

SipResult<SessionDescription> parse_sdp(std::string_view text) {
  SessionDescription sdp;
  bool seen_version = false;
  bool seen_origin = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;  // tolerated, though RFC 8866 has none
    // A stray CR or NUL inside a line would let a peer smuggle lines into what we write back.
    if (std::any_of(line.begin(), line.end(), [](char c) {
          return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F;
        })) {
      return bad_sdp("control character");
    }
    if (line.size() < 2 || line[1] != '=') return bad_sdp("line without '='");
    const char type = line[0];
    const std::string_view value = line.substr(2);
    if (!seen_version) {
      if (type != 'v' || value != "0") return bad_sdp("v=0 must come first");
      seen_version = true;
      continue;
    }
    SdpMedia* media = sdp.media.empty() ? nullptr : &sdp.media.back();
    switch (type) {
      case 'o': {
        auto o = parse_origin(value);
        if (!o) return std::move(o).error();
        sdp.origin = std::move(*o);
        seen_origin = true;
        break;
      }
      case 's':
        // "s=" is not allowed but seen; "-" stands for "no name" (RFC 8866 §5.3).
        sdp.session_name = value.empty() ? std::string("-") : std::string(value);
        break;
      case 'c': {
        auto c = parse_connection(value);
        if (!c) return std::move(c).error();
        (media != nullptr ? media->connection : sdp.connection) = std::move(*c);
        break;
      }
      case 'm': {
        if (sdp.media.size() == kMaxSdpMedia) return bad_sdp("too many m= lines");
        auto m = parse_media_line(value);
        if (!m) return std::move(m).error();
        sdp.media.push_back(std::move(*m));
        break;
      }
      case 'a': {
        auto a = parse_attribute(value, sdp, media);
        if (!a) return std::move(a).error();
        break;
      }
      default:
        break;  // t=, b=, i=, k=... carry nothing a G.711 call needs
    }
  }
  if (!seen_version) return bad_sdp("v=0 must come first");
  if (!seen_origin) return bad_sdp("missing o= line");
  return sdp;
}

std::string format_sdp(const SessionDescription& sdp) {
  std::string out = "v=0\r\n";
  const auto& o = sdp.origin;
  out += "o=" + o.username + " " + std::to_string(o.session_id) + " " +
         std::to_string(o.session_version) + " IN " + o.address_type + " " + o.address + "\r\n";
  out += "s=" + (sdp.session_name.empty() ? std::string("-") : sdp.session_name) + "\r\n";
  if (sdp.connection) {
    out += "c=IN " + sdp.connection->address_type + " " + sdp.connection->address + "\r\n";
  }
  out += "t=0 0\r\n";
  for (const auto& a : sdp.attributes) out += "a=" + a + "\r\n";
  if (sdp.direction) out += "a=" + std::string(direction_name(*sdp.direction)) + "\r\n";
  for (const auto& m : sdp.media) {
    out += "m=" + m.type + " " + std::to_string(m.port);
    if (m.port_count > 1) out += "/" + std::to_string(m.port_count);
    out += " " + m.protocol;
    for (const auto& f : m.formats) out += " " + f;
    out += "\r\n";
    if (m.connection) {
      out += "c=IN " + m.connection->address_type + " " + m.connection->address + "\r\n";
    }
    for (const auto& r : m.rtpmaps) {
      out += "a=rtpmap:" + std::to_string(r.payload_type) + " " + r.encoding + "/" +
             std::to_string(r.clock_rate);
      if (r.channels != 1) out += "/" + std::to_string(r.channels);
      out += "\r\n";
    }
    for (const auto& f : m.fmtps) {
      out += "a=fmtp:" + std::to_string(f.payload_type) + " " + f.parameters + "\r\n";
    }
    if (m.ptime) out += "a=ptime:" + std::to_string(*m.ptime) + "\r\n";
    for (const auto& a : m.attributes) out += "a=" + a + "\r\n";
    if (m.direction) out += "a=" + std::string(direction_name(*m.direction)) + "\r\n";
  }
  return out;
}

}  // namespace ccteams::sip
