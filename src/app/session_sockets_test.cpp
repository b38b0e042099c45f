#include "app/session_sockets.hpp"

#include <gtest/gtest.h>

#include "app/auth_service.hpp"
#include "app/testing/fakes.hpp"
#include "app/testing/in_memory_account_store.hpp"
#include "app/testing/run_awaitable.hpp"
#include "app/testing/simulated_time.hpp"
#include "app/testing/test_store.hpp"
#include "app/user_service.hpp"

namespace ccteams {
namespace {

using namespace std::chrono_literals;
constexpr Timestamp kT0{Millis{1'800'000'000'000}};

// A socket as the registry sees it: the reason it was closed with, if it was.
struct FakeSocket {
  std::shared_ptr<SessionSockets::Slot> slot;
  std::shared_ptr<std::optional<std::string>> closed =
      std::make_shared<std::optional<std::string>>();
  bool is_closed() const { return closed->has_value(); }
};

struct SessionSocketsFixture : ::testing::Test {
  testing::InMemoryAccountStore store;
  testing::TestStore port{testing::TestStores{.accounts = &store}};
  testing::InlineWorkers workers;
  testing::PlainHasher hasher;
  testing::CountingTokens tokens;
  testing::SimulatedTime clock{kT0};  // the clock and the scheduler
  SessionSockets sockets{clock, SessionSocketsOptions{3}};
  AuthService auth{port, hasher, tokens, clock, AuthOptions{}, &sockets};
  UserService users{port, workers, hasher, clock, 8, &sockets};
  OrgId org;
  Caller admin;

  void SetUp() override {
    org = testing::run_awaitable(users.ensure_org("Acme")).value().id;
    ASSERT_TRUE(testing::run_awaitable(
        users.create(org, {"alice", "correct horse", "Alice", RoleSet{Role::admin}})));
    ASSERT_TRUE(testing::run_awaitable(
        users.create(org, {"bob", "battery staple", "Bob", RoleSet{Role::agent}})));
    admin = sign_in("alice", "correct horse");
  }

  Caller sign_in(const std::string& user, const std::string& password) {
    auto login = testing::run_awaitable(auth.login(user, password, "10.0.0.1", workers));
    EXPECT_TRUE(login);
    return testing::run_awaitable(auth.authenticate(login->token)).value();
  }
  Result<Caller> by_digest(const std::string& digest) {
    return testing::run_awaitable(auth.authenticate_session(digest));
  }
  Result<void> logout(const Caller& c) { return testing::run_awaitable(auth.logout(c)); }

  FakeSocket open(const Caller& c) {
    FakeSocket s;
    auto slot =
        sockets.reserve(SocketOwner{c.session_digest, c.org_id, c.user_id, c.session_expires_at});
    EXPECT_TRUE(slot) << slot.error().message;
    s.slot = *slot;
    s.slot->attach([closed = s.closed](std::string reason) { *closed = std::move(reason); });
    return s;
  }
};

TEST_F(SessionSocketsFixture, LogoutClosesTheSessionsSocketsOnly) {
  const Caller bob1 = sign_in("bob", "battery staple");
  const Caller bob2 = sign_in("bob", "battery staple");
  auto a = open(bob1);
  auto b = open(bob2);
  ASSERT_TRUE(logout(bob1));
  EXPECT_EQ(*a.closed, std::optional<std::string>("session ended"));
  EXPECT_FALSE(b.is_closed());
}

TEST_F(SessionSocketsFixture, DisablingAUserEndsAllTheirSessionsAndSockets) {
  const Caller bob1 = sign_in("bob", "battery staple");
  const Caller bob2 = sign_in("bob", "battery staple");
  auto a = open(bob1);
  auto b = open(bob2);
  auto mine = open(admin);
  UserChanges change;
  change.disabled = true;
  ASSERT_TRUE(testing::run_awaitable(users.update(admin, bob1.user_id, change)));
  EXPECT_TRUE(a.is_closed());
  EXPECT_TRUE(b.is_closed());
  EXPECT_FALSE(mine.is_closed());
  EXPECT_FALSE(store.find_session(bob1.session_digest, kT0));
  EXPECT_FALSE(store.find_session(bob2.session_digest, kT0));
}

TEST_F(SessionSocketsFixture, DeletingAUserClosesTheirSockets) {
  const Caller bob = sign_in("bob", "battery staple");
  auto a = open(bob);
  ASSERT_TRUE(testing::run_awaitable(users.remove(admin, bob.user_id)));
  EXPECT_TRUE(a.is_closed());
  EXPECT_FALSE(by_digest(bob.session_digest));
}

TEST_F(SessionSocketsFixture, ARoleChangeClosesSocketsAndTheNextRequestSeesTheNewRoles) {
  const Caller bob = sign_in("bob", "battery staple");
  auto a = open(bob);
  UserChanges change;
  change.roles = RoleSet{Role::agent, Role::supervisor};
  ASSERT_TRUE(testing::run_awaitable(users.update(admin, bob.user_id, change)));
  EXPECT_TRUE(a.is_closed());
  // The session stays; the roles are read again on each request.
  auto again = by_digest(bob.session_digest);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->roles.has(Role::supervisor));
}

TEST_F(SessionSocketsFixture, ADisplayNameChangeClosesNothing) {
  const Caller bob = sign_in("bob", "battery staple");
  auto a = open(bob);
  UserChanges change;
  change.display_name = "Robert";
  ASSERT_TRUE(testing::run_awaitable(users.update(admin, bob.user_id, change)));
  EXPECT_FALSE(a.is_closed());
}

TEST_F(SessionSocketsFixture, OwnPasswordChangeKeepsTheChangingSessionOnly) {
  const Caller other = sign_in("alice", "correct horse");
  auto here = open(admin);
  auto there = open(other);
  UserChanges change;
  change.password = "a new passphrase";
  ASSERT_TRUE(testing::run_awaitable(users.update(admin, admin.user_id, change)));
  EXPECT_FALSE(here.is_closed());
  EXPECT_TRUE(there.is_closed());
  EXPECT_TRUE(by_digest(admin.session_digest));
  EXPECT_FALSE(by_digest(other.session_digest));
}

TEST_F(SessionSocketsFixture, AdminSettingAnotherUsersPasswordEndsAllTheirSessions) {
  const Caller bob = sign_in("bob", "battery staple");
  auto a = open(bob);
  UserChanges change;
  change.password = "a new passphrase";
  ASSERT_TRUE(testing::run_awaitable(users.update(admin, bob.user_id, change)));
  EXPECT_TRUE(a.is_closed());
  EXPECT_FALSE(by_digest(bob.session_digest));
}

TEST_F(SessionSocketsFixture, SocketsCloseWhenTheirSessionExpiresOnSimulatedTime) {
  const Caller bob = sign_in("bob", "battery staple");
  auto a = open(bob);
  clock.advance_to(bob.session_expires_at - 1ms);
  EXPECT_FALSE(a.is_closed());
  clock.advance_to(bob.session_expires_at);
  EXPECT_EQ(*a.closed, std::optional<std::string>("session expired"));
}

TEST_F(SessionSocketsFixture, SocketsPerSessionAreCappedAndFreedWhenDropped) {
  const Caller bob = sign_in("bob", "battery staple");
  std::vector<FakeSocket> open_ones;
  for (int i = 0; i < 3; ++i) open_ones.push_back(open(bob));
  auto fourth = sockets.reserve(
      SocketOwner{bob.session_digest, bob.org_id, bob.user_id, bob.session_expires_at});
  ASSERT_FALSE(fourth);
  EXPECT_EQ(fourth.error().code, Errc::rate_limited);
  // Another session of the same user has its own allowance.
  const Caller bob2 = sign_in("bob", "battery staple");
  EXPECT_TRUE(sockets.reserve(
      SocketOwner{bob2.session_digest, bob2.org_id, bob2.user_id, bob2.session_expires_at}));
  // A dropped slot (a failed handshake, or a closed socket) frees its place.
  open_ones.pop_back();
  EXPECT_EQ(sockets.open_count(bob.session_digest), 2u);
  EXPECT_TRUE(sockets.reserve(
      SocketOwner{bob.session_digest, bob.org_id, bob.user_id, bob.session_expires_at}));
}

TEST_F(SessionSocketsFixture, ASessionEndingBeforeTheHandshakeClosesTheSocketOnAttach) {
  const Caller bob = sign_in("bob", "battery staple");
  auto slot = sockets.reserve(
      SocketOwner{bob.session_digest, bob.org_id, bob.user_id, bob.session_expires_at});
  ASSERT_TRUE(slot);
  ASSERT_TRUE(logout(bob));
  std::optional<std::string> closed;
  (*slot)->attach([&](std::string reason) { closed = std::move(reason); });
  EXPECT_EQ(closed, std::optional<std::string>("session ended"));
}

}  // namespace
}  // namespace ccteams
