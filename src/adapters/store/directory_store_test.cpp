// The directory store on every backend (SQLite and PostgreSQL): a full sync replaces an org's
// rows, a delta page upserts and removes with its deltaLink in the same transaction, every
// mirrored field and the normalised phone round-trip, and an org's mirror goes in one call
// without touching another org's.
#include <gtest/gtest.h>

#include <algorithm>

#include "adapters/store/store_backends_test_support.hpp"

namespace ccteams::store {
namespace {

const Timestamp kT0 = from_unix_millis(1'790'000'000'000);

DirectoryUser user(const std::string& id, const std::string& name,
                   std::vector<std::string> phones = {"+1 425 555 0100"}) {
  TeamsUser u;
  u.id = id;
  u.display_name = name;
  u.given_name = name.substr(0, name.find(' '));
  u.surname = name.substr(name.find(' ') + 1);
  u.mail = id + "@contoso.example";
  u.user_principal_name = id + "@contoso.example";
  u.job_title = "Billing Specialist";
  u.department = "Billing";
  u.business_phones = std::move(phones);
  return make_directory_user(std::move(u));
}

std::vector<DirectoryUser> sorted(std::vector<DirectoryUser> v) {
  std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.user.id < b.user.id; });
  return v;
}

class DirectoryStoreTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    ASSERT_EQ(backend_.open(), "");
    store_ = &backend_.stores().directory();
    org_ = backend_.stores().accounts().create_org("A", kT0)->id;
    other_ = backend_.stores().accounts().create_org("B", kT0)->id;
  }
  DirectorySyncState state(const std::string& link) const { return {"tid-1", link, kT0, 0}; }

  testing::BackendStore backend_{GetParam()};
  DirectoryStore* store_ = nullptr;
  OrgId org_, other_;
};

TEST_P(DirectoryStoreTest, NeverMirroredHasNoStateAndNoUsers) {
  auto s = store_->sync_state(org_);
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->has_value());
  EXPECT_TRUE(store_->load_users(org_)->empty());
}

TEST_P(DirectoryStoreTest, FullSyncRoundTripsEveryFieldAndThePhone) {
  auto a = user("a", "Ann Lee", {"", "+44 20 7946 0958", "x"});
  auto b = user("b", "Bob Ray", {"ext 12"});
  ASSERT_EQ(a.dialability, Dialability::dialable);
  ASSERT_EQ(b.dialability, Dialability::not_e164);
  ASSERT_TRUE(store_->replace_all(org_, {a, b}, state("https://graph/delta?$deltatoken=1")));
  EXPECT_EQ(sorted(*store_->load_users(org_)), sorted({a, b}));
  auto s = store_->sync_state(org_);
  ASSERT_TRUE(s && s->has_value());
  EXPECT_EQ((*s)->tenant, "tid-1");
  EXPECT_EQ((*s)->delta_link, "https://graph/delta?$deltatoken=1");
  EXPECT_EQ((*s)->synced_at, kT0);
  EXPECT_EQ((*s)->user_count, 2u);
  // A second full sync replaces, it does not add.
  ASSERT_TRUE(store_->replace_all(org_, {b}, state("l2")));
  EXPECT_EQ(*store_->load_users(org_), std::vector<DirectoryUser>{b});
  EXPECT_EQ((*store_->sync_state(org_))->user_count, 1u);
}

TEST_P(DirectoryStoreTest, DeltaUpsertsRemovesAndMovesTheLinkTogether) {
  ASSERT_TRUE(store_->replace_all(org_, {user("a", "Ann Lee"), user("b", "Bob Ray")}, state("l1")));
  auto renamed = user("a", "Ann Smith", {});
  ASSERT_EQ(renamed.dialability, Dialability::missing);
  ASSERT_TRUE(
      store_->apply_delta(org_, {renamed, user("c", "Cy Doe")}, {"b", "unknown"}, state("l2")));
  EXPECT_EQ(sorted(*store_->load_users(org_)), sorted({renamed, user("c", "Cy Doe")}));
  EXPECT_EQ((*store_->sync_state(org_))->delta_link, "l2");
  EXPECT_EQ((*store_->sync_state(org_))->user_count, 2u);
}

TEST_P(DirectoryStoreTest, DeleteOrgRemovesOnlyThatOrgsMirror) {
  ASSERT_TRUE(store_->replace_all(org_, {user("a", "Ann Lee"), user("b", "Bob Ray")}, state("l1")));
  ASSERT_TRUE(store_->replace_all(other_, {user("a", "Ann Lee")}, state("o1")));
  auto removed = store_->delete_org(org_);
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 2);
  EXPECT_TRUE(store_->load_users(org_)->empty());
  EXPECT_FALSE(store_->sync_state(org_)->has_value());
  EXPECT_EQ(store_->load_users(other_)->size(), 1u);
  EXPECT_EQ((*store_->sync_state(other_))->delta_link, "o1");
}

TEST_P(DirectoryStoreTest, MirrorGoesWithItsOrganisation) {
  ASSERT_TRUE(store_->replace_all(org_, {user("a", "Ann Lee")}, state("l1")));
  EXPECT_EQ(backend_.query_int("SELECT COUNT(*) FROM directory_users"), 1);
  ASSERT_EQ(backend_.exec("DELETE FROM organisations WHERE id = " + std::to_string(org_.value)),
            "");
  EXPECT_EQ(backend_.query_int("SELECT COUNT(*) FROM directory_users"), 0);
  EXPECT_EQ(backend_.query_int("SELECT COUNT(*) FROM directory_sync"), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, DirectoryStoreTest, testing::kAllBackends,
                         testing::backend_name);

}  // namespace
}  // namespace ccteams::store
