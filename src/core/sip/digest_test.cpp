#include "core/sip/digest.hpp"

#include <gtest/gtest.h>

#include "core/sip/md5.hpp"

namespace ccteams::sip {
namespace {

TEST(Md5, Rfc1321TestSuite) {
  // RFC 1321 §A.5.
  const std::pair<std::string, const char*> cases[] = {
      {"", "d41d8cd98f00b204e9800998ecf8427e"},
      {"a", "0cc175b9c0f1b6a831c399e269772661"},
      {"abc", "900150983cd24fb0d6963f7d28e17f72"},
      {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
      {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
       "d174ab98d277d9f5a5611c2c9f419d9f"},
      {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
       "57edf4a22be3c955ac49da2e2107b67a"},
  };
  for (const auto& [input, digest] : cases) EXPECT_EQ(md5_hex(input), digest) << input;
}

TEST(Md5, UpdatesInPiecesGiveTheSameDigest) {
  const std::string text(1000, 'x');
  for (std::size_t cut : {1u, 55u, 56u, 63u, 64u, 65u, 500u}) {
    Md5 md5;
    md5.update(std::string_view(text).substr(0, cut));
    md5.update(std::string_view(text).substr(cut));
    const auto whole = md5.finish();
    Md5 once;
    once.update(text);
    EXPECT_EQ(whole, once.finish()) << cut;
  }
}

TEST(Digest, Rfc2617Example) {
  // RFC 2617 §3.5 (qop=auth, MD5).
  const std::string ha1 = digest_ha1("Mufasa", "testrealm@host.com", "Circle Of Life");
  EXPECT_EQ(digest_response(ha1, "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b",
                            "auth", "GET", "/dir/index.html"),
            "6629fae49393a05397450978507c4ef1");
  auto c = parse_credentials(
      "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
      "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", qop=auth, "
      "nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", "
      "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
  ASSERT_TRUE(c) << c.error().reason;
  EXPECT_TRUE(verify_digest(*c, ha1, "GET"));
  EXPECT_FALSE(verify_digest(*c, ha1, "POST"));
  EXPECT_FALSE(
      verify_digest(*c, digest_ha1("Mufasa", "testrealm@host.com", "circle of life"), "GET"));
}

TEST(Digest, Rfc7616Md5Example) {
  // RFC 7616 §3.9.1, the MD5 response.
  const std::string ha1 = digest_ha1("Mufasa", "http-auth@example.org", "Circle of Life");
  EXPECT_EQ(digest_response(ha1, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "00000001",
                            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "auth", "GET",
                            "/dir/index.html"),
            "8ca523f5e9506fed4657c9700eebdbec");
}

TEST(Digest, ChallengeAndAnswerRoundTrip) {
  const DigestChallenge challenge{"ccteams", "abc123", "op", true, false};
  const std::string header = format_challenge(challenge);
  EXPECT_EQ(header,
            "Digest realm=\"ccteams\", nonce=\"abc123\", opaque=\"op\", algorithm=MD5, "
            "qop=\"auth\"");
  auto parsed = parse_challenge(header);
  ASSERT_TRUE(parsed) << parsed.error().reason;
  EXPECT_EQ(*parsed, challenge);
  const auto creds =
      answer_challenge(*parsed, "agent1", "secret", "REGISTER", "sip:127.0.0.1", "0a4f113b", 1);
  EXPECT_EQ(creds.nc, "00000001");
  auto back = parse_credentials(format_credentials(creds));
  ASSERT_TRUE(back) << back.error().reason;
  EXPECT_EQ(*back, creds);
  EXPECT_TRUE(verify_digest(*back, digest_ha1("agent1", "ccteams", "secret"), "REGISTER"));
}

TEST(Digest, BaresipCredentialsWithoutAlgorithmVerify) {
  // baresip 1.0.0 sends no algorithm parameter and unquoted qop and nc.
  const std::string ha1 = digest_ha1("agent1", "ccteams", "demo");
  DigestCredentials want{"agent1",  "ccteams",          "n0nce", "sip:127.0.0.1:5060",
                         "",        "0123456789abcdef", "",      "auth",
                         "00000001"};
  want.response =
      digest_response(ha1, want.nonce, want.nc, want.cnonce, "auth", "REGISTER", want.uri);
  auto c = parse_credentials(
      "Digest username=\"agent1\",realm=\"ccteams\",nonce=\"n0nce\","
      "uri=\"sip:127.0.0.1:5060\",response=\"" +
      want.response + "\",cnonce=\"0123456789abcdef\",qop=auth,nc=00000001");
  ASSERT_TRUE(c) << c.error().reason;
  EXPECT_EQ(*c, want);
  EXPECT_TRUE(verify_digest(*c, ha1, "REGISTER"));
}

TEST(Digest, WithoutQopUsesTheRfc2069Form) {
  const DigestChallenge challenge{"r", "n", "", false, false};
  const auto creds = answer_challenge(challenge, "u", "p", "INVITE", "sip:x@y", "c", 1);
  EXPECT_EQ(creds.qop, "");
  EXPECT_EQ(creds.response, md5_hex(digest_ha1("u", "r", "p") + ":n:" + md5_hex("INVITE:sip:x@y")));
}

TEST(Digest, StaleAndAlgorithmsInChallenges) {
  auto stale =
      parse_challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth,auth-int\", stale=true");
  ASSERT_TRUE(stale);
  EXPECT_TRUE(stale->stale);
  EXPECT_TRUE(stale->qop_auth);
  EXPECT_EQ(format_challenge(DigestChallenge{"r", "n", "", true, true}),
            "Digest realm=\"r\", nonce=\"n\", algorithm=MD5, qop=\"auth\", stale=TRUE");
  auto sha = parse_challenge("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256, qop=\"auth\"");
  ASSERT_FALSE(sha);
  EXPECT_EQ(sha.error().reason, "Bad Request (unsupported digest algorithm)");
}

TEST(Digest, RefusesMalformedHeaders) {
  const char* challenges[] = {"Basic realm=\"r\"",
                              "Digest",
                              "Digest realm=\"r\"",
                              "Digest realm=\"r, nonce=\"n\"",
                              "Digest realm=r nonce=n",
                              "Digest realm=\"r\", realm=\"s\", nonce=\"n\"",
                              "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""};
  for (const char* c : challenges) EXPECT_FALSE(parse_challenge(c)) << c;
  const std::string ok =
      "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:a\", "
      "response=\"6629fae49393a05397450978507c4ef1\"";
  EXPECT_TRUE(parse_credentials(ok));
  const std::string credentials[] = {
      "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:a\"",
      ok + ", qop=auth",
      ok + ", qop=auth, nc=1, cnonce=\"c\"",
      ok + ", qop=auth-int, nc=00000001, cnonce=\"c\"",
      ok + ", algorithm=SHA-256",
      "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:a\", response=\"xyz\"",
      ok + ", =x",
  };
  for (const auto& c : credentials) EXPECT_FALSE(parse_credentials(c)) << c;
}

}  // namespace
}  // namespace ccteams::sip
