#include "core/sip/sip_headers.hpp"

#include <gtest/gtest.h>

#include "core/sip/sip_message.hpp"

namespace ccteams::sip {
namespace {

TEST(SipVia, ParsesBranchReceivedAndRport) {
  auto via = parse_via("SIP / 2.0 / udp 10.0.0.7:5062 ;branch=z9hG4bK776;rport;received=1.2.3.4");
  ASSERT_TRUE(via) << via.error().reason;
  EXPECT_EQ(via->transport, "UDP");
  EXPECT_EQ(via->sent_by, (HostPort{"10.0.0.7", 5062}));
  EXPECT_EQ(via->branch(), "z9hG4bK776");
  EXPECT_EQ(via->rport(), "");
  EXPECT_EQ(via->received(), "1.2.3.4");
  EXPECT_TRUE(has_rfc3261_branch(*via));
}

TEST(SipVia, RoundTripsAndKnowsOldBranches) {
  auto via = parse_via("SIP/2.0/TCP [2001:db8::9];branch=1234");
  ASSERT_TRUE(via);
  EXPECT_EQ(via->sent_by.host, "[2001:db8::9]");
  EXPECT_FALSE(via->sent_by.port);
  EXPECT_FALSE(has_rfc3261_branch(*via));
  EXPECT_EQ(format_via(*via), "SIP/2.0/TCP [2001:db8::9];branch=1234");
}

struct StampCase {
  const char* via;
  const char* ip;
  std::uint16_t port;
  const char* stamped;
  HostPort target;
};

TEST(SipVia, StampsReceivedAndRportAndRoutesTheResponse) {
  // RFC 3261 §18.2.1 and RFC 3581 §4.
  const StampCase cases[] = {
      {"SIP/2.0/UDP 10.0.0.7:5062;branch=z9hG4bK1",
       "10.0.0.7",
       5062,
       "SIP/2.0/UDP 10.0.0.7:5062;branch=z9hG4bK1",
       {"10.0.0.7", 5062}},
      {"SIP/2.0/UDP 10.0.0.7;branch=z9hG4bK1",
       "192.0.2.1",
       5060,
       "SIP/2.0/UDP 10.0.0.7;branch=z9hG4bK1;received=192.0.2.1",
       {"192.0.2.1", 5060}},
      {"SIP/2.0/UDP pc.example:5062;branch=z9hG4bK1;rport",
       "192.0.2.1",
       40001,
       "SIP/2.0/UDP pc.example:5062;branch=z9hG4bK1;rport=40001;received=192.0.2.1",
       {"192.0.2.1", 40001}},
      {"SIP/2.0/UDP 10.0.0.7:5062;rport;branch=z9hG4bK1",
       "10.0.0.7",
       5062,
       "SIP/2.0/UDP 10.0.0.7:5062;rport=5062;branch=z9hG4bK1;received=10.0.0.7",
       {"10.0.0.7", 5062}},
  };
  for (const auto& c : cases) {
    auto via = parse_via(c.via);
    ASSERT_TRUE(via) << c.via;
    stamp_received(*via, c.ip, c.port);
    EXPECT_EQ(format_via(*via), c.stamped);
    EXPECT_EQ(udp_response_target(*via), c.target) << c.via;
  }
}

TEST(SipUri, ParsesUserHostPortAndParameters) {
  auto uri = parse_sip_uri("SIP:+4930123456@trunk.example:5080;user=phone;lr?Subject=x");
  ASSERT_TRUE(uri) << uri.error().reason;
  EXPECT_EQ(uri->scheme, "sip");
  EXPECT_EQ(uri->user, "+4930123456");
  EXPECT_EQ(uri->host, (HostPort{"trunk.example", 5080}));
  EXPECT_EQ(find_param(uri->params, "USER"), "phone");
  EXPECT_EQ(find_param(uri->params, "lr"), "");
  EXPECT_EQ(uri->headers, "Subject=x");
  EXPECT_EQ(format_sip_uri(*uri), "sip:+4930123456@trunk.example:5080;user=phone;lr?Subject=x");
}

TEST(SipUri, RejectsWhatIsNotASipUri) {
  struct Case {
    const char* text;
    int status;
  };
  const Case cases[] = {{"tel:+4930123456", 416}, {"sip:", 400},         {"sip:@host", 400},
                        {"sip:a@host:0", 400},    {"sip:a@ho st", 400},  {"sip:a@[::1", 400},
                        {"sip:a@h;=x", 400},      {"sip:a@h:65536", 400}};
  for (const auto& c : cases) {
    auto uri = parse_sip_uri(c.text);
    ASSERT_FALSE(uri) << c.text;
    EXPECT_EQ(uri.error().status, c.status) << c.text;
  }
}

TEST(SipNameAddr, ParsesTheForms) {
  struct Case {
    const char* text;
    const char* display;
    const char* uri;
    const char* tag;  // "" when none
  };
  const Case cases[] = {
      {"\"Bob \\\"B\\\"\" <sip:bob@biloxi.com>;tag=a6c85cf", "Bob \"B\"", "sip:bob@biloxi.com",
       "a6c85cf"},
      {"Bob <sip:bob@biloxi.com;transport=tcp>", "Bob", "sip:bob@biloxi.com;transport=tcp", ""},
      // An addr-spec: what follows the URI is the header's parameters (RFC 3261 §20.10).
      {"sip:bob@biloxi.com;tag=88", "", "sip:bob@biloxi.com", "88"},
      {"<sip:+4930123456@127.0.0.1>", "", "sip:+4930123456@127.0.0.1", ""},
  };
  for (const auto& c : cases) {
    auto a = parse_name_addr(c.text);
    ASSERT_TRUE(a) << c.text;
    EXPECT_EQ(a->display_name, c.display);
    EXPECT_EQ(a->uri, c.uri);
    EXPECT_EQ(a->tag().value_or(""), std::string_view(c.tag));
    auto again = parse_name_addr(format_name_addr(*a));
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *a) << format_name_addr(*a);
  }
  for (const char* bad : {"", "<sip:a@b", "\"open <sip:a@b>", "<sip:a@b> junk", "<nouri>"}) {
    EXPECT_FALSE(parse_name_addr(bad)) << bad;
  }
}

TEST(SipCSeq, ParsesNumberAndMethod) {
  auto c = parse_cseq(" 4711  INVITE ");
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, (CSeq{4711, "INVITE"}));
  EXPECT_EQ(format_cseq(*c), "4711 INVITE");
  for (const char* bad :
       {"INVITE", "1", "-1 BYE", "2147483648 BYE", "1 B@D", "99999999999999999999 A"}) {
    EXPECT_FALSE(parse_cseq(bad)) << bad;
  }
}

TEST(SipMessage, HeaderAccessIsCaseInsensitiveWithCompactForms) {
  SipMessage m;
  m.add_header("v", "SIP/2.0/UDP a;branch=z9hG4bK1");
  m.add_header("X-Custom", "1");
  m.add_header("VIA", "SIP/2.0/UDP b;branch=z9hG4bK2");
  EXPECT_EQ(m.headers[0].name, "Via");
  EXPECT_EQ(m.header_values("via").size(), 2u);
  EXPECT_EQ(m.header("x-custom"), "1");
  m.set_header("Via", "SIP/2.0/UDP c;branch=z9hG4bK3");
  ASSERT_EQ(m.header_values("Via").size(), 1u);
  EXPECT_EQ(m.headers[0].value, "SIP/2.0/UDP c;branch=z9hG4bK3");
  m.remove_header("x-CUSTOM");
  EXPECT_FALSE(m.has_header("X-Custom"));
}

TEST(SipMessage, SerializeKeepsEachValueOnItsLine) {
  SipMessage m;
  m.method = "OPTIONS";
  m.request_uri = "sip:a@b";
  m.add_header("Subject", "hi\r\nVia: SIP/2.0/UDP evil");
  EXPECT_EQ(serialize(m),
            "OPTIONS sip:a@b SIP/2.0\r\nSubject: hi  Via: SIP/2.0/UDP evil\r\n"
            "Content-Length: 0\r\n\r\n");
}

TEST(SipMessage, SerializesAResponseWithTheDefaultReason) {
  SipMessage m;
  m.is_request = false;
  m.status_code = 404;
  m.add_header("Content-Length", "99");  // replaced by the body's
  EXPECT_EQ(serialize(m), "SIP/2.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
}

}  // namespace
}  // namespace ccteams::sip
