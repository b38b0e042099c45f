#include "adapters/graph/token_claims.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "adapters/crypto/jwt_test_support.hpp"
#include "adapters/graph/graph_json.hpp"

namespace ccteams::graph {
namespace {

std::string unsigned_jwt(const boost::json::object& claims) {
  return testing::b64url(R"({"alg":"RS256","typ":"JWT"})") + "." +
         testing::b64url(boost::json::serialize(claims)) + ".c2ln";
}

TEST(TokenClaims, ReadsTheIdentityAndScopesOfAJwt) {
  const auto jwt = unsigned_jwt({{"oid", "o-1"},
                                 {"tid", "t-1"},
                                 {"aud", "app"},
                                 {"preferred_username", "a@b.example"},
                                 {"name", "A B"},
                                 {"scp", "Presence.Read.All  User.Read"},
                                 {"exp", 1790000000}});
  auto c = read_token_claims(jwt);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->oid, "o-1");
  EXPECT_EQ(c->tid, "t-1");
  EXPECT_EQ(c->aud, "app");
  EXPECT_EQ(c->upn, "a@b.example");
  EXPECT_EQ(c->name, "A B");
  EXPECT_EQ(c->scopes, (std::vector<std::string>{"Presence.Read.All", "User.Read"}));
  EXPECT_EQ(c->exp, 1790000000);
  EXPECT_TRUE(c->roles.empty());
}

TEST(TokenClaims, ReadsTheTenantAndRolesOfAnAppToken) {
  auto c = read_token_claims(
      unsigned_jwt({{"tid", "t-1"},
                    {"roles", boost::json::array{"Presence.ReadWrite.All", 7, "User.Read.All"}}}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->tid, "t-1");
  EXPECT_EQ(c->roles, (std::vector<std::string>{"Presence.ReadWrite.All", "User.Read.All"}));
}

TEST(TokenClaims, RefusesWhatIsNotAJwtWithoutQuotingIt) {
  for (const char* bad : {"", "abc", "a.b", "a.b.c.d", "x.%%%.y", "x.bm90LWpzb24.y"}) {
    auto c = read_token_claims(bad);
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error().code, Errc::invalid_input);
    EXPECT_EQ(c.error().message.find("bm90"), std::string::npos);
  }
}

TEST(TokenClaims, ScopesLoseOnlyGraphsPrefix) {
  EXPECT_EQ(bare_scope("Presence.Read.All"), "Presence.Read.All");
  EXPECT_EQ(bare_scope("https://graph.microsoft.com/presence.read.all"), "presence.read.all");
  EXPECT_EQ(bare_scope("HTTPS://Graph.Microsoft.com/User.Read"), "User.Read");
  EXPECT_EQ(bare_scope("https://other.example/Presence.Read.All"),
            "https://other.example/Presence.Read.All");
  EXPECT_EQ(split_scopes(" a  b "), (std::vector<std::string>{"a", "b"}));
}

TEST(TokenClaims, AReplyCarriesItsTokensClaimsAndGrantedScopes) {
  const auto access = unsigned_jwt({{"oid", "o-1"},
                                    {"tid", "t-1"},
                                    {"upn", "a@b.example"},
                                    {"scp", "https://graph.microsoft.com/Presence.Read.All"}});
  const auto id = unsigned_jwt({{"oid", "o-1"}, {"tid", "t-1"}, {"aud", "client-1"}});
  auto r = decode_token_response(
      R"({"token_type":"Bearer","expires_in":3600,"scope":"User.Read","access_token":")" + access +
      R"(","id_token":")" + id + R"("})");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->access_token_claims);
  EXPECT_EQ(r->access_token_claims->upn, "a@b.example");
  ASSERT_TRUE(r->id_token_claims);
  EXPECT_EQ(r->id_token_claims->aud, "client-1");
  // scp of the access token is what Graph checks: it wins over the reply's scope.
  EXPECT_EQ(r->granted_scopes, (std::vector<std::string>{"Presence.Read.All"}));
}

TEST(TokenClaims, AnOpaqueAccessTokenGrantsTheRepliesScope) {
  auto r = decode_token_response(
      R"({"token_type":"Bearer","expires_in":3600,"access_token":"opaque",)"
      R"("scope":"https://graph.microsoft.com/Presence.Read.All offline_access"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->access_token_claims);
  EXPECT_FALSE(r->id_token_claims);
  EXPECT_EQ(r->granted_scopes, (std::vector<std::string>{"Presence.Read.All", "offline_access"}));
}

}  // namespace
}  // namespace ccteams::graph
