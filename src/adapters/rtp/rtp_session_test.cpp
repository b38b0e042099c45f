#include "adapters/rtp/rtp_session.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "adapters/rtp/queue_audio.hpp"
#include "adapters/rtp/rtp_test_support.hpp"
#include "core/media/wav.hpp"

namespace ccteams::rtp {
namespace {

using namespace std::chrono_literals;
using namespace testing;

constexpr RtpLegMedia kPcmu{sip::Codec::pcmu, 0, 101};
constexpr RtpLegMedia kPcma{sip::Codec::pcma, 8, 96};

// Each packet one frame on: +1 sequence, +160 timestamp, one SSRC; the marker on the first.
void expect_continuous(const std::vector<Received>& got, std::size_t from = 0) {
  for (std::size_t i = from + 1; i < got.size(); ++i) {
    EXPECT_EQ(got[i].header.ssrc, got[from].header.ssrc) << i;
    EXPECT_EQ(got[i].header.sequence, static_cast<std::uint16_t>(got[i - 1].header.sequence + 1))
        << i;
    EXPECT_EQ(got[i].header.timestamp, got[i - 1].header.timestamp + 160) << i;
    EXPECT_FALSE(got[i].header.marker) << i;
  }
}

TEST(RtpSession, SendsAFrameEvery20msOnOneClock) {
  RtpFixture f;
  Phone phone(f.io);
  auto s = f.session_to(phone, kPcmu);
  s->play(tone_source(1000));
  f.time.run_for(f.io, 1000ms);
  // Frames 0..50: at 0, 20, ..., 1000 ms.
  const auto got = phone.take(f.io, 51);
  ASSERT_EQ(got.size(), 51u);
  EXPECT_TRUE(got[0].header.marker);
  expect_continuous(got);
  for (const auto& p : got) {
    EXPECT_EQ(p.header.payload_type, 0);
    EXPECT_EQ(p.payload.size(), 160u);
  }
  EXPECT_TRUE(media::ToneDetector{}.present(decoded(got, 0, 50, sip::Codec::pcmu), 1000));
  EXPECT_EQ(s->stats().sent, 51u);
  // The next deadline is start + 51·20 ms, not "a wait of 20 ms from whenever we woke".
  EXPECT_EQ(f.time.next_deadline(), kT0 + 1020ms);
}

TEST(RtpSession, ALateWakeSendsAFewFramesAndSkipsTheRest) {
  RtpFixture f;
  Phone phone(f.io);
  auto s = f.session_to(phone, kPcma);
  s->play(tone_source(1000));
  ASSERT_EQ(phone.take(f.io, 1).size(), 1u);
  // The thread was busy: the 20 ms timer's work runs only at 200 ms.
  f.time.advance(200ms);
  const auto got = phone.take(f.io, RtpSession::kMaxBurst);
  ASSERT_EQ(got.size(), std::size_t{RtpSession::kMaxBurst});
  EXPECT_EQ(s->stats().frames_skipped, 7u);  // frames 1-7 of 0-10
  // The sequence goes on (nothing was lost in the network), the timestamp jumps over the gap.
  const auto first = got[0].header;
  EXPECT_FALSE(first.marker);
  for (std::size_t i = 1; i < got.size(); ++i) {
    EXPECT_EQ(got[i].header.sequence, static_cast<std::uint16_t>(first.sequence + i));
    EXPECT_EQ(got[i].header.timestamp, first.timestamp + 160 * i);
  }
  // Back on the clock: the next frame at 220 ms, one at a time.
  EXPECT_EQ(f.time.next_deadline(), kT0 + 220ms);
  f.time.run_for(f.io, 100ms);
  EXPECT_EQ(phone.take(f.io, 5).size(), 5u);
}

TEST(RtpSession, PlaysTheGreetingThenTheMusic) {
  RtpFixture f;
  Phone phone(f.io);
  auto s = f.session_to(phone, kPcmu);
  // 400 ms of 1 kHz "greeting", then 2 kHz "music".
  auto greeting = std::make_shared<media::PcmAudio>();
  greeting->samples.resize(3200);
  media::generate_tone(1000, 8000, 0, greeting->samples);
  auto music = std::make_shared<media::PcmAudio>();
  music->samples.resize(8000);
  media::generate_tone(2000, 8000, 0, music->samples);
  auto player = std::make_shared<media::MediaPlayer>(greeting, music);
  s->play([player](std::span<std::int16_t, media::kFrameSamples> out) { player->next_frame(out); });
  f.time.run_for(f.io, 2000ms);
  const auto got = phone.take(f.io, 101);
  ASSERT_EQ(got.size(), 101u);
  expect_continuous(got);
  const media::ToneDetector ears;
  EXPECT_TRUE(ears.present(decoded(got, 0, 20, sip::Codec::pcmu), 1000));
  EXPECT_FALSE(ears.present(decoded(got, 0, 20, sip::Codec::pcmu), 2000));
  // The music loops (1 s long) without a seam: 2 kHz from frame 20 to the end.
  for (std::size_t first = 20; first + 10 <= got.size(); first += 10) {
    EXPECT_TRUE(ears.present(decoded(got, first, 10, sip::Codec::pcmu), 2000)) << first;
  }
}

TEST(RtpSession, LatchesToTheFirstPacketAndDropsOthers) {
  RtpFixture f;
  Phone sdp_address(f.io), real(f.io), stranger(f.io);
  auto s = f.session(kPcmu);
  std::vector<sip::RtpHeader> heard;
  s->on_packet([&](const sip::RtpPacket& p) { heard.push_back(p.header); });
  s->set_remote(sdp_address.endpoint());
  s->play(tone_source(1000));
  // Before any packet arrives, we send where the SDP said.
  EXPECT_EQ(sdp_address.take(f.io, 1).size(), 1u);
  const std::array<std::uint8_t, 160> silence{};
  sip::RtpHeader h{.payload_type = 0, .sequence = 7, .timestamp = 70, .ssrc = 0xCA11};
  // The peer is behind a NAT: its packets come from another address. We latch to it.
  real.send(h, silence, f.at(s));
  f.time.run_for(f.io, 20ms);
  EXPECT_TRUE(s->latched());
  EXPECT_EQ(s->remote(), real.endpoint());
  EXPECT_EQ(real.take(f.io, 1).size(), 1u);
  EXPECT_TRUE(sdp_address.take(f.io).empty());
  // Someone else's packets: dropped and counted, whatever they carry; the SDP address too.
  stranger.send(h, silence, f.at(s));
  sdp_address.send(h, silence, f.at(s));
  // Not RTP, and RTP with a payload type the leg did not negotiate.
  real.send_bytes(std::vector<std::uint8_t>{1, 2, 3}, f.at(s));
  h.payload_type = 18;
  real.send(h, silence, f.at(s));
  h.payload_type = 0;
  h.sequence = 8;
  real.send(h, silence, f.at(s));
  f.time.run_for(f.io, 20ms);
  (void)real.take(f.io, 1);
  EXPECT_EQ(s->stats().dropped_foreign, 2u);
  EXPECT_EQ(s->stats().dropped_malformed, 1u);
  EXPECT_EQ(s->stats().dropped_payload_type, 1u);
  EXPECT_EQ(s->stats().received, 2u);
  ASSERT_EQ(heard.size(), 2u);
  EXPECT_EQ(heard[1].sequence, 8);
  // A new SDP address after latching changes nothing (the latch is what the peer showed).
  s->set_remote(stranger.endpoint());
  EXPECT_EQ(s->remote(), real.endpoint());
}

TEST(RtpSession, StopsAndGivesThePortBackOnClose) {
  RtpFixture f;
  auto ports = RtpPortAllocator::create(kLoopback, 41400, 41409);
  auto port = ports->open(f.strand);
  ASSERT_TRUE(port) << port.error().message;
  Phone phone(f.io);
  auto s = RtpSession::create(f.strand, f.time, f.time, std::move(*port), kPcmu);
  s->set_remote(phone.endpoint());
  s->play(tone_source(1000));
  f.time.run_for(f.io, 100ms);
  EXPECT_EQ(ports->in_use(), 1u);
  s->close();
  EXPECT_EQ(ports->in_use(), 0u);
  (void)phone.take(f.io, 6);
  f.time.run_for(f.io, 100ms);
  EXPECT_TRUE(phone.take(f.io).empty());
  EXPECT_EQ(f.time.pending(), 0u);
}

// The shipped queue audio (assets/audio, scripts/make-audio.sh) is what parse_wav takes.
TEST(QueueAudio, TheShippedFilesLoad) {
  const std::string dir = std::string(CCTEAMS_SOURCE_DIR) + "/assets/audio/";
  auto audio = load_queue_audio(dir + "greeting.wav", dir + "music-on-hold.wav");
  ASSERT_TRUE(audio) << audio.error().message;
  EXPECT_GT(audio->greeting->samples.size(), 8000u * 5);  // more than 5 s each
  EXPECT_GT(audio->music_on_hold->samples.size(), 8000u * 5);
}

TEST(QueueAudio, ErrorsNameTheFile) {
  auto missing = load_wav_file("/nonexistent/greeting.wav");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            "/nonexistent/greeting.wav: cannot open the queue audio file");
  // A WAV the admin forgot to convert: the README, not a WAV at all.
  auto not_wav = load_wav_file(std::string(CCTEAMS_SOURCE_DIR) + "/README.md");
  ASSERT_FALSE(not_wav);
  EXPECT_NE(not_wav.error().message.find("README.md: WAV: not a RIFF/WAVE file"),
            std::string::npos)
      << not_wav.error().message;
}

}  // namespace
}  // namespace ccteams::rtp
