#include "adapters/crypto/jwt.hpp"

#include <gtest/gtest.h>

#include "adapters/crypto/jwt_test_support.hpp"

namespace ccteams {
namespace {

namespace json = boost::json;
using testing::jwk_for;
using testing::sign_jwt;

// Key generation is the slow part; one pair serves every test of this file.
EVP_PKEY* signing_key() {
  static const testing::TestPkey key = testing::make_rsa_key();
  return key.get();
}
EVP_PKEY* other_key() {
  static const testing::TestPkey key = testing::make_rsa_key();
  return key.get();
}

std::string jwks_text(std::initializer_list<std::pair<EVP_PKEY*, std::string>> keys) {
  json::array arr;
  for (const auto& [key, kid] : keys) arr.push_back(jwk_for(key, kid));
  return json::serialize(json::object{{"keys", std::move(arr)}});
}

JwkSet jwks(std::initializer_list<std::pair<EVP_PKEY*, std::string>> keys) {
  auto set = parse_jwks(jwks_text(keys));
  EXPECT_TRUE(set) << set.error().message;
  return std::move(set).value();
}

const json::object kClaims{{"sub", "x"}, {"exp", 2'000'000'000}};

TEST(Jwks, ParsesRsaSigningKeysAndSkipsOthers) {
  json::array keys{jwk_for(signing_key(), "k1"),
                   json::object{{"kty", "EC"}, {"kid", "ec"}, {"crv", "P-256"}},
                   json::object{{"kty", "RSA"}, {"use", "enc"}, {"kid", "enc"}}};
  auto enc = jwk_for(other_key(), "enc2");
  enc["use"] = "enc";
  keys.push_back(enc);
  auto no_kid = jwk_for(other_key(), "x");
  no_kid.erase("kid");
  keys.push_back(no_kid);
  auto bad_n = jwk_for(other_key(), "bad-n");
  bad_n["n"] = "AQAB";  // 17 bits: far too short
  keys.push_back(bad_n);
  auto set = parse_jwks(json::serialize(json::object{{"keys", keys}}));
  ASSERT_TRUE(set) << set.error().message;
  ASSERT_EQ(set->keys.size(), 1u);
  EXPECT_EQ(set->keys[0].kid, "k1");
  EXPECT_EQ(set->keys[0].x5t, "k1");
  EXPECT_EQ(set->keys[0].key.bits(), 2048);
  EXPECT_NE(set->find_kid("k1"), nullptr);
  EXPECT_EQ(set->find_kid("bad-n"), nullptr);
}

TEST(Jwks, RefusesTextWithoutUsableKeys) {
  for (const char* text : {"", "[]", "{}", "{\"keys\":{}}", "{\"keys\":[]}",
                           "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"a\"}]}"}) {
    auto set = parse_jwks(text);
    ASSERT_FALSE(set) << text;
    EXPECT_EQ(set.error().code, Errc::invalid_input);
  }
}

TEST(RsaPublicKeyFromJwk, RefusesUnusableParameters) {
  const auto n = testing::rsa_param_b64url(signing_key(), "n");
  EXPECT_TRUE(RsaPublicKey::from_jwk(n, "AQAB"));
  EXPECT_FALSE(RsaPublicKey::from_jwk(n, "AQ"));     // e = 1
  EXPECT_FALSE(RsaPublicKey::from_jwk(n, "AQAA"));   // even
  EXPECT_FALSE(RsaPublicKey::from_jwk(n, "A+/B"));   // not base64url
  EXPECT_FALSE(RsaPublicKey::from_jwk("", "AQAB"));
  EXPECT_FALSE(RsaPublicKey::from_jwk(n.substr(0, n.size() / 2), "AQAB"));  // 1024 bits
}

TEST(VerifyJwt, AcceptsAGoodTokenAndReturnsItsClaims) {
  const auto keys = jwks({{other_key(), "k0"}, {signing_key(), "k1"}});
  auto r = verify_jwt_rs256(sign_jwt(signing_key(), kClaims, "k1"), keys);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->claims.at("sub").as_string(), "x");
  EXPECT_EQ(r->header.at("kid").as_string(), "k1");
}

TEST(VerifyJwt, FindsTheKeyByX5tWhenThereIsNoKid) {
  const auto keys = jwks({{signing_key(), "k1"}});
  const auto token =
      sign_jwt(signing_key(), kClaims, json::object{{"alg", "RS256"}, {"x5t", "k1"}});
  EXPECT_TRUE(verify_jwt_rs256(token, keys));
}

TEST(VerifyJwt, UnknownKidIsNotFoundSoTheCallerRefetches) {
  const auto keys = jwks({{signing_key(), "k1"}});
  auto r = verify_jwt_rs256(sign_jwt(signing_key(), kClaims, "rotated"), keys);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
}

TEST(VerifyJwt, ASignatureByAnotherKeyIsRefused) {
  const auto keys = jwks({{signing_key(), "k1"}});
  auto r = verify_jwt_rs256(sign_jwt(other_key(), kClaims, "k1"), keys);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unauthenticated);
}

TEST(VerifyJwt, AChangedPayloadIsRefused) {
  const auto keys = jwks({{signing_key(), "k1"}});
  const auto token = sign_jwt(signing_key(), kClaims, "k1");
  const auto d1 = token.find('.');
  const auto d2 = token.rfind('.');
  json::object forged = kClaims;
  forged["sub"] = "admin";
  const auto tampered = token.substr(0, d1 + 1) + testing::b64url(json::serialize(forged)) +
                        token.substr(d2);
  auto r = verify_jwt_rs256(tampered, keys);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unauthenticated);
}

TEST(VerifyJwt, AlgorithmsOtherThanRs256AreRefusedUntried) {
  const auto keys = jwks({{signing_key(), "k1"}});
  for (const char* alg : {"none", "HS256", "RS512", "PS256"}) {
    const json::object header{{"alg", alg}, {"kid", "k1"}};
    const auto signed_part = testing::b64url(json::serialize(header)) + "." +
                             testing::b64url(json::serialize(kClaims));
    // Even a valid RS256 signature does not help a token that names another algorithm.
    const auto token = signed_part + "." + testing::b64url(testing::rs256_sign(signing_key(),
                                                                                signed_part));
    auto r = verify_jwt_rs256(token, keys);
    ASSERT_FALSE(r) << alg;
    EXPECT_EQ(r.error().code, Errc::unauthenticated) << alg;
  }
  auto unsigned_token = verify_jwt_rs256(
      testing::b64url(R"({"alg":"none"})") + "." + testing::b64url(json::serialize(kClaims)) + ".",
      keys);
  ASSERT_FALSE(unsigned_token);
}

TEST(VerifyJwt, MalformedTokensAreInvalidInput) {
  const auto keys = jwks({{signing_key(), "k1"}});
  const auto good = sign_jwt(signing_key(), kClaims, "k1");
  const std::vector<std::string> bad{
      "", "abc", "a.b", "a.b.c.d", good + ".x", "!!!." + good.substr(good.find('.') + 1),
      testing::b64url("[1]") + good.substr(good.find('.')),
      std::string(kMaxJwtBytes + 1, 'a')};
  for (const auto& token : bad) {
    auto r = verify_jwt_rs256(token, keys);
    ASSERT_FALSE(r) << token.substr(0, 40);
    EXPECT_EQ(r.error().code, Errc::invalid_input) << token.substr(0, 40);
    EXPECT_EQ(r.error().message.find(good.substr(0, 20)), std::string::npos);
  }
}

TEST(VerifyJwt, CriticalHeaderParametersAreRefused) {
  const auto keys = jwks({{signing_key(), "k1"}});
  const json::object header{{"alg", "RS256"}, {"kid", "k1"}, {"crit", json::array{"exp"}}};
  const auto token = sign_jwt(signing_key(), kClaims, header);
  EXPECT_FALSE(verify_jwt_rs256(token, keys));
}

TEST(ReadJwtPayloadUnverified, ReadsThePayloadWhateverTheSignature) {
  const auto token = sign_jwt(other_key(), kClaims, "unknown-kid");
  auto claims = read_jwt_payload_unverified(token);
  ASSERT_TRUE(claims) << claims.error().message;
  EXPECT_EQ(*claims, kClaims);
  const std::vector<std::string> malformed = {"",
                                              "a.b",
                                              "a.b.c.d",
                                              "x.%%%.y",
                                              "x." + testing::b64url("[1]") + ".y",
                                              std::string(kMaxJwtBytes + 1, 'a')};
  for (const auto& bad : malformed) {
    auto r = read_jwt_payload_unverified(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_input);
  }
}

TEST(JwtTime, ChecksExpAndNbfWithSkew) {
  const auto at = [](std::int64_t s) { return from_unix_millis(s * 1000); };
  const json::object claims{{"nbf", 1000}, {"exp", 2000}};
  const std::chrono::seconds skew(60);
  EXPECT_EQ(check_jwt_time(claims, at(1500), skew), JwtTimeCheck::valid);
  EXPECT_EQ(check_jwt_time(claims, at(941), skew), JwtTimeCheck::valid);
  EXPECT_EQ(check_jwt_time(claims, at(939), skew), JwtTimeCheck::not_yet_valid);
  EXPECT_EQ(check_jwt_time(claims, at(2059), skew), JwtTimeCheck::valid);
  EXPECT_EQ(check_jwt_time(claims, at(2060), skew), JwtTimeCheck::expired);
  EXPECT_EQ(check_jwt_time(claims, at(2000), std::chrono::seconds(0)), JwtTimeCheck::expired);
  EXPECT_EQ(check_jwt_time(json::object{{"nbf", 1}}, at(5), skew), JwtTimeCheck::missing_exp);
  EXPECT_EQ(check_jwt_time(json::object{{"exp", "2000"}}, at(5), skew), JwtTimeCheck::bad_claim);
  EXPECT_EQ(check_jwt_time(json::object{{"exp", 2000.5}}, at(1999), skew), JwtTimeCheck::valid);
  EXPECT_EQ(check_jwt_time(json::object{{"exp", 3000}, {"nbf", nullptr}}, at(5), skew),
            JwtTimeCheck::bad_claim);
}

}  // namespace
}  // namespace ccteams
