#include "core/media/tone.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "core/media/media_player.hpp"

namespace ccteams::media {
namespace {

constexpr std::size_t kBlock = 800;  // 100 ms

std::vector<std::int16_t> tone(double hz, double amplitude) {
  std::vector<std::int16_t> s(kBlock);
  generate_tone(hz, amplitude, 0, s);
  return s;
}
// Reproducible white noise (a linear congruential generator), uniform in ±amplitude.
std::vector<std::int16_t> noise(int amplitude) {
  std::vector<std::int16_t> s(kBlock);
  std::uint32_t x = 12345;
  for (auto& v : s) {
    x = x * 1664525u + 1013904223u;
    v = static_cast<std::int16_t>(static_cast<int>(x >> 16) % (2 * amplitude + 1) - amplitude);
  }
  return s;
}
std::vector<std::int16_t> mix(std::vector<std::int16_t> a, const std::vector<std::int16_t>& b) {
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::int16_t>(a[i] + b[i]);
  return a;
}
// Through G.711 and back, as the far end of a call hears it.
std::vector<std::int16_t> through(sip::Codec codec, const std::vector<std::int16_t>& s) {
  std::vector<std::uint8_t> wire;
  encode_frame(s, codec, wire);
  std::vector<std::int16_t> back;
  decode_frame(wire, codec, back);
  return back;
}

TEST(ToneDetector, HearsTheToneAndNothingElse) {
  struct Case {
    const char* name;
    std::vector<std::int16_t> samples;
    bool has_1k;
  };
  const std::vector<Case> cases = {
      {"1 kHz", tone(1000, 8000), true},
      {"1 kHz quiet (-40 dBFS)", tone(1000, 330), true},
      {"1 kHz through PCMU", through(sip::Codec::pcmu, tone(1000, 8000)), true},
      {"1 kHz through PCMA", through(sip::Codec::pcma, tone(1000, 8000)), true},
      {"1 kHz with noise 20 dB below", mix(tone(1000, 8000), noise(1000)), true},
      {"silence", std::vector<std::int16_t>(kBlock, 0), false},
      {"PCMU idle noise", std::vector<std::int16_t>(kBlock, 8), false},
      {"1 kHz too quiet (-60 dBFS)", tone(1000, 33), false},
      {"white noise", noise(8000), false},
      {"2 kHz", tone(2000, 8000), false},
      {"1.1 kHz", tone(1100, 8000), false},
      {"900 Hz", tone(900, 8000), false},
      {"2 kHz with a weak 1 kHz", mix(tone(2000, 8000), tone(1000, 2000)), false},
      {"half a block of 1 kHz", [] {
         auto s = tone(1000, 8000);
         std::fill(s.begin() + kBlock / 2, s.end(), std::int16_t{0});
         return s;
       }(), false},
  };
  const ToneDetector detector;
  for (const auto& c : cases) {
    EXPECT_EQ(detector.present(c.samples, 1000), c.has_1k)
        << c.name << ": share " << tone_share(c.samples, 1000);
  }
}

TEST(ToneDetector, TellsTheTwoTestTonesApart) {
  const ToneDetector detector;
  EXPECT_TRUE(detector.present(tone(2000, 8000), 2000));
  EXPECT_FALSE(detector.present(tone(2000, 8000), 1000));
  EXPECT_FALSE(detector.present(tone(1000, 8000), 2000));
}

TEST(ToneGenerator, ConsecutiveBlocksJoinUp) {
  std::vector<std::int16_t> whole(320), a(160), b(160);
  generate_tone(1000, 8000, 0, whole);
  generate_tone(1000, 8000, 0, a);
  generate_tone(1000, 8000, 160, b);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), whole.begin()));
  EXPECT_TRUE(std::equal(b.begin(), b.end(), whole.begin() + 160));
}

}  // namespace
}  // namespace ccteams::media
