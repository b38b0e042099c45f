#pragma once
// G.711 (ITU-T G.711, 11/88) µ-law (PCMU) and A-law (PCMA) companding: 16-bit linear samples to
// 8-bit code words and back, as the ITU's reference (G.191 STL g711.c) computes them. Pure and
// total: every int16 encodes, every byte decodes.

#include <cstdint>
#include <span>
#include <vector>

namespace ccteams::sip {

// µ-law: the 14 most significant bits are coded; bias 0x84, all bits inverted on the wire.
// 0 encodes to 0xFF; code words decode to -32124..32124.
std::uint8_t linear_to_ulaw(std::int16_t sample);
std::int16_t ulaw_to_linear(std::uint8_t code);

// A-law: the 13 most significant bits are coded; even bits inverted (XOR 0x55) on the wire.
// 0 encodes to 0xD5; code words decode to -32256..32256 (0xD5 to +8, never to 0).
std::uint8_t linear_to_alaw(std::int16_t sample);
std::int16_t alaw_to_linear(std::uint8_t code);

// Whole frames (160 samples = 20 ms at 8 kHz). The output is resized to the input's length.
void encode_ulaw(std::span<const std::int16_t> in, std::vector<std::uint8_t>& out);
void decode_ulaw(std::span<const std::uint8_t> in, std::vector<std::int16_t>& out);
void encode_alaw(std::span<const std::int16_t> in, std::vector<std::uint8_t>& out);
void decode_alaw(std::span<const std::uint8_t> in, std::vector<std::int16_t>& out);

}  // namespace ccteams::sip
