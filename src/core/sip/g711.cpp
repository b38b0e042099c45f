#include "core/sip/g711.hpp"

#include <array>

namespace ccteams::sip {
namespace {

// The segment ends of G.191's g711.c: the largest magnitude each of the 8 segments codes.
constexpr std::array<int, 8> kAlawSegmentEnd{0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF};
constexpr std::array<int, 8> kUlawSegmentEnd{0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF};
constexpr int kUlawBias = 0x84;
constexpr int kUlawClip = 8159;

int segment_of(int magnitude, const std::array<int, 8>& ends) {
  for (int i = 0; i < 8; ++i) {
    if (magnitude <= ends[static_cast<std::size_t>(i)]) return i;
  }
  return 8;
}

}  // namespace

std::uint8_t linear_to_alaw(std::int16_t sample) {
  int pcm = sample >> 3;  // 13 bits
  int mask = 0xD5;        // sign bit set for non-negative samples, then the even-bit inversion
  if (pcm < 0) {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const int seg = segment_of(pcm, kAlawSegmentEnd);
  if (seg >= 8) return static_cast<std::uint8_t>(0x7F ^ mask);
  int code = seg << 4;
  code |= seg < 2 ? (pcm >> 1) & 0x0F : (pcm >> seg) & 0x0F;
  return static_cast<std::uint8_t>(code ^ mask);
}

std::int16_t alaw_to_linear(std::uint8_t code) {
  const int a = code ^ 0x55;
  int t = (a & 0x0F) << 4;
  const int seg = (a & 0x70) >> 4;
  if (seg == 0) {
    t += 8;
  } else {
    t = (t + 0x108) << (seg - 1);
  }
  return static_cast<std::int16_t>((a & 0x80) != 0 ? t : -t);
}

std::uint8_t linear_to_ulaw(std::int16_t sample) {
  int pcm = sample >> 2;  // 14 bits
  int mask = 0xFF;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7F;
  }
  if (pcm > kUlawClip) pcm = kUlawClip;
  pcm += kUlawBias >> 2;
  const int seg = segment_of(pcm, kUlawSegmentEnd);
  if (seg >= 8) return static_cast<std::uint8_t>(0x7F ^ mask);
  const int code = (seg << 4) | ((pcm >> (seg + 1)) & 0x0F);
  return static_cast<std::uint8_t>(code ^ mask);
}

std::int16_t ulaw_to_linear(std::uint8_t code) {
  const int u = ~code & 0xFF;
  int t = ((u & 0x0F) << 3) + kUlawBias;
  t <<= (u & 0x70) >> 4;
  return static_cast<std::int16_t>((u & 0x80) != 0 ? kUlawBias - t : t - kUlawBias);
}

void encode_ulaw(std::span<const std::int16_t> in, std::vector<std::uint8_t>& out) {
  out.resize(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = linear_to_ulaw(in[i]);
}

void decode_ulaw(std::span<const std::uint8_t> in, std::vector<std::int16_t>& out) {
  out.resize(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = ulaw_to_linear(in[i]);
}

void encode_alaw(std::span<const std::int16_t> in, std::vector<std::uint8_t>& out) {
  out.resize(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = linear_to_alaw(in[i]);
}

void decode_alaw(std::span<const std::uint8_t> in, std::vector<std::int16_t>& out) {
  out.resize(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = alaw_to_linear(in[i]);
}

}  // namespace ccteams::sip
