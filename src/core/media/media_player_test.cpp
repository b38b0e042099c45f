#include "core/media/media_player.hpp"

#include <gtest/gtest.h>

#include <array>
#include <numeric>
#include <vector>

#include "core/sip/g711.hpp"

namespace ccteams::media {
namespace {

// Samples numbered from `first`, so a frame shows where it came from.
std::shared_ptr<const PcmAudio> ramp(std::int16_t first, std::size_t n) {
  auto a = std::make_shared<PcmAudio>();
  a->samples.resize(n);
  std::iota(a->samples.begin(), a->samples.end(), first);
  return a;
}

std::vector<std::int16_t> frames(MediaPlayer& player, int count) {
  std::vector<std::int16_t> all;
  for (int i = 0; i < count; ++i) {
    std::array<std::int16_t, kFrameSamples> f{};
    player.next_frame(f);
    all.insert(all.end(), f.begin(), f.end());
  }
  return all;
}

TEST(MediaPlayer, PlaysTheGreetingOnceThenLoopsTheMusic) {
  struct Case {
    const char* name;
    std::shared_ptr<const PcmAudio> greeting;
    std::shared_ptr<const PcmAudio> music;
    // Which sample each output sample is: g<i> greeting, m<i> music, 0 silence.
    std::function<std::int16_t(std::size_t)> want;
  };
  const std::vector<Case> cases = {
      // 200 greeting samples (1.25 frames), then 100 music samples over and over.
      {"greeting then music", ramp(1000, 200), ramp(5000, 100),
       [](std::size_t i) {
         return static_cast<std::int16_t>(i < 200 ? 1000 + i : 5000 + (i - 200) % 100);
       }},
      {"no greeting", nullptr, ramp(5000, 300),
       [](std::size_t i) { return static_cast<std::int16_t>(5000 + i % 300); }},
      {"empty greeting", ramp(0, 0), ramp(5000, 300),
       [](std::size_t i) { return static_cast<std::int16_t>(5000 + i % 300); }},
      {"no music", ramp(1000, 170), nullptr,
       [](std::size_t i) { return static_cast<std::int16_t>(i < 170 ? 1000 + i : 0); }},
      {"nothing", nullptr, nullptr, [](std::size_t) { return std::int16_t{0}; }},
  };
  for (const auto& c : cases) {
    MediaPlayer player(c.greeting, c.music);
    const auto out = frames(player, 10);
    ASSERT_EQ(out.size(), 10 * kFrameSamples);
    for (std::size_t i = 0; i < out.size(); ++i) {
      ASSERT_EQ(out[i], c.want(i)) << c.name << " sample " << i;
    }
  }
}

TEST(MediaPlayer, SaysWhenTheGreetingIsDone) {
  MediaPlayer player(ramp(0, 320), ramp(0, 10));
  std::array<std::int16_t, kFrameSamples> f{};
  player.next_frame(f);
  EXPECT_FALSE(player.greeting_done());
  player.next_frame(f);
  EXPECT_TRUE(player.greeting_done());
}

TEST(MediaPlayer, EncodesFramesForTheNegotiatedCodec) {
  const std::array<std::int16_t, 3> samples = {0, 1000, -8000};
  std::vector<std::uint8_t> out;
  encode_frame(samples, sip::Codec::pcmu, out);
  EXPECT_EQ(out, (std::vector<std::uint8_t>{0xFF, 0xCE, 0x20}));
  encode_frame(samples, sip::Codec::pcma, out);
  EXPECT_EQ(out, (std::vector<std::uint8_t>{0xD5, 0xFA, 0x0A}));
  std::vector<std::int16_t> back;
  decode_frame(out, sip::Codec::pcma, back);
  EXPECT_EQ(back, (std::vector<std::int16_t>{sip::alaw_to_linear(0xD5), sip::alaw_to_linear(0xFA),
                                              sip::alaw_to_linear(0x0A)}));
}

}  // namespace
}  // namespace ccteams::media
