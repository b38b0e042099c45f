#include "core/sip/g711.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>

namespace ccteams::sip {
namespace {

struct CodePoint {
  std::uint8_t code;
  std::int16_t linear;  // 16-bit: G.711's 14-bit (µ) value times 4, 13-bit (A) value times 8
};

TEST(G711, UlawDecodesToTheTableValues) {
  // ITU-T G.711 Table 2 (µ-law): the decoder outputs 0, 2, ..., 30 in the first segment, 33 at
  // the start of the second and 8031 at the top; 0x7F and 0xFF are the two zeros.
  const CodePoint table[] = {{0xFF, 0},         {0x7F, 0},      {0xFE, 2 * 4},  {0x7E, -2 * 4},
                             {0xF0, 30 * 4},    {0xEF, 33 * 4}, {0xEE, 37 * 4}, {0x80, 8031 * 4},
                             {0x00, -8031 * 4}, {0x70, -30 * 4}};
  for (const auto& [code, linear] : table) {
    EXPECT_EQ(ulaw_to_linear(code), linear) << int(code);
  }
}

TEST(G711, AlawDecodesToTheTableValues) {
  // ITU-T G.711 Table 1 (A-law): outputs 1, 3, 5... in 13-bit units' halves (8, 24, 40 in 16
  // bits), 4032 at the top; 0xD5 / 0x55 are the smallest positive / negative values.
  const CodePoint table[] = {{0xD5, 8},         {0x55, -8},      {0xD4, 24},
                             {0xC5, 264},       {0xC4, 280},     {0xAA, 4032 * 8},
                             {0x2A, -4032 * 8}, {0x80, 688 * 8}, {0x00, -688 * 8}};
  for (const auto& [code, linear] : table) {
    EXPECT_EQ(alaw_to_linear(code), linear) << int(code);
  }
}

TEST(G711, EncodesKnownSamples) {
  struct Case {
    std::int16_t linear;
    std::uint8_t ulaw;
    std::uint8_t alaw;
  };
  const Case cases[] = {{0, 0xFF, 0xD5},     {1, 0xFF, 0xD5},     {-1, 0x7E, 0x55},
                        {100, 0xF2, 0xD3},   {-100, 0x72, 0x53},  {1000, 0xCE, 0xFA},
                        {8000, 0xA0, 0x8A},  {-8000, 0x20, 0x0A}, {32767, 0x80, 0xAA},
                        {-32768, 0x00, 0x2A}};
  for (const auto& c : cases) {
    EXPECT_EQ(linear_to_ulaw(c.linear), c.ulaw) << c.linear;
    EXPECT_EQ(linear_to_alaw(c.linear), c.alaw) << c.linear;
  }
}

TEST(G711, EveryCodeWordSurvivesARoundTrip) {
  for (int code = 0; code < 256; ++code) {
    const auto c = static_cast<std::uint8_t>(code);
    // The two µ-law zeros (0x7F, 0xFF) both encode back to 0xFF.
    const std::uint8_t u = linear_to_ulaw(ulaw_to_linear(c));
    EXPECT_EQ(ulaw_to_linear(u), ulaw_to_linear(c)) << code;
    if (code != 0x7F) {
      EXPECT_EQ(u, c) << code;
    }
    EXPECT_EQ(linear_to_alaw(alaw_to_linear(c)), c) << code;
  }
}

TEST(G711, QuantisationErrorStaysWithinTheSegmentStep) {
  for (int x = std::numeric_limits<std::int16_t>::min();
       x <= std::numeric_limits<std::int16_t>::max(); x += 7) {
    const auto s = static_cast<std::int16_t>(x);
    // The top segment's step is 1024 (µ, 16-bit) and 1024 (A); clipping adds at most 644 (µ).
    EXPECT_LE(std::abs(ulaw_to_linear(linear_to_ulaw(s)) - x), 1024 + 644) << x;
    EXPECT_LE(std::abs(alaw_to_linear(linear_to_alaw(s)) - x), 1024) << x;
  }
}

TEST(G711, FramesEncodeAndDecode) {
  const std::int16_t frame[] = {0, 1000, -1000, 32767};
  std::vector<std::uint8_t> coded;
  std::vector<std::int16_t> decoded;
  encode_alaw(frame, coded);
  ASSERT_EQ(coded.size(), 4u);
  decode_alaw(coded, decoded);
  EXPECT_EQ(decoded[3], 32256);
  encode_ulaw(frame, coded);
  decode_ulaw(coded, decoded);
  EXPECT_EQ(decoded[0], 0);
  EXPECT_EQ(decoded[3], 32124);
}

}  // namespace
}  // namespace ccteams::sip
