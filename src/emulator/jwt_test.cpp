#include "emulator/jwt.hpp"

#include <gtest/gtest.h>

#include "emulator/encoding.hpp"

namespace ccteams::emulator {
namespace {

namespace json = boost::json;
const Timestamp kT0 = from_unix_millis(1'800'000'000'000);
constexpr std::int64_t kT0s = 1'800'000'000;

const JwtSigner& signer() {
  static const JwtSigner s = JwtSigner::generate();  // RSA keygen once per binary
  return s;
}

TEST(Jwt, SignedTokenVerifiesAndCarriesClaims) {
  const auto token = signer().sign({{"aud", "https://graph.microsoft.com"},
                                    {"tid", "t"},
                                    {"roles", json::array{"User.Read.All"}},
                                    {"exp", kT0s + 3600},
                                    {"nbf", kT0s}});
  auto claims = signer().verify(token, kT0);
  ASSERT_TRUE(claims) << claims.error().message;
  EXPECT_EQ(claims->at("tid").as_string(), "t");
  auto header = base64url_decode(token.substr(0, token.find('.')));
  ASSERT_TRUE(header);
  EXPECT_NE(header->find("\"alg\":\"RS256\""), std::string::npos);
  EXPECT_NE(header->find(signer().kid()), std::string::npos);
}

TEST(Jwt, ExpiredTokenIsRejectedWithGraphsMessage) {
  const auto token = signer().sign({{"exp", kT0s + 10}});
  EXPECT_TRUE(signer().verify(token, kT0));
  auto r = signer().verify(token, kT0 + std::chrono::seconds(10));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 401);
  EXPECT_EQ(r.error().code, "InvalidAuthenticationToken");
  EXPECT_NE(r.error().message.find("expired"), std::string::npos);
}

TEST(Jwt, TamperedPayloadOrForeignKeyFailsSignature) {
  const auto token = signer().sign({{"exp", kT0s + 3600}, {"roles", json::array{}}});
  const auto d1 = token.find('.');
  const auto d2 = token.find('.', d1 + 1);
  const std::string forged = token.substr(0, d1 + 1) +
                             base64url_encode("{\"exp\":1900000000,\"roles\":[\"x\"]}") +
                             token.substr(d2);
  EXPECT_FALSE(signer().verify(forged, kT0));
  const auto other = JwtSigner::generate();
  EXPECT_FALSE(other.verify(token, kT0));
  EXPECT_FALSE(signer().verify("", kT0));
  EXPECT_FALSE(signer().verify("a.b", kT0));
}

TEST(Jwt, KeyRoundTripsThroughPemWithTheSameSignatures) {
  const auto again = JwtSigner::from_pem(signer().private_key_pem());
  const auto token = signer().sign({{"exp", kT0s + 3600}});
  EXPECT_EQ(again.kid(), signer().kid());
  EXPECT_TRUE(again.verify(token, kT0));
  EXPECT_THROW(JwtSigner::from_pem("not a key"), std::runtime_error);
}

TEST(Jwt, JwksPublishesTheKey) {
  const auto jwks = signer().jwks("https://login.example/t/v2.0");
  const auto& key = jwks.at("keys").as_array().at(0).as_object();
  EXPECT_EQ(key.at("kty").as_string(), "RSA");
  EXPECT_EQ(key.at("kid").as_string(), signer().kid());
  EXPECT_EQ(key.at("e").as_string(), "AQAB");
  auto n = base64url_decode(key.at("n").as_string());
  ASSERT_TRUE(n);
  EXPECT_EQ(n->size(), 256u);
  EXPECT_FALSE(key.at("x5c").as_array().empty());
}

}  // namespace
}  // namespace ccteams::emulator
