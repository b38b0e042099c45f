#include "adapters/rtp/rtp_conference.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "adapters/rtp/rtp_relay.hpp"
#include "adapters/rtp/rtp_test_support.hpp"

namespace ccteams::rtp {
namespace {

using namespace std::chrono_literals;
using namespace testing;

// One leg speaks PCMA with events on 96, two PCMU with events on 101; each talks a tone on a
// DFT bin of 400- and 800-sample blocks.
struct Talker {
  double hz;
  RtpLegMedia leg;
  std::uint32_t ssrc;
};
constexpr Talker kAlice{440, {sip::Codec::pcma, 8, 96}, 0xA11CE};
constexpr Talker kBob{1000, {sip::Codec::pcmu, 0, 101}, 0xB0B};
constexpr Talker kCarol{1700, {sip::Codec::pcmu, 0, 101}, 0xCA201};

// Two tones of one level share a block's energy about half and half.
const media::ToneDetector kEars{.min_share = 0.3};

struct Party {
  Talker talker;
  Phone phone;
  std::shared_ptr<RtpSession> leg;
  std::uint64_t frames = 0;
  bool talks = true;
};

struct Conference {
  RtpFixture f;
  std::vector<std::unique_ptr<Party>> parties;
  RtpConference conference{f.strand, f.time, f.time};

  Party& join(const Talker& t) {
    auto p = std::make_unique<Party>(Party{t, Phone(f.io), nullptr});
    p->leg = f.session_to(p->phone, t.leg);
    EXPECT_TRUE(conference.add(p->leg));
    parties.push_back(std::move(p));
    return *parties.back();
  }
  // Every talking party sends `frames` × 20 ms of its tone.
  void talk(int frames) {
    for (int i = 0; i < frames; ++i) {
      for (auto& p : parties) {
        if (p->talks) send_tone(*p);
      }
      f.time.run_for(f.io, 20ms);
    }
  }
  void send_tone(Party& p) {
    const auto frame = tone_frame(p.talker.hz, p.frames);
    std::vector<std::uint8_t> payload;
    media::encode_frame(frame, p.talker.leg.codec, payload);
    sip::RtpHeader h{.marker = p.frames == 0,
                     .payload_type = p.talker.leg.payload_type,
                     .sequence = static_cast<std::uint16_t>(1000 + p.frames),
                     .timestamp = static_cast<std::uint32_t>(50'000 + p.frames * 160),
                     .ssrc = p.talker.ssrc};
    ++p.frames;
    p.phone.send(h, payload, f.at(p.leg));
  }
  // What `p` heard, audio packets only, decoded.
  std::vector<Received> heard(Party& p, std::size_t at_least) {
    return p.phone.take(f.io, at_least);
  }
};

// Alice, Bob and Carol in one conference.
struct Three : Conference {
  Party& alice = join(kAlice);
  Party& bob = join(kBob);
  Party& carol = join(kCarol);
  std::vector<Party*> all() { return {&alice, &bob, &carol}; }
};

void expect_hears(const std::vector<Received>& got, const Talker& listener,
                  const std::vector<double>& present, const std::vector<double>& absent,
                  std::size_t from) {
  ASSERT_GE(got.size(), from + 5);
  for (std::size_t first = from; first + 5 <= got.size(); first += 5) {
    const auto block = decoded(got, first, 5, listener.leg.codec);
    for (double hz : present) EXPECT_TRUE(kEars.present(block, hz)) << listener.hz << " " << hz;
    for (double hz : absent) EXPECT_FALSE(kEars.present(block, hz)) << listener.hz << " " << hz;
  }
}

TEST(RtpConference, EachPartyHearsTheOtherTwoAndNotItself) {
  Three c;
  c.talk(50);
  for (Party* p : c.all()) {
    const auto got = c.heard(*p, 50);
    // The session's clock: 51 frames in 1 s, its own payload type and one SSRC.
    EXPECT_GE(got.size(), 50u);
    for (const auto& r : got) {
      EXPECT_EQ(r.header.payload_type, p->talker.leg.payload_type);
      EXPECT_EQ(r.header.ssrc, p->leg->out_stream().ssrc());
    }
    std::vector<double> others;
    for (Party* o : c.all()) {
      if (o != p) others.push_back(o->talker.hz);
    }
    // The first frames are silence while the others' audio arrives.
    expect_hears(got, p->talker, others, {p->talker.hz}, 5);
  }
  EXPECT_EQ(c.conference.stats().mixed, 150u);
  EXPECT_EQ(c.conference.mixer_stats().samples_dropped, 0u);
}

TEST(RtpConference, ARemovedPartyStopsBeingHeardAndHearing) {
  Three c;
  Party &alice = c.alice, &bob = c.bob, &carol = c.carol;
  c.talk(20);
  for (Party* p : c.all()) (void)c.heard(*p, 20);
  c.conference.remove(carol.leg);
  EXPECT_EQ(c.conference.size(), 2u);
  EXPECT_FALSE(carol.leg->playing());
  c.talk(30);
  // A frame or two mixed before the removal may still be on the way.
  const auto at_alice = c.heard(alice, 30);
  const auto at_bob = c.heard(bob, 30);
  expect_hears(at_alice, kAlice, {1000}, {440, 1700}, 3);
  expect_hears(at_bob, kBob, {440}, {1000, 1700}, 3);
  EXPECT_TRUE(c.heard(carol, 0).empty());
  // Two parties left: the app bridges them with RtpRelay again (docs/telephony.md).
  c.conference.stop();
  RtpRelay relay(alice.leg, bob.leg);
  c.talk(10);
  const auto relayed = c.heard(alice, 10);
  ASSERT_GE(relayed.size(), 10u);
  EXPECT_EQ(relayed.back().header.ssrc, alice.leg->out_stream().ssrc());
  expect_hears(relayed, kAlice, {1000}, {440, 1700}, relayed.size() - 5);
}

TEST(RtpConference, AnEventFromOnePartyReachesTheOthersWithTheirPayloadTypes) {
  Three c;
  Party &alice = c.alice, &bob = c.bob, &carol = c.carol;
  c.talk(5);
  for (Party* p : c.all()) (void)c.heard(*p, 5);
  // Bob presses 7 (RFC 4733 §2.5).
  bob.talks = false;
  send_digit(bob.phone, c.f.at(bob.leg), 7, 101, kBob.ssrc, 2000, 90'000);
  c.f.time.run_for(c.f.io, 0ms);
  for (Party* p : {&alice, &carol}) {
    const auto got = c.heard(*p, 6);
    std::vector<Received> events;
    for (const auto& r : got) {
      if (r.header.payload_type == p->talker.leg.telephone_event_payload_type) events.push_back(r);
    }
    ASSERT_EQ(events.size(), 6u) << p->talker.hz;
    for (std::size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events[i].header.timestamp, events[0].header.timestamp) << i;
      EXPECT_EQ(events[i].header.ssrc, p->leg->out_stream().ssrc()) << i;
      auto ev = sip::parse_telephone_event(events[i].payload);
      ASSERT_TRUE(ev) << i;
      EXPECT_EQ(ev->event, 7);
      EXPECT_EQ(ev->end, i >= 3);
    }
    EXPECT_TRUE(events[0].header.marker);
  }
  EXPECT_TRUE(c.heard(bob, 0).empty());  // never one's own event back
  EXPECT_EQ(c.conference.stats().events, 12u);
  // The mix comes back after the event: Alice hears Carol again.
  bob.talks = true;
  c.talk(30);
  const auto at_alice = c.heard(alice, 20);
  ASSERT_GE(at_alice.size(), 20u);
  for (const auto& r : at_alice) EXPECT_EQ(r.header.payload_type, 8);
  const auto tail = decoded(at_alice, at_alice.size() - 10, 10, sip::Codec::pcma);
  EXPECT_TRUE(kEars.present(tail, 1700));
  EXPECT_TRUE(kEars.present(tail, 1000));
}

TEST(RtpConference, EventsAreDroppedTowardALegWithoutThem) {
  Conference c;
  Party& bob = c.join(kBob);
  Party& dave = c.join({2000, {sip::Codec::pcmu, 0, std::nullopt}, 0xDA7E});
  const auto payload = sip::build_telephone_event({.event = 1});
  bob.phone.send({.payload_type = 101, .sequence = 1, .timestamp = 1, .ssrc = kBob.ssrc}, payload,
                 c.f.at(bob.leg));
  c.f.time.run_for(c.f.io, 0ms);
  EXPECT_EQ(c.conference.stats().dropped_events, 1u);
  EXPECT_TRUE(dave.leg->playing());
}

TEST(RtpConference, RefusesANinthPartyAndTheSameSessionTwice) {
  Conference c;
  for (int i = 0; i < 8; ++i) c.join(kBob);
  auto ninth = c.conference.add(c.f.session(kBob.leg));
  ASSERT_FALSE(ninth);
  EXPECT_EQ(ninth.error().code, Errc::conflict);
  auto twice = c.conference.add(c.parties[0]->leg);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Errc::invalid_input);
  EXPECT_EQ(c.conference.size(), 8u);
}

TEST(RtpConference, StopsAndGivesEveryPortBack) {
  RtpFixture f;
  // Another program may hold some ports of the range: the allocator skips them.
  auto ports = RtpPortAllocator::create(kLoopback, 43101, 43140);
  std::vector<Phone> phones;
  for (int i = 0; i < 3; ++i) phones.emplace_back(f.io);
  {
    RtpConference conference(f.strand, f.time, f.time);
    std::vector<std::shared_ptr<RtpSession>> legs;
    for (auto& phone : phones) {
      auto port = ports->open(f.strand);
      ASSERT_TRUE(port) << port.error().message;
      auto leg = RtpSession::create(f.strand, f.time, f.time, std::move(*port), kBob.leg);
      leg->set_remote(phone.endpoint());
      ASSERT_TRUE(conference.add(leg));
      legs.push_back(leg);
    }
    f.time.run_for(f.io, 100ms);
    EXPECT_EQ(ports->in_use(), 3u);
    conference.stop();
    EXPECT_EQ(conference.size(), 0u);
    for (auto& leg : legs) {
      EXPECT_FALSE(leg->playing());
      leg->close();
    }
    std::weak_ptr<RtpSession> weak = legs[0];
    legs.clear();
    ccteams::testing::SimulatedTime::drain(f.io);
    EXPECT_TRUE(weak.expired());  // nothing of the conference holds a session
  }
  EXPECT_EQ(ports->in_use(), 0u);
  f.time.run_for(f.io, 100ms);
  for (auto& phone : phones) phone.take(f.io);
}

}  // namespace
}  // namespace ccteams::rtp
