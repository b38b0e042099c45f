#include "core/sip/sip_parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/sip/sip_headers.hpp"

namespace ccteams::sip {
namespace {

// baresip-style INVITE (CRLF line ends), with compact forms and a folded line.
std::string invite(std::string extra_headers = "", std::string body = "v=0\r\n") {
  return "INVITE sip:+4930123456@127.0.0.1:5060;user=phone SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 10.0.0.7:5062;branch=z9hG4bK776asdhds;rport\r\n"
         "Max-Forwards: 70\r\n"
         "f: \"Alice, A.\" <sip:alice@10.0.0.7>;tag=1928301774\r\n"
         "t: <sip:+4930123456@127.0.0.1>\r\n"
         "i: a84b4c76e66710@10.0.0.7\r\n"
         "CSeq: 314159 INVITE\r\n"
         "Contact: <sip:alice@10.0.0.7:5062>\r\n"
         "c: application/sdp\r\n" +
         extra_headers + "l: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(SipParser, ParsesARequestWithCompactFormsAndBody) {
  auto m = parse_sip_message(invite());
  ASSERT_TRUE(m) << m.error().reason;
  EXPECT_TRUE(m->is_request);
  EXPECT_EQ(m->method, "INVITE");
  EXPECT_EQ(m->request_uri, "sip:+4930123456@127.0.0.1:5060;user=phone");
  EXPECT_EQ(m->header("Call-ID"), "a84b4c76e66710@10.0.0.7");
  EXPECT_EQ(m->header("call-id"), "a84b4c76e66710@10.0.0.7");
  EXPECT_EQ(m->header("i"), "a84b4c76e66710@10.0.0.7");
  EXPECT_EQ(m->header("CONTENT-TYPE"), "application/sdp");
  EXPECT_EQ(m->headers[2].name, "From");  // compact names are stored in the long form
  EXPECT_EQ(m->body, "v=0\r\n");
  auto from = parse_name_addr(*m->header("From"));
  ASSERT_TRUE(from);
  EXPECT_EQ(from->display_name, "Alice, A.");  // the comma in quotes does not split From
  EXPECT_EQ(from->tag(), "1928301774");
}

TEST(SipParser, SplitsListHeadersButNotAuthentication) {
  auto m =
      parse_sip_message(invite("Via: SIP/2.0/TCP proxy.example;branch=z9hG4bK1, SIP/2.0/UDP "
                               "[2001:db8::1]:5070;branch=z9hG4bK2\r\n"
                               "Route: <sip:p1.example;lr>,<sip:p2.example;lr>\r\n"
                               "Contact: \"A, B\" <sip:x@h;p=1,2>\r\n"
                               "Authorization: Digest username=\"a\", realm=\"r\", nonce=\"n\"\r\n"
                               "Supported:\r\n"));
  ASSERT_TRUE(m) << m.error().reason;
  const auto vias = m->header_values("v");
  ASSERT_EQ(vias.size(), 3u);
  EXPECT_EQ(vias[2], "SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK2");
  EXPECT_EQ(m->header_values("Route").size(), 2u);
  ASSERT_EQ(m->header_values("m").size(), 2u);
  EXPECT_EQ(m->header_values("Contact")[1], "\"A, B\" <sip:x@h;p=1,2>");
  EXPECT_EQ(m->header_values("Authorization").size(), 1u);
  EXPECT_EQ(m->header("Supported"), "");
}

TEST(SipParser, UnfoldsContinuationLinesAndAcceptsBareLf) {
  auto m = parse_sip_message(
      "OPTIONS sip:svc@127.0.0.1 SIP/2.0\n"
      "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1\n"
      "From: <sip:a@127.0.0.1>;tag=1\n"
      "To: <sip:svc@127.0.0.1>\n"
      "Subject: I know you're there,\n"
      "   pick up the phone\n"
      "Call-ID: 1\nCSeq: 1 OPTIONS\n\n");
  ASSERT_TRUE(m) << m.error().reason;
  EXPECT_EQ(m->header("Subject"), "I know you're there, pick up the phone");
  EXPECT_EQ(m->body, "");
}

TEST(SipParser, ParsesAResponse) {
  auto m = parse_sip_message(
      "\r\n\r\nSIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1;received=1.2.3.4\r\n"
      "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n"
      "Content-Length: 0\r\n\r\n");
  ASSERT_TRUE(m) << m.error().reason;
  EXPECT_FALSE(m->is_request);
  EXPECT_EQ(m->status_code, 180);
  EXPECT_EQ(m->reason, "Ringing");
}

TEST(SipParser, DatagramBodyIsCutAtContentLength) {
  auto m = parse_sip_message(invite("", "v=0\r\n") + "garbage");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->body, "v=0\r\n");
}

TEST(SipParser, SerializeRoundTrips) {
  auto m = parse_sip_message(invite("Route: <sip:p1;lr>, <sip:p2;lr>\r\n", "v=0\r\ns=-\r\n"));
  ASSERT_TRUE(m);
  const std::string wire = serialize(*m);
  EXPECT_NE(wire.find("Content-Length: 10\r\n\r\nv=0"), std::string::npos) << wire;
  auto again = parse_sip_message(wire, {.stream = true});
  ASSERT_TRUE(again) << again.error().reason;
  EXPECT_EQ(*again, *m);
}

struct BadCase {
  const char* what;
  std::string text;
  int status;
  const char* reason;
  bool stream = false;
};
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.what; }

class SipParserRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(SipParserRejects, WithTheAnswerNamingTheFault) {
  const BadCase& c = GetParam();
  auto m = parse_sip_message(c.text, {.stream = c.stream});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().status, c.status);
  EXPECT_EQ(m.error().reason, c.reason);
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    Table, SipParserRejects,
    ::testing::Values(
        BadCase{"empty", "\r\n", 400, "Bad Request (empty message)"},
        BadCase{"no blank line", "OPTIONS sip:a@b SIP/2.0\r\nVia: x", 400,
                "Bad Request (no blank line after the headers)"},
        BadCase{"SIP/3.0", replace(invite(), "SIP/2.0\r\n", "SIP/3.0\r\n"), 505,
                "Version Not Supported"},
        BadCase{"two spaces", replace(invite(), "INVITE sip", "INVITE  sip"), 400,
                "Bad Request (bad request line)"},
        BadCase{"missing Call-ID", replace(invite(), "i: a84b4c76e66710@10.0.0.7\r\n", ""), 400,
                "Bad Request (missing Call-ID)"},
        BadCase{"missing Via", replace(invite(), "Via:", "X-Via:"), 400,
                "Bad Request (missing Via)"},
        BadCase{"bad Via", replace(invite(), "SIP/2.0/UDP", "SIP/2.0"), 400,
                "Bad Request (bad Via)"},
        BadCase{"missing From", replace(invite(), "f: ", "X: "), 400, "Bad Request (missing From)"},
        BadCase{"bad To", replace(invite(), "t: <sip:", "t: <nothing"), 400,
                "Bad Request (bad To)"},
        BadCase{"CSeq method", replace(invite(), "314159 INVITE", "314159 BYE"), 400,
                "Bad Request (CSeq method mismatch)"},
        BadCase{"CSeq too big", replace(invite(), "314159 INVITE", "2147483648 INVITE"), 400,
                "Bad Request (bad CSeq)"},
        BadCase{"Max-Forwards", replace(invite(), "Max-Forwards: 70", "Max-Forwards: 256"), 400,
                "Bad Request (bad Max-Forwards)"},
        BadCase{"mailto", replace(invite(), "INVITE sip:+49", "INVITE mailto:+49"), 416,
                "Unsupported URI Scheme"},
        BadCase{"bad port", replace(invite(), "127.0.0.1:5060;user", "127.0.0.1:99999;user"), 400,
                "Bad Request (bad port)"},
        BadCase{"short body", replace(invite(), "l: 5", "l: 6"), 400,
                "Bad Request (body shorter than Content-Length)"},
        BadCase{"bad length", replace(invite(), "l: 5", "l: 5x"), 400,
                "Bad Request (bad Content-Length)"},
        BadCase{"two lengths", replace(invite(), "l: 5", "Content-Length: 4\r\nl: 5"), 400,
                "Bad Request (conflicting Content-Length)"},
        BadCase{"stream without length", replace(invite(), "l: 5\r\n", ""), 400,
                "Bad Request (missing Content-Length)", true},
        BadCase{"NUL", replace(invite(), "Max-Forwards: 70", std::string("Max-Forwards: 7\0", 16)),
                400, "Bad Request (control character in header)"},
        BadCase{"no colon", replace(invite(), "Max-Forwards: 70", "Max-Forwards 70"), 400,
                "Bad Request (header line without ':')"},
        BadCase{"fold first", replace(invite(), "Via:", " Via:"), 400,
                "Bad Request (continuation line without a header)"},
        BadCase{"open quote", replace(invite(), "Contact: <sip", "Contact: \"<sip"), 400,
                "Bad Request (unterminated quote or '<' in Contact)"},
        BadCase{"status 700", "SIP/2.0 700 X\r\n\r\n", 400, "Bad Request (bad status code)"},
        BadCase{"too large", std::string(70000, 'A'), 513, "Message Too Large"}));

TEST(SipParser, StructureStepKeepsHeadersForTheErrorAnswer) {
  const std::string text = replace(invite(), "CSeq: 314159 INVITE", "CSeq: x INVITE");
  auto m = parse_sip_structure(text);
  ASSERT_TRUE(m);
  auto valid = validate_sip_message(*m);
  ASSERT_FALSE(valid);
  EXPECT_EQ(valid.error().reason, "Bad Request (bad CSeq)");
  EXPECT_EQ(valid.error().to_error().code, Errc::invalid_input);
  EXPECT_TRUE(m->has_header("Call-ID"));
}

TEST(SipFraming, FindsMessagesInAStream) {
  const std::string one = invite();
  std::string stream = "\r\n\r\n" + one + one;
  auto f = frame_stream_message(stream);
  ASSERT_TRUE(f);
  ASSERT_TRUE(*f);
  EXPECT_EQ((*f)->skip, 4u);
  EXPECT_EQ((*f)->length, one.size());
  // Every strict prefix of a message needs more bytes.
  for (std::size_t n = 0; n < one.size(); n += 7) {
    auto partial = frame_stream_message(std::string_view(one).substr(0, n));
    ASSERT_TRUE(partial) << n;
    EXPECT_FALSE(*partial) << n;
  }
}

TEST(SipFraming, RefusesWhatCannotBeFramed) {
  auto missing = frame_stream_message(replace(invite(), "l: 5\r\n", ""));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().reason, "Bad Request (missing Content-Length)");
  auto huge = frame_stream_message(replace(invite(), "l: 5", "l: 100000"));
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().status, 513);
  auto endless = frame_stream_message(std::string(70000, 'x'));
  ASSERT_FALSE(endless);
  EXPECT_EQ(endless.error().status, 513);
  auto keepalives = frame_stream_message(std::string(70000, '\n'));
  ASSERT_FALSE(keepalives);
  EXPECT_EQ(keepalives.error().status, 513);
}

TEST(SipFraming, TheHeadOfAnUnframableRequestStillParses) {
  // What the TCP transport answers a refused stream from: no body, no Content-Length check.
  auto head = parse_sip_head("\r\n" + replace(invite(), "l: 5", "l: 100000"));
  ASSERT_TRUE(head) << head.error().reason;
  EXPECT_EQ(head->method, "INVITE");
  EXPECT_TRUE(head->body.empty());
  EXPECT_TRUE(validate_sip_message(*head));
  EXPECT_TRUE(parse_sip_head(replace(invite(), "l: 5\r\n", "")));
  EXPECT_EQ(parse_sip_head("INVITE sip:a@b SIP/2.0\r\nVia: x").error().reason,
            "Bad Request (no blank line after the headers)");
  EXPECT_EQ(parse_sip_head(invite(), 100).error().status, 513);
}

}  // namespace
}  // namespace ccteams::sip
