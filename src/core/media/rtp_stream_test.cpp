#include "core/media/rtp_stream.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ccteams::media {
namespace {

const Timestamp kT0 = from_unix_millis(1'800'000'000'000);
constexpr RtpSource kPlayer{RtpSource::Kind::own, 1};
constexpr RtpSource kAgent{RtpSource::Kind::relayed, 0xA6E27};
constexpr RtpSource kMusicAgain{RtpSource::Kind::own, 2};

struct Packet {
  RtpSource source;
  std::uint16_t in_sequence;
  std::uint32_t in_timestamp;
  bool in_marker;
  int at_ms;
  // What goes out.
  std::uint16_t sequence;
  std::uint32_t timestamp;
  bool marker;
};

// One stream through music -> agent -> music, each row a packet (RFC 3550 §5.1, RFC 3551 §4.1).
TEST(RtpOutStream, StaysContinuousAcrossSourceSwitches) {
  const std::vector<Packet> rows = {
      // The seed's values are the first packet's; the first packet has the marker.
      {kPlayer, 0, 0, false, 0, 65534, 4'294'967'000u, true},
      // +1 and +160 per 20 ms frame; sequence wraps at 2^16, timestamp at 2^32.
      {kPlayer, 1, 160, false, 20, 65535, 4'294'967'160u, false},
      {kPlayer, 2, 320, false, 40, 0, 24, false},
      // The agent's stream starts with its own numbers 40 ms later: marker, +1, +2 frames.
      {kAgent, 9000, 500'000, false, 80, 1, 24 + 2 * 160, true},
      // Its spacing is kept: a lost packet stays a gap, the timestamp follows the agent's.
      {kAgent, 9001, 500'160, false, 100, 2, 24 + 3 * 160, false},
      {kAgent, 9003, 500'480, false, 140, 4, 24 + 5 * 160, false},
      // An RFC 4733 event: its own marker passes, its repeated start timestamp too.
      {kAgent, 9004, 500'640, true, 160, 5, 24 + 6 * 160, true},
      {kAgent, 9005, 500'640, false, 180, 6, 24 + 6 * 160, false},
      // Music on hold again: a new source, however soon (at least one frame on).
      {kMusicAgain, 0, 0, false, 185, 7, 24 + 7 * 160, true},
      {kMusicAgain, 1, 160, false, 205, 8, 24 + 8 * 160, false},
  };
  RtpOutStream stream({.ssrc = 0x1234, .sequence = 65534, .timestamp = 4'294'967'000u});
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const auto h = stream.next(r.source, r.in_sequence, r.in_timestamp, r.in_marker, 0,
                               kT0 + Millis(r.at_ms));
    EXPECT_EQ(h.ssrc, 0x1234u) << "row " << i;
    EXPECT_EQ(h.sequence, r.sequence) << "row " << i;
    EXPECT_EQ(h.timestamp, r.timestamp) << "row " << i;
    EXPECT_EQ(h.marker, r.marker) << "row " << i;
  }
}

TEST(RtpOutStream, CarriesThePayloadTypeItIsGiven) {
  RtpOutStream stream({.ssrc = 7, .sequence = 1, .timestamp = 1});
  EXPECT_EQ(stream.next(kPlayer, 0, 0, false, 8, kT0).payload_type, 8);
  EXPECT_EQ(stream.next(kAgent, 5, 5, false, 101, kT0 + Millis(20)).payload_type, 101);
}

TEST(RtpOutStream, ANewSsrcFromTheSamePeerIsANewSource) {
  RtpOutStream stream({.ssrc = 7, .sequence = 100, .timestamp = 1000});
  (void)stream.next(kAgent, 50, 5000, false, 0, kT0);
  const auto h = stream.next(RtpSource{RtpSource::Kind::relayed, 0xBEEF}, 7, 7, false, 0,
                             kT0 + Millis(60));
  EXPECT_TRUE(h.marker);
  EXPECT_EQ(h.sequence, 101);
  EXPECT_EQ(h.timestamp, 1000u + 3 * 160);
}

}  // namespace
}  // namespace ccteams::media
