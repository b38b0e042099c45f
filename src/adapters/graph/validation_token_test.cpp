#include "adapters/graph/validation_token.hpp"

#include <gtest/gtest.h>

#include "adapters/crypto/jwt_test_support.hpp"

namespace ccteams::graph {
namespace {

namespace json = boost::json;
using ccteams::testing::jwk_for;
using ccteams::testing::sign_jwt;

const std::string kTenant = "6f1c2a9e-1111-4222-8333-944455556666";
const std::string kClientId = "a1b2c3d4-0000-4000-8000-00000000c11e";
constexpr std::int64_t kNow = 1'800'000'000;

EVP_PKEY* entra_key() { return ccteams::testing::issuer_test_key(); }
EVP_PKEY* attacker_key() { return ccteams::testing::attacker_test_key(); }

const JwkSet& entra_jwks() {
  static const JwkSet set = [] {
    const json::array keys{jwk_for(entra_key(), "kid-1")};
    auto s = parse_jwks(json::serialize(json::object{{"keys", keys}}));
    EXPECT_TRUE(s);
    return std::move(s).value();
  }();
  return set;
}

// The claims Graph's publisher token carries (graph-protocol.md §4.6), valid at kNow.
json::object good_claims() {
  return {{"aud", kClientId},
          {"iss", "https://sts.windows.net/" + kTenant + "/"},
          {"iat", kNow - 60},
          {"nbf", kNow - 60},
          {"exp", kNow + 3600},
          {"aio", "E2ZgYJg"},
          {"appid", std::string(kNotificationPublisherAppId)},
          {"appidacr", "2"},
          {"idp", "https://sts.windows.net/" + kTenant + "/"},
          {"tid", kTenant},
          {"uti", "abc"},
          {"ver", "1.0"}};
}

ValidationTokenValidator validator() {
  return ValidationTokenValidator({.tenant_ids = {kTenant}, .client_id = kClientId,
                                   .clock_skew = std::chrono::seconds(300)});
}

Timestamp at(std::int64_t s) { return from_unix_millis(s * 1000); }

void expect_refused(const json::object& claims, TokenRefusalReason reason,
                    Timestamp now = at(kNow), EVP_PKEY* key = entra_key(),
                    const std::string& kid = "kid-1") {
  auto r = validator().check(sign_jwt(key, claims, kid), entra_jwks(), now);
  ASSERT_FALSE(r) << "accepted although " << token_refusal_reason_name(reason) << " is wrong";
  EXPECT_EQ(r.error().reason, reason) << r.error().message;
  EXPECT_NE(r.error().message.find(token_refusal_reason_name(reason)), std::string::npos);
  EXPECT_EQ(r.error().to_error().code, Errc::unauthenticated);
}

TEST(ValidationToken, AcceptsTheGraphPublisherTokenForOurApp) {
  auto r = validator().check(sign_jwt(entra_key(), good_claims(), "kid-1"), entra_jwks(),
                             at(kNow));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->tenant_id, kTenant);
  EXPECT_EQ(r->audience, kClientId);
}

TEST(ValidationToken, ExpiredTokenIsRefusedAfterTheSkew) {
  auto claims = good_claims();
  claims["exp"] = kNow - 301;
  expect_refused(claims, TokenRefusalReason::expired);
  claims["exp"] = kNow - 299;  // within the allowed clock skew
  EXPECT_TRUE(validator().check(sign_jwt(entra_key(), claims, "kid-1"), entra_jwks(), at(kNow)));
  claims.erase("exp");
  expect_refused(claims, TokenRefusalReason::expired);
}

TEST(ValidationToken, TokenNotValidYetIsRefused) {
  auto claims = good_claims();
  claims["nbf"] = kNow + 301;
  expect_refused(claims, TokenRefusalReason::not_yet_valid);
}

TEST(ValidationToken, WrongAudienceIsRefused) {
  auto claims = good_claims();
  claims["aud"] = "https://graph.microsoft.com";
  expect_refused(claims, TokenRefusalReason::audience);
  claims.erase("aud");
  expect_refused(claims, TokenRefusalReason::audience);
  claims["aud"] = json::array{"other-app", kClientId};  // several apps share the URL
  EXPECT_TRUE(validator().check(sign_jwt(entra_key(), claims, "kid-1"), entra_jwks(), at(kNow)));
}

TEST(ValidationToken, WrongAppIdIsRefused) {
  auto claims = good_claims();
  claims["appid"] = kClientId;  // a token some other app obtained, not Graph's publisher
  expect_refused(claims, TokenRefusalReason::app_id);
  claims.erase("appid");
  expect_refused(claims, TokenRefusalReason::app_id);
}

TEST(ValidationToken, WrongIssuerIsRefused) {
  auto claims = good_claims();
  claims["iss"] = "https://sts.windows.net/00000000-0000-0000-0000-000000000000/";
  expect_refused(claims, TokenRefusalReason::issuer);
  claims["iss"] = "https://login.microsoftonline.com/" + kTenant + "/v2.0";  // v2 issuer
  expect_refused(claims, TokenRefusalReason::issuer);
  claims["iss"] = "https://sts.windows.net/" + kTenant;  // no trailing slash
  expect_refused(claims, TokenRefusalReason::issuer);
}

TEST(ValidationToken, AnyOfSeveralConfiguredTenantsIsAccepted) {
  const std::string other = "11111111-2222-4333-8444-555555555555";
  ValidationTokenValidator v({.tenant_ids = {other, kTenant}, .client_id = kClientId});
  auto r = v.check(sign_jwt(entra_key(), good_claims(), "kid-1"), entra_jwks(), at(kNow));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->tenant_id, kTenant);
}

TEST(ValidationToken, BadSignatureIsRefused) {
  expect_refused(good_claims(), TokenRefusalReason::bad_signature, at(kNow), attacker_key());
}

TEST(ValidationToken, UnknownKeyIsReportedForARefetch) {
  expect_refused(good_claims(), TokenRefusalReason::unknown_key, at(kNow), entra_key(), "kid-2");
}

TEST(ValidationToken, MalformedTokenIsRefused) {
  auto r = validator().check("definitely.not.ajwt", entra_jwks(), at(kNow));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, TokenRefusalReason::malformed);
}

TEST(ValidationToken, CheckAllRefusesTheBatchWhenOneTokenFails) {
  const auto good = sign_jwt(entra_key(), good_claims(), "kid-1");
  auto claims = good_claims();
  claims["appid"] = "evil";
  const auto bad = sign_jwt(entra_key(), claims, "kid-1");
  auto all_good = validator().check_all({good, good}, entra_jwks(), at(kNow));
  ASSERT_TRUE(all_good);
  EXPECT_EQ(all_good->size(), 2u);
  auto one_bad = validator().check_all({good, bad}, entra_jwks(), at(kNow));
  ASSERT_FALSE(one_bad);
  EXPECT_EQ(one_bad.error().reason, TokenRefusalReason::app_id);
  auto none = validator().check_all({}, entra_jwks(), at(kNow));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().reason, TokenRefusalReason::missing_token);
}

TEST(ValidationToken, MessagesDoNotEchoTheToken) {
  auto claims = good_claims();
  claims["iss"] = "<script>alert(1)</script>";
  auto r = validator().check(sign_jwt(entra_key(), claims, "kid-1"), entra_jwks(), at(kNow));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find("script"), std::string::npos);
}

}  // namespace
}  // namespace ccteams::graph
