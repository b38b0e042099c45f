#include "app/auth_service.hpp"

#include <gtest/gtest.h>

#include "app/auth_service_test_support.hpp"
#include "app/testing/fakes.hpp"
#include "app/testing/run_awaitable.hpp"
#include "app/user_service.hpp"

namespace ccteams {
namespace {

using namespace std::chrono_literals;
using auth_test::kT0;

struct AuthFixture : auth_test::AuthTestBase {
  OrgId org;

  void SetUp() override {
    rebuild();
    org = add_org("Acme");
    ASSERT_TRUE(add_user(org, {"alice", "correct horse", "Alice", RoleSet{Role::admin}}));
    ASSERT_TRUE(add_user(org, {"bob", "battery staple", "Bob", RoleSet{Role::agent}}));
  }
};

TEST_F(AuthFixture, LoginThenAuthenticate) {
  auto login = sign_in("alice", "correct horse", "10.0.0.1");
  ASSERT_TRUE(login) << login.error().message;
  EXPECT_EQ(login->expires_at, kT0 + options.session_ttl);
  auto caller = authenticate(login->token);
  ASSERT_TRUE(caller);
  EXPECT_EQ(caller->username, "alice");
  EXPECT_TRUE(caller->roles.has(Role::admin));
  EXPECT_EQ(caller->csrf_token, login->csrf_token);
}

TEST_F(AuthFixture, WrongPasswordAndUnknownUserLookTheSame) {
  auto wrong = sign_in("alice", "nope", "10.0.0.1");
  auto unknown = sign_in("mallory", "nope", "10.0.0.1");
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(wrong.error().code, Errc::unauthenticated);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
}

TEST_F(AuthFixture, SessionsExpire) {
  auto login = sign_in("alice", "correct horse", "10.0.0.1");
  ASSERT_TRUE(login);
  clock.advance(options.session_ttl + 1ms);
  auto caller = authenticate(login->token);
  ASSERT_FALSE(caller);
  EXPECT_EQ(caller.error().code, Errc::unauthenticated);
}

TEST_F(AuthFixture, ExpiredSessionsAreRemovedBySignInsAtMostOncePerInterval) {
  AuthOptions short_lived = options;
  short_lived.session_ttl = 10s;
  short_lived.clean_up_interval = 60s;
  AuthService service(port, hasher, tokens, clock, short_lived);
  ASSERT_TRUE(login_on(service, "alice", "correct horse", "10.0.0.1"));  // cleans up: nothing old
  clock.advance(20s);                                                    // alice's session expired
  ASSERT_TRUE(login_on(service, "bob", "battery staple", "10.0.0.1"));
  EXPECT_EQ(store.stored_sessions(), 2u) << "within the interval: no clean-up on this sign-in";
  clock.advance(50s);  // bob's first one expired too
  ASSERT_TRUE(login_on(service, "bob", "battery staple", "10.0.0.1"));
  EXPECT_EQ(store.stored_sessions(), 1u) << "the interval passed: both expired sessions removed";
}

TEST_F(AuthFixture, LogoutEndsTheSession) {
  auto login = sign_in("alice", "correct horse", "10.0.0.1");
  auto caller = authenticate(login->token);
  ASSERT_TRUE(logout(*caller));
  EXPECT_FALSE(authenticate(login->token));
}

TEST_F(AuthFixture, DisabledAccountsCannotSignInOrUseOldSessions) {
  auto login = sign_in("bob", "battery staple", "10.0.0.1");
  ASSERT_TRUE(login);
  auto alice = authenticate(sign_in("alice", "correct horse", "x")->token).value();
  UserChanges disable;
  disable.disabled = true;
  ASSERT_TRUE(testing::run_awaitable(users.update(alice, login->user.id, disable)));
  EXPECT_FALSE(authenticate(login->token));
  EXPECT_FALSE(sign_in("bob", "battery staple", "10.0.0.1"));
}

// The slowdown and lockout timelines are in auth_service_login_test.cpp.

TEST_F(AuthFixture, SlowingOneAccountLeavesOthersAlone) {
  for (int i = 0; i < 5; ++i) (void)sign_in("bob", "wrong", "10.0.0.3");
  EXPECT_FALSE(sign_in("bob", "battery staple", "10.0.0.3"));
  EXPECT_TRUE(sign_in("alice", "correct horse", "10.0.0.3"));
}

TEST_F(AuthFixture, OneAddressGuessingManyUsernamesIsLocked) {
  options.max_address_failures = 3;
  auth = std::make_unique<AuthService>(port, hasher, tokens, clock, options);
  for (int i = 0; i < 3; ++i) (void)sign_in("user" + std::to_string(i), "x", "203.0.113.9");
  auto r = sign_in("alice", "correct horse", "203.0.113.9");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::rate_limited);
  EXPECT_TRUE(sign_in("alice", "correct horse", "198.51.100.1"));
}

TEST(RequireRole, AnyOfTheRolesIsEnough) {
  Caller c;
  c.roles = RoleSet{Role::supervisor, Role::agent};
  EXPECT_TRUE(require_role(c, {Role::agent}));
  EXPECT_TRUE(require_role(c, {Role::admin, Role::supervisor}));
  auto r = require_role(c, {Role::admin});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::forbidden);
  EXPECT_NE(r.error().message.find("admin"), std::string::npos);
}

TEST_F(AuthFixture, AdminsCannotLockThemselvesOut) {
  auto alice = authenticate(sign_in("alice", "correct horse", "x")->token).value();
  UserChanges demote;
  demote.roles = RoleSet{Role::agent};
  auto r = testing::run_awaitable(users.update(alice, alice.user_id, demote));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::conflict);
  auto del = testing::run_awaitable(users.remove(alice, alice.user_id));
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().code, Errc::conflict);
}

TEST_F(AuthFixture, UserValidationNamesTheField) {
  struct Case {
    NewUser user;
    const char* mentions;
  };
  const std::vector<Case> cases = {
      {{"", "longpassword", "", RoleSet{Role::agent}}, "username"},
      {{"bad name", "longpassword", "", RoleSet{Role::agent}}, "username"},
      {{"carol", "short", "", RoleSet{Role::agent}}, "password"},
      {{"carol", "longpassword", "", RoleSet{}}, "roles"},
      {{"alice", "longpassword", "", RoleSet{Role::agent}}, "already taken"},
  };
  for (const auto& c : cases) {
    auto r = testing::run_awaitable(users.create(org, c.user));
    ASSERT_FALSE(r) << c.mentions;
    EXPECT_NE(r.error().message.find(c.mentions), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace ccteams
