#include "app/token_claims.hpp"

#include <gtest/gtest.h>

#include "app/testing/fake_token_graph.hpp"

namespace ccteams {
namespace {

TEST(TokenClaims, ReadsTheIdentityAndScopesOfAJwt) {
  const auto jwt = testing::unsigned_jwt({{"oid", "o-1"},
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
}

TEST(TokenClaims, RefusesWhatIsNotAJwtWithoutQuotingIt) {
  for (const char* bad : {"", "abc", "a.b", "a.b.c.d", "x.%%%.y", "x.bm90LWpzb24.y"}) {
    auto c = read_token_claims(bad);
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error().code, Errc::invalid_input);
    EXPECT_EQ(c.error().message.find("bm90"), std::string::npos);
  }
}

TEST(TokenClaims, ScopesMatchBareOrWithTheGraphPrefix) {
  EXPECT_TRUE(has_scope({"Presence.Read.All"}, "Presence.Read.All"));
  EXPECT_TRUE(has_scope({"https://graph.microsoft.com/presence.read.all"}, "Presence.Read.All"));
  EXPECT_FALSE(has_scope({"Presence.Read"}, "Presence.Read.All"));
  EXPECT_FALSE(has_scope({"https://other.example/Presence.Read.All"}, "Presence.Read.All"));
  EXPECT_EQ(split_scopes(" a  b "), (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace ccteams
