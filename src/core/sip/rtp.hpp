#pragma once
// RTP packets (RFC 3550 §5.1) and RFC 4733 telephone-event payloads as values. Parsing reads only
// inside the given bytes and refuses what RFC 3550 §A.1's validity checks refuse; building
// writes what parsing reads back.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/result.hpp"

namespace ccteams::sip {

struct RtpHeader {
  bool marker = false;            // audio: the first packet of a talkspurt (RFC 3551 §4.1)
  std::uint8_t payload_type = 0;  // 0-127
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
  std::vector<std::uint32_t> csrcs;  // at most 15
  // The header extension (X bit): the profile's 16 bits and the extension's words.
  std::optional<std::uint16_t> extension_profile;
  std::vector<std::uint32_t> extension;
  friend bool operator==(const RtpHeader&, const RtpHeader&) = default;
};

struct RtpPacket {
  RtpHeader header;
  std::span<const std::uint8_t> payload;  // into the parsed bytes, padding removed
};

// Errors (invalid_input): shorter than 12 bytes, version not 2, CSRCs, extension or padding
// running past the end, a padding count of 0, payload types 72-76 (RTCP SR/RR/SDES/BYE/APP
// sharing the port: RFC 5761 §4).
Result<RtpPacket> parse_rtp(std::span<const std::uint8_t> bytes);
// Header then payload; no padding is added. Asserts at most 15 CSRCs and payload_type < 128.
std::vector<std::uint8_t> build_rtp(const RtpHeader& header, std::span<const std::uint8_t> payload);

// RFC 4733 §2.3: one named event (0-9 digits, 10 '*', 11 '#', 12-15 A-D, 16 flash) per packet.
// All packets of one event carry its start timestamp; `duration` grows in timestamp units; the
// end packet (E bit) is sent three times.
struct TelephoneEvent {
  std::uint8_t event = 0;
  bool end = false;
  std::uint8_t volume = 10;  // 0 to 63: -dBm0, so 10 is -10 dBm0
  std::uint16_t duration = 0;
  friend bool operator==(const TelephoneEvent&, const TelephoneEvent&) = default;
};
// Error when the payload is not exactly 4 bytes (RFC 2198 redundancy is not negotiated).
Result<TelephoneEvent> parse_telephone_event(std::span<const std::uint8_t> payload);
std::array<std::uint8_t, 4> build_telephone_event(const TelephoneEvent& event);
// '0'-'9', '*', '#', 'A'-'D', '!' (flash) and the inverse; nullopt for anything else.
std::optional<char> event_char(std::uint8_t event);
std::optional<std::uint8_t> event_of_char(char c);

}  // namespace ccteams::sip
