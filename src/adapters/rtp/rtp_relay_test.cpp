#include "adapters/rtp/rtp_relay.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "adapters/rtp/rtp_test_support.hpp"

namespace ccteams::rtp {
namespace {

using namespace std::chrono_literals;
using namespace testing;

// The caller's trunk speaks PCMU with events on 101, the agent's phone PCMA with events on 96:
// the relay transcodes and renumbers.
constexpr RtpLegMedia kCallerLeg{sip::Codec::pcmu, 0, 101};
constexpr RtpLegMedia kAgentLeg{sip::Codec::pcma, 8, 96};

struct Call {
  RtpFixture f;
  Phone caller{f.io};
  Phone agent{f.io};
  std::shared_ptr<RtpSession> caller_leg = f.session_to(caller, kCallerLeg);
  std::shared_ptr<RtpSession> agent_leg = f.session_to(agent, kAgentLeg);
  std::uint64_t caller_frames = 0;
  std::uint64_t agent_frames = 0;
  // Both phones talk for `frames` × 20 ms: the caller a 1 kHz tone, the agent 2 kHz.
  void talk(int frames, bool agent_talks = true) {
    for (int i = 0; i < frames; ++i) {
      send_tone(caller, caller_frames++, 1000, sip::Codec::pcmu, 0, 0x1111, caller_leg);
      if (agent_talks) send_tone(agent, agent_frames++, 2000, sip::Codec::pcma, 8, 0x2222, agent_leg);
      f.time.run_for(f.io, 20ms);
    }
  }
  void send_tone(Phone& phone, std::uint64_t n, double hz, sip::Codec codec, std::uint8_t pt,
                 std::uint32_t ssrc, const std::shared_ptr<RtpSession>& to) {
    const auto frame = tone_frame(hz, n);
    std::vector<std::uint8_t> payload;
    media::encode_frame(frame, codec, payload);
    sip::RtpHeader h{.marker = n == 0,
                     .payload_type = pt,
                     .sequence = static_cast<std::uint16_t>(1000 + n),
                     .timestamp = static_cast<std::uint32_t>(50'000 + n * 160),
                     .ssrc = ssrc};
    phone.send(h, payload, f.at(to));
  }
};

TEST(RtpRelay, BridgesBothWaysAndEachFarEndHearsTheOthersTone) {
  Call call;
  RtpRelay relay(call.caller_leg, call.agent_leg);
  call.talk(50);
  const auto at_agent = call.agent.take(call.f.io, 50);
  const auto at_caller = call.caller.take(call.f.io, 50);
  ASSERT_EQ(at_agent.size(), 50u);
  ASSERT_EQ(at_caller.size(), 50u);
  const media::ToneDetector ears;
  // Each leg's own numbering: payload type, a continuous stream of its session's SSRC.
  for (const auto& p : at_agent) EXPECT_EQ(p.header.payload_type, 8);
  for (const auto& p : at_caller) EXPECT_EQ(p.header.payload_type, 0);
  EXPECT_EQ(at_agent[0].header.ssrc, call.agent_leg->out_stream().ssrc());
  EXPECT_EQ(at_caller[0].header.ssrc, call.caller_leg->out_stream().ssrc());
  for (std::size_t first = 0; first + 10 <= 50; first += 10) {
    const auto agent_hears = decoded(at_agent, first, 10, sip::Codec::pcma);
    const auto caller_hears = decoded(at_caller, first, 10, sip::Codec::pcmu);
    EXPECT_TRUE(ears.present(agent_hears, 1000)) << first;
    EXPECT_FALSE(ears.present(agent_hears, 2000)) << first;
    EXPECT_TRUE(ears.present(caller_hears, 2000)) << first;
    EXPECT_FALSE(ears.present(caller_hears, 1000)) << first;
  }
  EXPECT_EQ(relay.stats(0).forwarded, 50u);
  EXPECT_EQ(relay.stats(0).transcoded, 50u);
  EXPECT_EQ(relay.stats(1).forwarded, 50u);
}

TEST(RtpRelay, TheCallersStreamStaysContinuousFromMusicToAgentAndBack) {
  Call call;
  // Queued: the caller hears music (here a 500 Hz tone) from the session's clock.
  call.caller_leg->play(tone_source(500));
  call.talk(10, false);
  // The agent answers: the bridge takes over the caller's stream.
  auto relay = std::make_unique<RtpRelay>(call.caller_leg, call.agent_leg);
  call.talk(10);
  EXPECT_FALSE(call.caller_leg->playing());
  // Hold: unbridged, music again.
  relay.reset();
  call.caller_leg->play(tone_source(500));
  call.talk(10, false);
  const auto got = call.caller.take(call.f.io, 30);
  ASSERT_GE(got.size(), 30u);
  std::size_t markers = 0;
  for (std::size_t i = 1; i < got.size(); ++i) {
    EXPECT_EQ(got[i].header.ssrc, got[0].header.ssrc) << i;
    EXPECT_EQ(got[i].header.sequence, static_cast<std::uint16_t>(got[i - 1].header.sequence + 1))
        << i;
    // One frame on each time (both sources at 20 ms), a switch included.
    EXPECT_EQ(got[i].header.timestamp - got[i - 1].header.timestamp, 160u) << i;
    markers += got[i].header.marker ? 1 : 0;
  }
  EXPECT_TRUE(got[0].header.marker);
  EXPECT_EQ(markers, 2u);  // music -> agent, agent -> music
}

TEST(RtpRelay, PassesTelephoneEventsWithTheFarLegsPayloadType) {
  Call call;
  RtpRelay relay(call.caller_leg, call.agent_leg);
  call.talk(1);
  (void)call.agent.take(call.f.io, 1);
  // Digit 5, its start timestamp the next frame's.
  send_digit(call.caller, call.f.at(call.caller_leg), 5, 101, 0x1111, 1001, 50'160);
  call.f.time.run_for(call.f.io, 20ms);
  const auto got = call.agent.take(call.f.io, 6);
  ASSERT_EQ(got.size(), 6u);
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].header.payload_type, 96) << i;
    EXPECT_EQ(got[i].header.timestamp, got[0].header.timestamp) << i;
    auto ev = sip::parse_telephone_event(got[i].payload);
    ASSERT_TRUE(ev) << i;
    EXPECT_EQ(ev->event, 5);
    EXPECT_EQ(ev->end, i >= 3);
  }
  EXPECT_TRUE(got[0].header.marker);
  EXPECT_EQ(relay.stats(0).events, 6u);
}

TEST(RtpRelay, DropsEventsTheFarLegDidNotNegotiate) {
  RtpFixture f;
  Phone caller(f.io), agent(f.io);
  auto caller_leg = f.session_to(caller, RtpLegMedia{sip::Codec::pcmu, 0, 101});
  auto agent_leg = f.session_to(agent, RtpLegMedia{sip::Codec::pcmu, 0, std::nullopt});
  RtpRelay relay(caller_leg, agent_leg);
  const auto payload = sip::build_telephone_event({.event = 1});
  caller.send({.payload_type = 101, .sequence = 1, .timestamp = 1, .ssrc = 9}, payload,
              f.at(caller_leg));
  f.time.run_for(f.io, 20ms);
  EXPECT_TRUE(agent.take(f.io).empty());
  EXPECT_EQ(relay.stats(0).dropped_events, 1u);
}

}  // namespace
}  // namespace ccteams::rtp
