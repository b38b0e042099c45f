#include "core/sip/offer_answer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ccteams::sip {
namespace {

const MediaConfig kLocal{.address = "127.0.0.1", .port = 20000};
const SdpOrigin kOrigin{"ccteams", 42, 1, "IP4", "127.0.0.1"};

SessionDescription sdp(const std::string& media_lines,
                       const std::string& connection = "c=IN IP4 192.0.2.5\r\n") {
  auto parsed = parse_sdp("v=0\r\no=- 1 1 IN IP4 192.0.2.5\r\ns=-\r\n" + connection + "t=0 0\r\n" +
                          media_lines);
  EXPECT_TRUE(parsed) << parsed.error().reason;
  return parsed ? *parsed : SessionDescription{};
}

TEST(OfferAnswer, AnswersWithTheOfferersFirstCommonCodecAndItsEventType) {
  const auto offer =
      sdp("m=audio 4000 RTP/AVP 8 0 96\r\na=rtpmap:96 telephone-event/8000\r\n"
          "a=fmtp:96 0-15\r\na=ptime:30\r\n");
  auto answer = answer_offer(offer, kLocal, kOrigin);
  ASSERT_TRUE(answer) << answer.error().reason;
  EXPECT_EQ(answer->audio,
            (NegotiatedAudio{Codec::pcma, 8, 96, "192.0.2.5", 4000, Direction::sendrecv, 30, 0}));
  const std::string text = format_sdp(answer->sdp);
  EXPECT_EQ(text,
            "v=0\r\no=ccteams 42 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            "m=audio 20000 RTP/AVP 8 96\r\na=rtpmap:8 PCMA/8000\r\n"
            "a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\na=ptime:20\r\n"
            "a=sendrecv\r\n");
}

TEST(OfferAnswer, KeepsTheLocalCodecChoiceAndLeavesEventsOutWhenNotOffered) {
  MediaConfig alaw_only = kLocal;
  alaw_only.codecs = {Codec::pcma};
  auto answer = answer_offer(sdp("m=audio 4000 RTP/AVP 0 8\r\n"), alaw_only, kOrigin);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->audio.codec, Codec::pcma);
  EXPECT_FALSE(answer->audio.telephone_event_payload_type);
  EXPECT_EQ(answer->sdp.media[0].formats, (std::vector<std::string>{"8"}));
}

TEST(OfferAnswer, RejectsOtherStreamsWithPortZeroInTheSameOrder) {
  const auto offer =
      sdp("m=video 5000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
          "m=audio 4000 RTP/AVP 0\r\nm=audio 4002 RTP/AVP 8\r\n");
  auto answer = answer_offer(offer, kLocal, kOrigin);
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->sdp.media.size(), 3u);
  EXPECT_EQ(answer->sdp.media[0].port, 0);
  EXPECT_EQ(answer->sdp.media[0].type, "video");
  EXPECT_EQ(answer->sdp.media[1].port, 20000);
  EXPECT_EQ(answer->sdp.media[2].port, 0);
  EXPECT_EQ(answer->audio.stream_index, 1u);
}

TEST(OfferAnswer, NoCommonCodecIs488) {
  const char* offers[] = {
      "m=audio 4000 RTP/AVP 18 9\r\n",                          // G729, G722
      "m=audio 4000 RTP/AVP 96\r\na=rtpmap:96 PCMU/16000\r\n",  // wrong clock
      "m=audio 0 RTP/AVP 0\r\n",                                // stream refused
      "m=audio 4000 RTP/SAVP 0\r\n",                            // SRTP
      "m=audio 4000 RTP/AVP 101\r\na=rtpmap:101 telephone-event/8000\r\n",
  };
  for (const char* media : offers) {
    auto answer = answer_offer(sdp(media), kLocal, kOrigin);
    ASSERT_FALSE(answer) << media;
    EXPECT_EQ(answer.error().status, 488);
    EXPECT_EQ(answer.error().reason, "Not Acceptable Here (no common codec)");
  }
  EXPECT_FALSE(answer_offer(sdp("m=audio 4000 RTP/AVP 0\r\n", ""), kLocal, kOrigin))
      << "no connection address anywhere";
}

TEST(OfferAnswer, DirectionRulesOfRfc3264) {
  struct Case {
    const char* attribute;
    const char* connection;
    Direction wanted;
    Direction answered;
  };
  const Case cases[] = {
      {"a=sendrecv\r\n", "192.0.2.5", Direction::sendrecv, Direction::sendrecv},
      {"", "192.0.2.5", Direction::sendonly, Direction::sendonly},  // we hold the peer
      {"a=sendonly\r\n", "192.0.2.5", Direction::sendrecv, Direction::recvonly},  // held
      {"a=sendonly\r\n", "192.0.2.5", Direction::sendonly, Direction::inactive},
      {"a=recvonly\r\n", "192.0.2.5", Direction::sendrecv, Direction::sendonly},
      {"a=recvonly\r\n", "192.0.2.5", Direction::recvonly, Direction::inactive},
      {"a=inactive\r\n", "192.0.2.5", Direction::sendrecv, Direction::inactive},
      {"", "0.0.0.0", Direction::sendrecv, Direction::recvonly},  // old hold (§8.4)
  };
  for (const auto& c : cases) {
    const auto offer = sdp(std::string("m=audio 4000 RTP/AVP 0\r\n") + c.attribute,
                           std::string("c=IN IP4 ") + c.connection + "\r\n");
    auto answer = answer_offer(offer, kLocal, kOrigin, c.wanted);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->audio.direction, c.answered) << c.attribute << c.connection;
    EXPECT_EQ(answer->sdp.media[0].direction, c.answered);
  }
}

TEST(OfferAnswer, HoldDirectionTable) {
  EXPECT_EQ(hold_direction(false, false), Direction::sendrecv);
  EXPECT_EQ(hold_direction(true, false), Direction::sendonly);
  EXPECT_EQ(hold_direction(false, true), Direction::recvonly);
  EXPECT_EQ(hold_direction(true, true), Direction::inactive);
}

TEST(OfferAnswer, OurOfferAndItsAnswer) {
  const auto offer = make_offer(kLocal, kOrigin);
  EXPECT_EQ(format_sdp(offer),
            "v=0\r\no=ccteams 42 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            "m=audio 20000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
            "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n"
            "a=sendrecv\r\n");
  // baresip answers "m=audio <port> RTP/AVP 8 101" (docs/telephony.md).
  auto got = accept_answer(offer, sdp("m=audio 10004 RTP/AVP 8 101\r\n"
                                      "a=rtpmap:101 telephone-event/8000\r\na=sendonly\r\n"));
  ASSERT_TRUE(got) << got.error().reason;
  EXPECT_EQ(got->codec, Codec::pcma);
  EXPECT_EQ(got->telephone_event_payload_type, 101);
  EXPECT_EQ(got->remote_port, 10004);
  EXPECT_EQ(got->direction, Direction::recvonly);  // the peer only sends

  auto wrong_count = accept_answer(offer, sdp("m=audio 1 RTP/AVP 0\r\nm=audio 2 RTP/AVP 0\r\n"));
  ASSERT_FALSE(wrong_count);
  EXPECT_EQ(wrong_count.error().status, 400);
  auto refused = accept_answer(offer, sdp("m=audio 0 RTP/AVP 0\r\n"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().status, 488);
  auto not_offered = accept_answer(offer, sdp("m=audio 4000 RTP/AVP 18\r\n"));
  ASSERT_FALSE(not_offered);
  EXPECT_EQ(not_offered.error().status, 488);
}

}  // namespace
}  // namespace ccteams::sip
