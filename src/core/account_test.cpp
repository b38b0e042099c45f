#include "core/account.hpp"

#include <gtest/gtest.h>

namespace ccteams {
namespace {

TEST(RoleSet, HoldsSeveralRoles) {
  RoleSet s{Role::supervisor, Role::agent};
  EXPECT_TRUE(s.has(Role::supervisor));
  EXPECT_TRUE(s.has(Role::agent));
  EXPECT_FALSE(s.has(Role::admin));
  EXPECT_EQ(role_names(s), (std::vector<std::string>{"supervisor", "agent"}));
  EXPECT_EQ(RoleSet::from_bits(s.bits()), s);
  EXPECT_EQ(RoleSet::from_bits(0xFF).bits(), 7);  // unknown bits from storage are dropped
}

TEST(ParseRole, ExactNamesOnly) {
  EXPECT_EQ(parse_role("admin"), Role::admin);
  EXPECT_EQ(parse_role("agent"), Role::agent);
  EXPECT_FALSE(parse_role("Admin").has_value());
  EXPECT_FALSE(parse_role("root").has_value());
}

struct NameCase {
  const char* username;
  bool valid;
};

class Usernames : public ::testing::TestWithParam<NameCase> {};

TEST_P(Usernames, Table) {
  EXPECT_EQ(validate_username(GetParam().username).has_value(), GetParam().valid)
      << GetParam().username;
}

INSTANTIATE_TEST_SUITE_P(Table, Usernames,
                         ::testing::Values(NameCase{"agent1", true}, NameCase{"a.b-c_d@x", true},
                                           NameCase{"", false}, NameCase{"with space", false},
                                           NameCase{"semi;colon", false},
                                           NameCase{"ünïcode", false},
                                           NameCase{"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", true},
                                           NameCase{"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", false}));

TEST(Passwords, LengthBounds) {
  EXPECT_FALSE(validate_password("short"));
  EXPECT_TRUE(validate_password("longenough"));
  EXPECT_TRUE(validate_password("pw", 1));
  EXPECT_FALSE(validate_password(std::string(257, 'x')));
}

TEST(Result, ValueAndError) {
  Result<int> good = 3;
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 3);
  Result<int> bad = make_error(Errc::conflict, "no");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::conflict);
  EXPECT_EQ(bad.value_or(7), 7);
  Result<void> v = ok();
  EXPECT_TRUE(v);
  Result<void> e = make_error(Errc::internal, "x");
  EXPECT_FALSE(e);
}

}  // namespace
}  // namespace ccteams
