#include "core/media/mixer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace ccteams::media {
namespace {

const Timestamp kT0 = from_unix_millis(1'800'000'000'000);

using Frame = std::array<std::int16_t, kFrameSamples>;

std::vector<std::int16_t> constant(std::int16_t v, std::size_t n = kFrameSamples) {
  return std::vector<std::int16_t>(n, v);
}

Frame pull(Mixer& m, std::uint32_t id, Timestamp now) {
  Frame f{};
  m.pull(MixPartyId{id}, now, f);
  return f;
}

TEST(Mixer, EachPartyHearsTheSaturatedSumOfTheOthers) {
  struct Case {
    const char* name;
    std::vector<std::int16_t> levels;  // party i pushes one frame of levels[i]
    std::vector<std::int16_t> want;    // the level of party i's mix
  };
  const std::vector<Case> cases = {
      {"two parties hear each other", {1000, -2000}, {-2000, 1000}},
      {"three parties: N-1, never one's own voice", {1000, 2000, 3000}, {5000, 4000, 3000}},
      {"saturates high instead of wrapping", {30000, 30000, 0}, {30000, 30000, 32767}},
      {"saturates low instead of wrapping", {-30000, -30000, 5}, {-29995, -29995, -32768}},
      {"opposite voices cancel", {12000, -12000, 7}, {-11993, 12007, 0}},
      {"eight parties at full scale fit in the int32 sum",
       {32767, 32767, 32767, 32767, 32767, 32767, 32767, -32768},
       {32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767}},
  };
  for (const auto& c : cases) {
    Mixer m(kT0);
    for (std::uint32_t i = 0; i < c.levels.size(); ++i) {
      ASSERT_TRUE(m.add(MixPartyId{i})) << c.name;
      m.push(MixPartyId{i}, constant(c.levels[i]));
    }
    for (std::uint32_t i = 0; i < c.levels.size(); ++i) {
      const Frame f = pull(m, i, kT0);
      EXPECT_EQ(f[0], c.want[i]) << c.name << " party " << i;
      EXPECT_EQ(f[kFrameSamples - 1], c.want[i]) << c.name << " party " << i;
    }
  }
}

TEST(Mixer, QueuesAFewFramesOfEachPartyAndDropsTheOldest) {
  struct Case {
    const char* name;
    std::vector<std::size_t> pushes;  // party 0 pushes blocks of these sizes, samples numbered 1..
    int ticks;                        // then this many ticks run
    // What party 1 hears at the last tick: the first and last sample (0 is silence).
    std::int16_t want_first;
    std::int16_t want_last;
    std::uint64_t want_dropped;
    std::uint64_t want_missing;  // over all ticks, both parties (party 1 never talks)
  };
  const std::vector<Case> cases = {
      {"one frame, one tick", {160}, 1, 1, 160, 0, 160},
      {"30 ms packets are cut into 20 ms frames", {240, 240}, 3, 321, 480, 0, 3 * 160},
      {"a short queue is padded with silence", {100}, 1, 1, 0, 0, 60 + 160},
      {"nothing sent lately is silence", {160}, 2, 0, 0, 0, 160 + 2 * 160},
      {"a burst past three frames drops the oldest", {160, 160, 160, 160, 160}, 1, 321, 480, 320,
       160},
      {"the bound holds across ticks", {160, 160, 160, 160}, 3, 481, 640, 160, 3 * 160},
  };
  for (const auto& c : cases) {
    Mixer m(kT0);
    ASSERT_TRUE(m.add(MixPartyId{0}));
    ASSERT_TRUE(m.add(MixPartyId{1}));
    std::int16_t n = 1;
    for (std::size_t size : c.pushes) {
      std::vector<std::int16_t> block(size);
      for (auto& s : block) s = n++;
      m.push(MixPartyId{0}, block);
    }
    Frame heard{};
    for (int t = 0; t < c.ticks; ++t) heard = pull(m, 1, kT0 + t * kFrameInterval);
    EXPECT_EQ(heard[0], c.want_first) << c.name;
    EXPECT_EQ(heard[kFrameSamples - 1], c.want_last) << c.name;
    EXPECT_EQ(m.stats().samples_dropped, c.want_dropped) << c.name;
    EXPECT_EQ(m.stats().samples_missing, c.want_missing) << c.name;
  }
}

TEST(Mixer, TicksFollowTheClockAndALateWakeIsTakenInABurst) {
  Mixer m(kT0);
  ASSERT_TRUE(m.add(MixPartyId{0}));
  ASSERT_TRUE(m.add(MixPartyId{1}));
  m.advance_to(kT0 + Millis(19));
  EXPECT_EQ(m.stats().ticks, 1u);
  m.advance_to(kT0 + Millis(20));
  EXPECT_EQ(m.stats().ticks, 2u);
  // 200 ms late: three ticks run, the seven before them are skipped.
  m.advance_to(kT0 + Millis(220));
  EXPECT_EQ(m.stats().ticks, 5u);
  EXPECT_EQ(m.stats().ticks_skipped, 7u);
  // Nobody pulled: each party's queue kept its last three mixes only.
  EXPECT_EQ(m.stats().frames_dropped, 2u * 2);
  m.clear_output(MixPartyId{1});
  m.push(MixPartyId{0}, constant(700));
  EXPECT_EQ(pull(m, 1, kT0 + Millis(220))[0], 0);  // cleared, no new tick yet
  EXPECT_EQ(pull(m, 1, kT0 + Millis(240))[0], 700);
}

TEST(Mixer, AddAndRemoveWhileRunning) {
  Mixer m(kT0);
  ASSERT_TRUE(m.add(MixPartyId{1}));
  ASSERT_TRUE(m.add(MixPartyId{2}));
  auto again = m.add(MixPartyId{2});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::invalid_input);
  for (std::uint32_t id = 3; id <= 8; ++id) ASSERT_TRUE(m.add(MixPartyId{id}));
  auto ninth = m.add(MixPartyId{9});
  ASSERT_FALSE(ninth);
  EXPECT_EQ(ninth.error().code, Errc::conflict);
  for (std::uint32_t id = 4; id <= 8; ++id) m.remove(MixPartyId{id});
  m.remove(MixPartyId{42});  // unknown: nothing
  EXPECT_EQ(m.size(), 3u);
  m.push(MixPartyId{1}, constant(100));
  m.push(MixPartyId{2}, constant(20));
  m.push(MixPartyId{3}, constant(3));
  EXPECT_EQ(pull(m, 1, kT0)[0], 23);
  // Party 3 leaves: what it had queued goes with it.
  m.push(MixPartyId{3}, constant(3));
  m.remove(MixPartyId{3});
  m.push(MixPartyId{2}, constant(20));
  EXPECT_EQ(pull(m, 1, kT0 + kFrameInterval)[0], 20);
  EXPECT_FALSE(m.contains(MixPartyId{3}));
  EXPECT_EQ(pull(m, 3, kT0 + kFrameInterval)[0], 0);  // unknown: silence
  m.push(MixPartyId{3}, constant(3));                 // unknown: ignored
}

}  // namespace
}  // namespace ccteams::media
