#pragma once
// SDP session descriptions (RFC 8866, which obsoletes RFC 4566) as values: what offer/answer
// (offer_answer.hpp) reads and writes. Only what a G.711 call needs is structured; other lines
// are kept (attributes) or skipped (t=, b=, i=...). Hostile input gives an error, never UB.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sip/sip_error.hpp"

namespace ccteams::sip {

// a=sendrecv / sendonly / recvonly / inactive, from the point of view of the side that wrote it.
enum class Direction : std::uint8_t { sendrecv, sendonly, recvonly, inactive };
std::string_view direction_name(Direction d);
bool sends(Direction d);     // sendrecv or sendonly
bool receives(Direction d);  // sendrecv or recvonly

struct SdpOrigin {  // o=<username> <sess-id> <sess-version> IN <addrtype> <address>
  std::string username = "-";
  std::uint64_t session_id = 0;
  std::uint64_t session_version = 0;
  std::string address_type = "IP4";
  std::string address;
  friend bool operator==(const SdpOrigin&, const SdpOrigin&) = default;
};

struct SdpConnection {  // c=IN <addrtype> <address>
  std::string address_type = "IP4";
  std::string address;
  friend bool operator==(const SdpConnection&, const SdpConnection&) = default;
};

struct RtpMap {  // a=rtpmap:<pt> <encoding>/<clock>[/<channels>]
  int payload_type = 0;
  std::string encoding;  // as written ("PCMU", "telephone-event")
  int clock_rate = 8000;
  int channels = 1;
  friend bool operator==(const RtpMap&, const RtpMap&) = default;
};

struct Fmtp {  // a=fmtp:<pt> <parameters>
  int payload_type = 0;
  std::string parameters;
  friend bool operator==(const Fmtp&, const Fmtp&) = default;
};

struct SdpMedia {
  std::string type = "audio";
  std::uint16_t port = 0;  // 0: the stream is rejected or removed
  int port_count = 1;      // m=audio 49170/2: two ports; written only when above 1
  std::string protocol = "RTP/AVP";
  std::vector<std::string> formats;  // as listed on the m= line, in order
  std::optional<SdpConnection> connection;
  std::vector<RtpMap> rtpmaps;
  std::vector<Fmtp> fmtps;
  std::optional<Direction> direction;
  std::optional<int> ptime;
  std::vector<std::string> attributes;  // other a= lines, without "a="

  // The codec of a payload type: its rtpmap, else RFC 3551's static assignment (0 PCMU, 3 GSM,
  // 8 PCMA, 9 G722, 13 CN, 18 G729); nullopt when neither names it.
  std::optional<RtpMap> codec(int payload_type) const;
  std::optional<std::string_view> fmtp(int payload_type) const;
  friend bool operator==(const SdpMedia&, const SdpMedia&) = default;
};

struct SessionDescription {
  SdpOrigin origin;
  std::string session_name = "-";
  std::optional<SdpConnection> connection;
  std::optional<Direction> direction;   // session level: the default for every stream
  std::vector<std::string> attributes;  // other session-level a= lines
  std::vector<SdpMedia> media;

  // The stream's direction: its own attribute, else the session's, else sendrecv (RFC 8866
  // §6.7). The stream's connection: its own c=, else the session's.
  Direction direction_of(const SdpMedia& m) const;
  std::optional<SdpConnection> connection_of(const SdpMedia& m) const;
  friend bool operator==(const SessionDescription&, const SessionDescription&) = default;
};

inline constexpr std::size_t kMaxSdpMedia = 16;
inline constexpr std::size_t kMaxSdpFormats = 64;

// Errors are 400 "Bad Request (SDP: ...)": v=0 first, o= present and well formed, m= and c=
// lines well formed, rtpmap/fmtp/ptime attributes well formed, at most kMaxSdpMedia streams
// of kMaxSdpFormats formats. CRLF or bare LF line ends.
SipResult<SessionDescription> parse_sdp(std::string_view text);
// v=, o=, s=, c=, t=0 0, session attributes, then each stream with its c=, rtpmaps, fmtps,
// ptime, other attributes and direction; CRLF line ends.
std::string format_sdp(const SessionDescription& sdp);

}  // namespace ccteams::sip
