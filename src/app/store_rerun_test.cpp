// Store jobs that run twice (store.hpp: PostgreSQL runs a job again after rolling it back for a
// conflict): the services keep their inputs intact across runs, the result is the last run's,
// and nothing of the rolled-back run remains. testing::TestStore's rerun switch runs every job
// twice, rolling the in-memory accounts back in between.
#include <gtest/gtest.h>

#include <optional>

#include "app/auth_service_test_support.hpp"

namespace ccteams {
namespace {

struct StoreRerunFixture : auth_test::AuthTestBase {
  OrgId org;
  std::optional<testing::InMemoryAccountStore::Snapshot> before_job;

  void SetUp() override {
    rebuild();
    org = add_org("Acme");
    port.rerun_every_job({[this] { before_job = store.snapshot(); },
                          [this] { store.restore(std::move(*before_job)); }});
  }
};

TEST_F(StoreRerunFixture, ACreatedUserKeepsThePasswordHashWhenItsJobRunsTwice) {
  auto created = add_user(org, {"alice", "correct horse", "Alice", RoleSet{Role::admin}});
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_GT(port.reruns(), 0u);
  EXPECT_EQ(created->password_hash, "plain$correct horse");
  auto stored = store.find_user_by_username("alice");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->id, created->id);
  EXPECT_EQ(stored->password_hash, "plain$correct horse");
  EXPECT_EQ(store.list_users(org)->size(), 1u);
  EXPECT_TRUE(sign_in("alice", "correct horse", "10.0.0.1"));
}

TEST_F(StoreRerunFixture, ASignInRunTwiceAnswersWithTheLastRunsSessionOnly) {
  ASSERT_TRUE(add_user(org, {"alice", "correct horse", "Alice", RoleSet{Role::admin}}));
  const std::size_t reruns = port.reruns();
  auto login = sign_in("alice", "correct horse", "10.0.0.1");
  ASSERT_TRUE(login) << login.error().message;
  EXPECT_GT(port.reruns(), reruns);
  EXPECT_EQ(login->user.username, "alice");
  EXPECT_EQ(login->user.password_hash, "plain$correct horse");
  // The first run's session was rolled back with it; the token returned is the second run's.
  EXPECT_EQ(store.session_count(), 1u);
  auto caller = authenticate(login->token);
  ASSERT_TRUE(caller) << caller.error().message;
  EXPECT_EQ(caller->username, "alice");
}

TEST_F(StoreRerunFixture, ANewPasswordIsStoredWhenTheUpsertOrUpdateRunsTwice) {
  ASSERT_TRUE(add_user(org, {"alice", "correct horse", "Alice", RoleSet{Role::admin}}));
  auto upserted = testing::run_awaitable(
      users.upsert(org, {"alice", "battery staple", "Alice", RoleSet{Role::admin}}));
  ASSERT_TRUE(upserted) << upserted.error().message;
  EXPECT_EQ(store.find_user_by_username("alice")->password_hash, "plain$battery staple");

  auto login = sign_in("alice", "battery staple", "10.0.0.1");
  ASSERT_TRUE(login) << login.error().message;
  auto caller = authenticate(login->token);
  ASSERT_TRUE(caller);
  UserChanges changes;
  changes.password = "tr0ub4dor&3 horse";
  auto updated = testing::run_awaitable(users.update(*caller, caller->user_id, changes));
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(store.find_user_by_username("alice")->password_hash, "plain$tr0ub4dor&3 horse");
  // Whoever changes their own password stays signed in where they did it, whichever run won.
  EXPECT_TRUE(authenticate(login->token));
  EXPECT_TRUE(sign_in("alice", "tr0ub4dor&3 horse", "10.0.0.1"));
}

}  // namespace
}  // namespace ccteams
