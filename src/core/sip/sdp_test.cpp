#include "core/sip/sdp.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ccteams::sip {
namespace {

// baresip 1.0.0's offer (shape recorded on this machine; see docs/telephony.md).
constexpr std::string_view kBaresipOffer =
    "v=0\r\n"
    "o=- 1740477213 3036934405 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 10002 RTP/AVP 0 8 101\r\n"
    "b=AS:64\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=sendrecv\r\n"
    "a=label:1\r\n"
    "a=ssrc:2739581733 cname:a@b\r\n"
    "a=minptime:20\r\n"
    "a=ptime:20\r\n";

TEST(Sdp, ParsesAnOffer) {
  auto sdp = parse_sdp(kBaresipOffer);
  ASSERT_TRUE(sdp) << sdp.error().reason;
  EXPECT_EQ(sdp->origin.session_id, 1740477213u);
  EXPECT_EQ(sdp->origin.session_version, 3036934405u);
  EXPECT_EQ(sdp->origin.address, "127.0.0.1");
  ASSERT_EQ(sdp->media.size(), 1u);
  const SdpMedia& m = sdp->media[0];
  EXPECT_EQ(m.port, 10002);
  EXPECT_EQ(m.formats, (std::vector<std::string>{"0", "8", "101"}));
  EXPECT_EQ(m.codec(101), (RtpMap{101, "telephone-event", 8000, 1}));
  EXPECT_EQ(m.fmtp(101), "0-15");
  EXPECT_EQ(m.ptime, 20);
  EXPECT_EQ(sdp->direction_of(m), Direction::sendrecv);
  EXPECT_EQ(sdp->connection_of(m)->address, "127.0.0.1");
  EXPECT_EQ(m.attributes.size(), 3u);  // label, ssrc, minptime kept
}

TEST(Sdp, StaticPayloadTypesNeedNoRtpmap) {
  // SIPp's built-in uas answers "m=audio [media_port] RTP/AVP 0" with no rtpmap.
  auto sdp = parse_sdp(
      "v=0\no=user1 53655765 2353687637 IN IP4 127.0.0.1\ns=-\n"
      "c=IN IP4 127.0.0.1\nt=0 0\nm=audio 6000 RTP/AVP 0 8 13 96\n");
  ASSERT_TRUE(sdp) << sdp.error().reason;
  const SdpMedia& m = sdp->media[0];
  EXPECT_EQ(m.codec(0)->encoding, "PCMU");
  EXPECT_EQ(m.codec(8)->encoding, "PCMA");
  EXPECT_EQ(m.codec(13)->encoding, "CN");
  EXPECT_FALSE(m.codec(96));
}

TEST(Sdp, MediaLevelOverridesSessionLevel) {
  auto sdp = parse_sdp(
      "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\na=sendonly\r\n"
      "m=audio 4000 RTP/AVP 0\r\nm=audio 4002/2 RTP/AVP 8\r\nc=IN IP4 192.0.2.9\r\n"
      "a=inactive\r\n");
  ASSERT_TRUE(sdp) << sdp.error().reason;
  EXPECT_EQ(sdp->direction_of(sdp->media[0]), Direction::sendonly);
  EXPECT_EQ(sdp->direction_of(sdp->media[1]), Direction::inactive);
  EXPECT_EQ(sdp->connection_of(sdp->media[0])->address, "192.0.2.1");
  EXPECT_EQ(sdp->connection_of(sdp->media[1])->address, "192.0.2.9");
  EXPECT_EQ(sdp->media[1].port_count, 2);
}

TEST(Sdp, FormatRoundTrips) {
  auto sdp = parse_sdp(kBaresipOffer);
  ASSERT_TRUE(sdp);
  const std::string text = format_sdp(*sdp);
  auto again = parse_sdp(text);
  ASSERT_TRUE(again) << again.error().reason << "\n" << text;
  EXPECT_EQ(*again, *sdp);
  EXPECT_TRUE(text.starts_with("v=0\r\no=- 1740477213 3036934405 IN IP4 127.0.0.1\r\ns=-\r\n"));
}

TEST(Sdp, RejectsMalformedDescriptions) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "Bad Request (SDP: v=0 must come first)"},
      {"o=- 1 1 IN IP4 h\r\nv=0\r\n", "Bad Request (SDP: v=0 must come first)"},
      {"v=0\r\ns=-\r\n", "Bad Request (SDP: missing o= line)"},
      {"v=0\r\no=- x 1 IN IP4 h\r\n", "Bad Request (SDP: bad o= line)"},
      {"v=0\r\no=- 1 1 IN IP4 h\r\nc=IN IP4\r\n", "Bad Request (SDP: bad c= line)"},
      // Found by fuzz/sdp_fuzz.cpp: an address that is only "/ttl" was read as "".
      {"v=0\r\no=- 1 1 IN IP4 h\r\nc=IN IP4 /.0.0.0\r\n", "Bad Request (SDP: bad c= line)"},
      {"v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 70000 RTP/AVP 0\r\n", "Bad Request (SDP: bad m= port)"},
      {"v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 4000 RTP/AVP\r\n", "Bad Request (SDP: bad m= line)"},
      {"v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 4000/0 RTP/AVP 0\r\n",
       "Bad Request (SDP: bad m= port count)"},
      {"v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n",
       "Bad Request (SDP: bad rtpmap)"},
      {"v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:200 X/8000\r\n",
       "Bad Request (SDP: bad rtpmap)"},
      {"v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/0\r\n",
       "Bad Request (SDP: bad rtpmap clock rate)"},
      {"v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 4000 RTP/AVP 0\r\na=ptime:0\r\n",
       "Bad Request (SDP: bad ptime)"},
      {"v=0\r\no=- 1 1 IN IP4 h\r\nx\r\n", "Bad Request (SDP: line without '=')"},
      {"v=0\r\no=- 1 1 IN IP4 h\r\ns=a\rb\r\n", "Bad Request (SDP: control character)"},
  };
  for (const auto& [text, reason] : cases) {
    auto sdp = parse_sdp(text);
    ASSERT_FALSE(sdp) << text;
    EXPECT_EQ(sdp.error().status, 400);
    EXPECT_EQ(sdp.error().reason, reason) << text;
  }
}

TEST(Sdp, AnEmptySessionNameReadsAsDash) {
  // "s=" would otherwise be written back as "s=-": fuzz/sdp_fuzz.cpp checks the round trip.
  auto sdp = parse_sdp("v=0\r\no=- 1 1 IN IP4 h\r\ns=\r\n");
  ASSERT_TRUE(sdp);
  EXPECT_EQ(sdp->session_name, "-");
}

TEST(Sdp, BoundsTheNumberOfStreams) {
  std::string text = "v=0\r\no=- 1 1 IN IP4 h\r\n";
  for (std::size_t i = 0; i <= kMaxSdpMedia; ++i) text += "m=audio 0 RTP/AVP 0\r\n";
  auto sdp = parse_sdp(text);
  ASSERT_FALSE(sdp);
  EXPECT_EQ(sdp.error().reason, "Bad Request (SDP: too many m= lines)");
}

}  // namespace
}  // namespace ccteams::sip
