#include "core/sip/rtp.hpp"

#include <gtest/gtest.h>

namespace ccteams::sip {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(Rtp, ParsesTheFixedHeader) {
  // V=2, M=1, PT=8 (PCMA), seq 0x1234, ts 320, SSRC 0xDEADBEEF, 3 payload bytes.
  const Bytes wire{0x80, 0x88, 0x12, 0x34, 0x00, 0x00, 0x01, 0x40,
                   0xDE, 0xAD, 0xBE, 0xEF, 0xD5, 0xD5, 0x55};
  auto p = parse_rtp(wire);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->header.marker);
  EXPECT_EQ(p->header.payload_type, 8);
  EXPECT_EQ(p->header.sequence, 0x1234);
  EXPECT_EQ(p->header.timestamp, 320u);
  EXPECT_EQ(p->header.ssrc, 0xDEADBEEFu);
  EXPECT_EQ(Bytes(p->payload.begin(), p->payload.end()), (Bytes{0xD5, 0xD5, 0x55}));
  EXPECT_EQ(build_rtp(p->header, p->payload), wire);
}

TEST(Rtp, CsrcsExtensionAndPaddingRoundTrip) {
  RtpHeader h;
  h.payload_type = 0;
  h.sequence = 65535;
  h.timestamp = 0xFFFFFF00;
  h.ssrc = 7;
  h.csrcs = {1, 2};
  h.extension_profile = 0xBEDE;
  h.extension = {0x10AB0000};
  const Bytes payload(160, 0xFF);
  Bytes wire = build_rtp(h, payload);
  EXPECT_EQ(wire.size(), 12u + 8 + 8 + 160);
  auto p = parse_rtp(wire);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header, h);
  EXPECT_EQ(p->payload.size(), 160u);
  // Padding (P bit): the last byte counts the padding bytes, itself included.
  wire[0] |= 0x20;
  wire.insert(wire.end(), {0, 0, 3});
  p = parse_rtp(wire);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->payload.size(), 160u);
}

TEST(Rtp, RefusesInvalidPackets) {
  const Bytes ok{0x80, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
  struct Case {
    const char* what;
    Bytes bytes;
  };
  const Case cases[] = {
      {"short", Bytes(ok.begin(), ok.begin() + 11)},
      {"version 1",
       [&] {
         Bytes b = ok;
         b[0] = 0x40;
         return b;
       }()},
      {"CSRCs past the end",
       [&] {
         Bytes b = ok;
         b[0] = 0x81;
         return b;
       }()},
      {"extension past the end",
       [&] {
         Bytes b = ok;
         b[0] = 0x90;
         return b;
       }()},
      {"extension words past the end",
       [&] {
         Bytes b = ok;
         b[0] = 0x90;
         b.insert(b.end(), {0xBE, 0xDE, 0xFF, 0xFF});
         return b;
       }()},
      {"padding 0",
       [&] {
         Bytes b = ok;
         b[0] = 0xA0;
         b.push_back(0);
         return b;
       }()},
      {"padding too long",
       [&] {
         Bytes b = ok;
         b[0] = 0xA0;
         b.push_back(9);
         return b;
       }()},
      {"RTCP receiver report",
       [&] {
         Bytes b = ok;
         b[1] = 201 & 0x7F;
         return b;
       }()},
  };
  for (const auto& c : cases) {
    auto p = parse_rtp(c.bytes);
    ASSERT_FALSE(p) << c.what;
    EXPECT_EQ(p.error().code, Errc::invalid_input);
  }
  EXPECT_TRUE(parse_rtp(ok));
}

TEST(TelephoneEvent, EncodesAndDecodesRfc4733Payloads) {
  // Digit 5, end, -10 dBm0, 1600 timestamp units (200 ms at 8 kHz).
  const TelephoneEvent e{5, true, 10, 1600};
  const auto wire = build_telephone_event(e);
  EXPECT_EQ(wire, (std::array<std::uint8_t, 4>{0x05, 0x8A, 0x06, 0x40}));
  auto back = parse_telephone_event(wire);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, e);
  // The reserved R bit is ignored on receipt (RFC 4733 §2.3).
  const std::uint8_t with_r[] = {0x0B, 0x4A, 0x00, 0xA0};
  EXPECT_EQ(*parse_telephone_event(with_r), (TelephoneEvent{11, false, 10, 160}));
  const std::uint8_t three[] = {1, 2, 3};
  EXPECT_FALSE(parse_telephone_event(three));
}

TEST(TelephoneEvent, NamesTheEvents) {
  const std::string all = "0123456789*#ABCD!";
  for (std::uint8_t e = 0; e <= 16; ++e) {
    EXPECT_EQ(event_char(e), all[e]);
    EXPECT_EQ(event_of_char(all[e]), e);
  }
  EXPECT_FALSE(event_char(17));
  EXPECT_FALSE(event_of_char('x'));
  EXPECT_EQ(event_of_char('d'), 15);
}

}  // namespace
}  // namespace ccteams::sip
