// The account store's contract, on every backend (SQLite and PostgreSQL).
#include <gtest/gtest.h>

#include "adapters/store/store_backends_test_support.hpp"

namespace ccteams::store {
namespace {

using testing::StoreBackend;

constexpr Timestamp kT0{Millis{1'800'000'000'000}};

// Each test runs on a fresh, fully migrated database (the production configuration).
struct AccountStoreTest : ::testing::TestWithParam<StoreBackend> {
  testing::BackendStore backend{GetParam()};
  AccountStore* accounts = nullptr;
  OrgId acme;
  OrgId globex;

  void SetUp() override {
    ASSERT_EQ(backend.open(), "");
    accounts = &backend.stores().accounts();
    acme = accounts->create_org("Acme", kT0).value().id;
    globex = accounts->create_org("Globex", kT0).value().id;
  }

  UserAccount make_user(OrgId org, const std::string& username) {
    return UserAccount{
        {},    org, username, "Name of " + username, RoleSet{Role::agent}, "h$" + username,
        false, kT0};
  }

  UserAccount add_user(OrgId org, const std::string& username) {
    auto u = accounts->create_user(make_user(org, username));
    EXPECT_TRUE(u) << (u ? "" : u.error().message);
    return u ? *u : UserAccount{};
  }
};

TEST_P(AccountStoreTest, OrganisationsAreCreatedFoundAndListed) {
  auto acme_row = accounts->get_org(acme);
  ASSERT_TRUE(acme_row);
  EXPECT_EQ(acme_row->name, "Acme");
  EXPECT_EQ(acme_row->created_at, kT0);
  EXPECT_EQ(accounts->find_org_by_name("Globex").value().id, globex);
  EXPECT_EQ(accounts->find_org_by_name("Initech").error().code, Errc::not_found);
  EXPECT_EQ(accounts->get_org(OrgId{999}).error().code, Errc::not_found);
  auto dup = accounts->create_org("Acme", kT0);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Errc::conflict);
  auto all = accounts->list_orgs();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "Acme");
  EXPECT_EQ((*all)[1].name, "Globex");
}

TEST_P(AccountStoreTest, UserRoundTripsEveryField) {
  UserAccount in{{},
                 acme,
                 "alice@acme",
                 "Alice A.",
                 RoleSet{Role::admin, Role::supervisor},
                 "$argon2id$v=19$m=65536,t=2,p=1$abc$def",
                 true,
                 kT0 + Millis{5}};
  in.id = UserId{12345};  // ignored: the store assigns ids
  auto created = accounts->create_user(in);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_NE(created->id, UserId{12345});
  auto got = accounts->get_user(acme, created->id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, created->id);
  EXPECT_EQ(got->org_id, acme);
  EXPECT_EQ(got->username, in.username);
  EXPECT_EQ(got->display_name, in.display_name);
  EXPECT_EQ(got->roles, in.roles);
  EXPECT_EQ(got->password_hash, in.password_hash);
  EXPECT_TRUE(got->disabled);
  EXPECT_EQ(got->created_at, in.created_at);
  EXPECT_EQ(accounts->find_user_by_username("alice@acme").value().id, created->id);
  EXPECT_EQ(accounts->find_user_by_username("Alice@acme").error().code, Errc::not_found)
      << "usernames compare exactly";
}

TEST_P(AccountStoreTest, ListUpdateAndDeleteUsers) {
  auto a = add_user(acme, "a");
  auto b = add_user(acme, "b");
  add_user(globex, "g");
  auto listed = accounts->list_users(acme);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].username, "a");
  EXPECT_EQ((*listed)[1].username, "b");

  UserAccount change = b;
  change.display_name = "Bee";
  change.roles = RoleSet{Role::supervisor};
  change.password_hash = "h$new";
  change.disabled = true;
  change.username = "renamed";            // not replaced by update_user
  change.created_at = kT0 + Millis{999};  // nor this
  auto updated = accounts->update_user(acme, change);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->display_name, "Bee");
  EXPECT_EQ(updated->username, "b");
  EXPECT_EQ(updated->created_at, kT0);
  auto reread = accounts->get_user(acme, b.id).value();
  EXPECT_EQ(reread.roles, RoleSet{Role::supervisor});
  EXPECT_EQ(reread.password_hash, "h$new");
  EXPECT_TRUE(reread.disabled);

  ASSERT_TRUE(accounts->delete_user(acme, a.id));
  EXPECT_EQ(accounts->get_user(acme, a.id).error().code, Errc::not_found);
  EXPECT_EQ(accounts->delete_user(acme, a.id).error().code, Errc::not_found);
  EXPECT_EQ(accounts->list_users(acme).value().size(), 1u);
}

TEST_P(AccountStoreTest, UsernameIsUniqueAcrossOrganisations) {
  add_user(acme, "sam");
  auto again = accounts->create_user(make_user(globex, "sam"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::conflict);
  EXPECT_EQ(accounts->list_users(globex).value().size(), 0u);
}

TEST_P(AccountStoreTest, UserInMissingOrganisationIsNotFound) {
  auto u = accounts->create_user(make_user(OrgId{4242}, "nobody"));
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().code, Errc::not_found);
}

TEST_P(AccountStoreTest, AnotherOrganisationsUserIsNeverReachable) {
  auto g = add_user(globex, "gina");
  EXPECT_EQ(accounts->get_user(acme, g.id).error().code, Errc::not_found);
  UserAccount hijack = g;
  hijack.password_hash = "h$attacker";
  hijack.roles = RoleSet{Role::admin};
  EXPECT_EQ(accounts->update_user(acme, hijack).error().code, Errc::not_found);
  EXPECT_EQ(accounts->delete_user(acme, g.id).error().code, Errc::not_found);
  auto intact = accounts->get_user(globex, g.id);
  ASSERT_TRUE(intact);
  EXPECT_EQ(intact->password_hash, "h$gina");
  EXPECT_EQ(intact->roles, RoleSet{Role::agent});
  const auto acme_users = accounts->list_users(acme).value();
  for (const auto& u : acme_users) EXPECT_NE(u.id, g.id);
}

TEST_P(AccountStoreTest, SessionsArePutFoundExpiredAndDeleted) {
  auto u = add_user(acme, "u");
  const AuthSession s{"hash-1", u.id, acme, "csrf-1", kT0, kT0 + Millis{60'000}};
  ASSERT_TRUE(accounts->put_session(s));
  auto found = accounts->find_session("hash-1", kT0 + Millis{59'999});
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->user_id, u.id);
  EXPECT_EQ(found->org_id, acme);
  EXPECT_EQ(found->csrf_token, "csrf-1");
  EXPECT_EQ(found->created_at, kT0);
  EXPECT_EQ(found->expires_at, s.expires_at);
  EXPECT_EQ(accounts->find_session("hash-1", s.expires_at).error().code, Errc::not_found)
      << "expired at expires_at";
  EXPECT_EQ(accounts->find_session("nope", kT0).error().code, Errc::not_found);

  // Put replaces a session with the same hash.
  AuthSession longer = s;
  longer.expires_at = kT0 + Millis{120'000};
  ASSERT_TRUE(accounts->put_session(longer));
  EXPECT_TRUE(accounts->find_session("hash-1", kT0 + Millis{90'000}));

  ASSERT_TRUE(accounts->put_session({"hash-2", u.id, acme, "c", kT0, kT0 + Millis{10}}));
  ASSERT_TRUE(accounts->put_session({"hash-3", u.id, acme, "c", kT0, kT0 + Millis{20}}));
  EXPECT_EQ(accounts->delete_expired_sessions(kT0 + Millis{20}).value_or(-1), 2);
  EXPECT_EQ(accounts->delete_expired_sessions(kT0 + Millis{20}).value_or(-1), 0);
  EXPECT_TRUE(accounts->find_session("hash-1", kT0));

  ASSERT_TRUE(accounts->delete_session("hash-1"));
  EXPECT_FALSE(accounts->find_session("hash-1", kT0));
  EXPECT_TRUE(accounts->delete_session("hash-1")) << "deleting an absent session is fine";
}

TEST_P(AccountStoreTest, SessionMustMatchItsUsersOrganisation) {
  auto u = add_user(acme, "u");
  auto wrong_org = accounts->put_session({"h", u.id, globex, "c", kT0, kT0 + Millis{10}});
  ASSERT_FALSE(wrong_org);
  EXPECT_EQ(wrong_org.error().code, Errc::not_found);
  auto no_user = accounts->put_session({"h", UserId{777}, acme, "c", kT0, kT0 + Millis{10}});
  ASSERT_FALSE(no_user);
  EXPECT_EQ(no_user.error().code, Errc::not_found);
}

TEST_P(AccountStoreTest, DeletingAUserDeletesItsSessionsOnly) {
  auto u = add_user(acme, "u");
  auto v = add_user(acme, "v");
  ASSERT_TRUE(accounts->put_session({"hu1", u.id, acme, "c", kT0, kT0 + Millis{1000}}));
  ASSERT_TRUE(accounts->put_session({"hu2", u.id, acme, "c", kT0, kT0 + Millis{1000}}));
  ASSERT_TRUE(accounts->put_session({"hv", v.id, acme, "c", kT0, kT0 + Millis{1000}}));
  ASSERT_TRUE(accounts->delete_user(acme, u.id));
  EXPECT_FALSE(accounts->find_session("hu1", kT0));
  EXPECT_FALSE(accounts->find_session("hu2", kT0));
  EXPECT_TRUE(accounts->find_session("hv", kT0));
}

TEST_P(AccountStoreTest, LoginFailuresAreRecordedCountedAndCleared) {
  const std::string key = "user:alice";
  EXPECT_EQ(accounts->count_login_failures(key, kT0).value_or(-1), 0);
  EXPECT_EQ(accounts->last_login_failure(key).value(), std::nullopt);
  ASSERT_TRUE(accounts->record_login_failure(key, kT0 + Millis{30}));
  ASSERT_TRUE(accounts->record_login_failure(key, kT0 + Millis{10}));
  ASSERT_TRUE(accounts->record_login_failure(key, kT0 + Millis{20}));
  ASSERT_TRUE(accounts->record_login_failure("ip:127.0.0.1", kT0 + Millis{99}));
  EXPECT_EQ(accounts->count_login_failures(key, kT0).value_or(-1), 3);
  EXPECT_EQ(accounts->count_login_failures(key, kT0 + Millis{20}).value_or(-1), 2)
      << "at or after since";
  EXPECT_EQ(accounts->count_login_failures(key, kT0 + Millis{31}).value_or(-1), 0);
  EXPECT_EQ(accounts->last_login_failure(key).value(), kT0 + Millis{30});
  ASSERT_TRUE(accounts->clear_login_failures(key));
  EXPECT_EQ(accounts->count_login_failures(key, kT0).value_or(-1), 0);
  EXPECT_EQ(accounts->last_login_failure(key).value(), std::nullopt);
  EXPECT_EQ(accounts->count_login_failures("ip:127.0.0.1", kT0).value_or(-1), 1);
}

TEST_P(AccountStoreTest, OldLoginFailuresArePrunedAcrossKeys) {
  ASSERT_TRUE(accounts->record_login_failure("user:a", kT0 + Millis{10}));
  ASSERT_TRUE(accounts->record_login_failure("user:b", kT0 + Millis{20}));
  ASSERT_TRUE(accounts->record_login_failure("user:b", kT0 + Millis{40}));
  EXPECT_EQ(accounts->prune_login_failures(kT0 + Millis{30}).value_or(-1), 2);
  EXPECT_EQ(accounts->count_login_failures("user:a", kT0).value_or(-1), 0);
  EXPECT_EQ(accounts->count_login_failures("user:b", kT0).value_or(-1), 1);
  EXPECT_EQ(accounts->prune_login_failures(kT0 + Millis{30}).value_or(-1), 0);
}

TEST_P(AccountStoreTest, DataSurvivesReopening) {
  auto u = add_user(acme, "durable");
  ASSERT_TRUE(accounts->put_session({"hd", u.id, acme, "c", kT0, kT0 + Millis{1000}}));
  backend.close();
  ASSERT_EQ(backend.open(), "");
  auto& again = backend.stores().accounts();
  EXPECT_EQ(again.get_user(acme, u.id).value().username, "durable");
  EXPECT_TRUE(again.find_session("hd", kT0));
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountStoreTest, testing::kAllBackends, testing::backend_name);

}  // namespace
}  // namespace ccteams::store
