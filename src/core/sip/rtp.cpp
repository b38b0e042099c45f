#include "core/sip/rtp.hpp"

#include <cassert>

namespace ccteams::sip {
namespace {

constexpr std::size_t kFixedHeader = 12;

std::uint16_t read16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

std::uint32_t read32(std::span<const std::uint8_t> b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
         (std::uint32_t{b[at + 2]} << 8) | std::uint32_t{b[at + 3]};
}

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v));
}

Error bad_rtp(const char* what) { return make_error(Errc::invalid_input, what); }

}  // namespace

Result<RtpPacket> parse_rtp(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kFixedHeader) return bad_rtp("RTP packet shorter than its header");
  const std::uint8_t b0 = bytes[0];
  const std::uint8_t b1 = bytes[1];
  if ((b0 >> 6) != 2) return bad_rtp("RTP version is not 2");
  RtpPacket p;
  RtpHeader& h = p.header;
  h.marker = (b1 & 0x80) != 0;
  h.payload_type = b1 & 0x7F;
  if (h.payload_type >= 72 && h.payload_type <= 76) return bad_rtp("RTCP packet, not RTP");
  h.sequence = read16(bytes, 2);
  h.timestamp = read32(bytes, 4);
  h.ssrc = read32(bytes, 8);
  std::size_t at = kFixedHeader;
  const std::size_t csrc_count = b0 & 0x0F;
  if (bytes.size() < at + 4 * csrc_count) return bad_rtp("RTP CSRC list past the end");
  for (std::size_t i = 0; i < csrc_count; ++i, at += 4) h.csrcs.push_back(read32(bytes, at));
  if ((b0 & 0x10) != 0) {
    if (bytes.size() < at + 4) return bad_rtp("RTP header extension past the end");
    h.extension_profile = read16(bytes, at);
    const std::size_t words = read16(bytes, at + 2);
    at += 4;
    if (bytes.size() - at < 4 * words) return bad_rtp("RTP header extension past the end");
    for (std::size_t i = 0; i < words; ++i, at += 4) h.extension.push_back(read32(bytes, at));
  }
  std::size_t end = bytes.size();
  if ((b0 & 0x20) != 0) {
    const std::size_t padding = bytes.back();
    if (padding == 0 || padding > end - at) return bad_rtp("RTP padding count is wrong");
    end -= padding;
  }
  p.payload = bytes.subspan(at, end - at);
  return p;
}

std::vector<std::uint8_t> build_rtp(const RtpHeader& h, std::span<const std::uint8_t> payload) {
  assert(h.csrcs.size() <= 15 && h.payload_type < 128 && h.extension.size() <= 0xFFFF);
  std::vector<std::uint8_t> out;
  out.reserve(kFixedHeader + 4 * h.csrcs.size() + 4 + 4 * h.extension.size() + payload.size());
  out.push_back(
      static_cast<std::uint8_t>(0x80 | (h.extension_profile ? 0x10 : 0) | (h.csrcs.size() & 0x0F)));
  out.push_back(static_cast<std::uint8_t>((h.marker ? 0x80 : 0) | (h.payload_type & 0x7F)));
  put16(out, h.sequence);
  put32(out, h.timestamp);
  put32(out, h.ssrc);
  for (const auto c : h.csrcs) put32(out, c);
  if (h.extension_profile) {
    put16(out, *h.extension_profile);
    put16(out, static_cast<std::uint16_t>(h.extension.size()));
    for (const auto w : h.extension) put32(out, w);
  }
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Result<TelephoneEvent> parse_telephone_event(std::span<const std::uint8_t> payload) {
  if (payload.size() != 4) return bad_rtp("telephone-event payload is not 4 bytes");
  return TelephoneEvent{payload[0], (payload[1] & 0x80) != 0,
                        static_cast<std::uint8_t>(payload[1] & 0x3F), read16(payload, 2)};
}

std::array<std::uint8_t, 4> build_telephone_event(const TelephoneEvent& e) {
  return {e.event, static_cast<std::uint8_t>((e.end ? 0x80 : 0) | (e.volume & 0x3F)),
          static_cast<std::uint8_t>(e.duration >> 8), static_cast<std::uint8_t>(e.duration)};
}

std::optional<char> event_char(std::uint8_t event) {
  constexpr char kChars[] = "0123456789*#ABCD!";
  if (event > 16) return std::nullopt;
  return kChars[event];
}

std::optional<std::uint8_t> event_of_char(char c) {
  if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
  if (c == '*') return 10;
  if (c == '#') return 11;
  if (c >= 'A' && c <= 'D') return static_cast<std::uint8_t>(12 + (c - 'A'));
  if (c >= 'a' && c <= 'd') return static_cast<std::uint8_t>(12 + (c - 'a'));
  if (c == '!') return 16;
  return std::nullopt;
}

}  // namespace ccteams::sip
