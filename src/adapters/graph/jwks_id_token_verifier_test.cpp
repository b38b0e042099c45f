#include "adapters/graph/jwks_id_token_verifier.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "adapters/crypto/jwt_test_support.hpp"
#include "adapters/graph/graph_notification_decryptor.hpp"
#include "app/ports/clock.hpp"
#include "app/testing/fake_clock.hpp"

namespace ccteams::graph {
namespace {

namespace json = boost::json;
using ccteams::testing::jwk_for;
using ccteams::testing::sign_jwt;

const std::string kLogin = "https://login.example.test";
const std::string kTenant = "6f1c2a9e-1111-4222-8333-944455556666";
const std::string kOtherTenant = "0c0ffee0-2222-4333-8444-955566667777";
const std::string kClientId = "a1b2c3d4-0000-4000-8000-00000000c11e";
const std::string kNonce = "n-0S6_WzA2Mj";
constexpr std::int64_t kNow = 1'800'000'000;

EVP_PKEY* entra_key() { return ccteams::testing::issuer_test_key(); }
EVP_PKEY* attacker_key() { return ccteams::testing::attacker_test_key(); }

std::string jwks_text(EVP_PKEY* key, const std::string& kid) {
  return json::serialize(json::object{{"keys", json::array{jwk_for(key, kid)}}});
}

// An administrator's v2 ID token (graph-protocol.md §1.4), valid at kNow.
json::object good_claims() {
  return {{"aud", kClientId},
          {"iss", kLogin + "/" + kTenant + "/v2.0"},
          {"iat", kNow - 60},
          {"nbf", kNow - 60},
          {"exp", kNow + 3600},
          {"nonce", kNonce},
          {"oid", "11111111-aaaa-4bbb-8ccc-222222222222"},
          {"tid", kTenant},
          {"sub", "pairwise-subject"},
          {"preferred_username", "admin@contoso.example"},
          {"name", "Ada Admin"},
          {"ver", "2.0"},
          {"wids", json::array{"62e90394-69f5-4237-9190-012177145e10",
                               "b79fbf4d-3ef9-4689-8143-76b194e85509"}}};
}

IdTokenExpectations expect() { return {kClientId, kNonce, from_unix_millis(kNow * 1000)}; }

struct FixedJwks final : JwksSource {
  std::string text;
  int fetches = 0;
  boost::asio::awaitable<Result<JwkSet>> fetch() override {
    ++fetches;
    co_return parse_jwks(text);
  }
};

struct Fixture {
  FixedJwks source;
  FakeClock clock{from_unix_millis(kNow * 1000)};
  CachedJwks keys{source, clock, std::chrono::minutes(5)};
  JwksIdTokenVerifier verifier{keys, kLogin};

  Result<VerifiedIdToken> verify(const std::string& token) {
    boost::asio::io_context io;
    std::optional<Result<VerifiedIdToken>> out;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          out.emplace(co_await verifier.verify(token, expect()));
        },
        boost::asio::detached);
    io.run();
    return std::move(*out);
  }
};

TEST(JwksIdTokenVerifier, AcceptsAnAdministratorsToken) {
  Fixture fx;
  fx.source.text = jwks_text(entra_key(), "k1");
  auto r = fx.verify(sign_jwt(entra_key(), good_claims(), "k1"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->tid, kTenant);
  EXPECT_EQ(r->oid, "11111111-aaaa-4bbb-8ccc-222222222222");
  EXPECT_EQ(r->upn, "admin@contoso.example");
  ASSERT_TRUE(r->wids.has_value());
  EXPECT_EQ(r->wids->size(), 2u);
}

TEST(JwksIdTokenVerifier, WidsAbsentIsNotAnEmptyList) {
  Fixture fx;
  fx.source.text = jwks_text(entra_key(), "k1");
  auto claims = good_claims();
  claims.erase("wids");
  auto r = fx.verify(sign_jwt(entra_key(), claims, "k1"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->wids.has_value());
}

// Each row changes one thing of a good token; every row must be refused, naming the check.
TEST(JwksIdTokenVerifier, RefusesEachForgery) {
  struct Row {
    const char* what;
    std::function<void(json::object&)> change;
    bool attacker_signed;
    const char* names;
  };
  const std::vector<Row> rows = {
      {"signed by another key under Entra's kid", [](json::object&) {}, true, "signature"},
      {"another tenant's issuer",
       [](json::object& c) { c["iss"] = kLogin + "/" + kOtherTenant + "/v2.0"; }, false, "iss"},
      {"v1 issuer", [](json::object& c) { c["iss"] = "https://sts.windows.net/" + kTenant + "/"; },
       false, "iss"},
      {"issuer of another authority host",
       [](json::object& c) { c["iss"] = "https://evil.test/" + kTenant + "/v2.0"; }, false, "iss"},
      {"tid missing", [](json::object& c) { c.erase("tid"); }, false, "tid"},
      {"tid not a GUID", [](json::object& c) { c["tid"] = "common"; }, false, "tid"},
      {"another app's token",
       [](json::object& c) { c["aud"] = "00000003-0000-0000-c000-000000000000"; }, false, "aud"},
      {"nonce of another sign-in", [](json::object& c) { c["nonce"] = "other"; }, false, "nonce"},
      {"no nonce", [](json::object& c) { c.erase("nonce"); }, false, "nonce"},
      {"expired", [](json::object& c) { c["exp"] = kNow - 3600; }, false, "exp"},
      {"not yet valid", [](json::object& c) { c["nbf"] = kNow + 3600; }, false, "nbf"},
      {"no exp", [](json::object& c) { c.erase("exp"); }, false, "exp"},
      {"no oid", [](json::object& c) { c.erase("oid"); }, false, "oid"},
      {"wids not a list", [](json::object& c) { c["wids"] = "62e90394"; }, false, "wids"},
  };
  for (const auto& row : rows) {
    Fixture fx;
    fx.source.text = jwks_text(entra_key(), "k1");
    auto claims = good_claims();
    row.change(claims);
    auto r = fx.verify(sign_jwt(row.attacker_signed ? attacker_key() : entra_key(), claims, "k1"));
    ASSERT_FALSE(r) << row.what;
    EXPECT_EQ(r.error().code, Errc::unauthenticated) << row.what;
    EXPECT_NE(r.error().message.find(row.names), std::string::npos)
        << row.what << ": " << r.error().message;
  }
}

TEST(JwksIdTokenVerifier, RefusesAlgNoneAndHs256) {
  Fixture fx;
  fx.source.text = jwks_text(entra_key(), "k1");
  for (const char* alg : {"none", "HS256"}) {
    auto token = sign_jwt(entra_key(), good_claims(),
                          json::object{{"typ", "JWT"}, {"alg", alg}, {"kid", "k1"}});
    auto r = fx.verify(token);
    ASSERT_FALSE(r) << alg;
    EXPECT_EQ(r.error().code, Errc::unauthenticated);
  }
}

TEST(JwksIdTokenVerifier, AnUnknownKidFetchesTheKeysAgainOnce) {
  Fixture fx;
  fx.source.text = jwks_text(entra_key(), "old");
  auto first = fx.verify(sign_jwt(entra_key(), good_claims(), "old"));
  ASSERT_TRUE(first);
  // Entra rotated: the cache does not know "new" yet.
  fx.source.text = jwks_text(entra_key(), "new");
  fx.clock.advance(std::chrono::minutes(6));
  auto rotated = fx.verify(sign_jwt(entra_key(), good_claims(), "new"));
  ASSERT_TRUE(rotated) << rotated.error().message;
  EXPECT_EQ(fx.source.fetches, 2);
  // A token with a kid nobody publishes is refused, and fetches at most once per interval.
  auto forged = fx.verify(sign_jwt(attacker_key(), good_claims(), "nobody"));
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().code, Errc::unauthenticated);
  auto again = fx.verify(sign_jwt(attacker_key(), good_claims(), "nobody2"));
  ASSERT_FALSE(again);
  EXPECT_EQ(fx.source.fetches, 2);
}

TEST(JwksIdTokenVerifier, KeysThatCannotBeFetchedAreUnavailableNotRefused) {
  Fixture fx;
  fx.source.text = "not json";
  auto r = fx.verify(sign_jwt(entra_key(), good_claims(), "k1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unavailable);
}

}  // namespace
}  // namespace ccteams::graph
