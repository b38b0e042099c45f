// The sync-account store on every backend (SQLite and PostgreSQL): one row per (org, oid),
// replaced on re-add; the token rotation is a compare-and-swap; pending sign-ins are claimed
// once; an org's data goes in one call and never leaks into another org.
#include <gtest/gtest.h>

#include "adapters/store/store_backends_test_support.hpp"

namespace ccteams::store {
namespace {

using testing::StoreBackend;

const Timestamp kT0 = from_unix_millis(1'790'000'000'000);

class SyncAccountStoreTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    ASSERT_EQ(backend_.open(), "");
    store_ = &backend_.stores().sync_accounts();
    org_ = backend_.stores().accounts().create_org("A", kT0)->id;
    other_ = backend_.stores().accounts().create_org("B", kT0)->id;
  }

  SyncAccount account(OrgId org, const std::string& oid, const std::string& sealed) const {
    SyncAccount a;
    a.org = org;
    a.tenant_id = "tid-1";
    a.oid = oid;
    a.upn = oid + "@contoso.example";
    a.display_name = "Sync " + oid;
    a.sealed_refresh_token = sealed;
    a.last_refreshed_at = kT0;
    a.added_by = UserId{3};
    a.added_at = kT0;
    return a;
  }

  PendingSignIn sign_in(const std::string& digest) const {
    return PendingSignIn{
        digest, org_, UserId{3}, "sess", "v1.sealed", kT0, kT0 + std::chrono::minutes(10), false};
  }

  testing::BackendStore backend_{GetParam()};
  SyncAccountStore* store_ = nullptr;
  OrgId org_, other_;
};

TEST_P(SyncAccountStoreTest, AddsListsAndReplacesByOid) {
  auto first = store_->upsert_account(account(org_, "b", "s1"));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(first->replaced);
  EXPECT_GT(first->account.id.value, 0);
  ASSERT_TRUE(store_->upsert_account(account(org_, "a", "s2")));

  auto again = account(org_, "b", "s3");
  again.upn = "renamed@contoso.example";
  auto replaced = store_->upsert_account(again);
  ASSERT_TRUE(replaced);
  EXPECT_TRUE(replaced->replaced);
  EXPECT_EQ(replaced->account.id, first->account.id);
  EXPECT_EQ(replaced->account.sealed_refresh_token, "s3");

  auto list = store_->list_accounts(org_);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].upn, "a@contoso.example");  // ordered by UPN
  EXPECT_EQ((*list)[1].upn, "renamed@contoso.example");
  EXPECT_EQ((*list)[1].last_refreshed_at, kT0);
  EXPECT_TRUE(store_->list_accounts(other_)->empty());
}

TEST_P(SyncAccountStoreTest, AnotherOrgsAccountIsNotFound) {
  auto a = store_->upsert_account(account(org_, "a", "s1"));
  ASSERT_TRUE(a);
  const auto id = a->account.id;
  EXPECT_EQ(store_->get_account(other_, id).error().code, Errc::not_found);
  EXPECT_EQ(store_->delete_account(other_, id).error().code, Errc::not_found);
  EXPECT_EQ(store_->rotate_refresh_token(other_, id, "s1", "s2", kT0).error().code,
            Errc::not_found);
  ASSERT_TRUE(store_->delete_account(org_, id));
  EXPECT_EQ(store_->get_account(org_, id).error().code, Errc::not_found);
  EXPECT_EQ(store_->upsert_account(account(OrgId{999}, "x", "s")).error().code, Errc::not_found);
}

TEST_P(SyncAccountStoreTest, RotationIsACompareAndSwap) {
  auto a = store_->upsert_account(account(org_, "a", "s1"));
  ASSERT_TRUE(a);
  const auto id = a->account.id;
  ASSERT_TRUE(store_->mark_failed(org_, id, "s1", "expired"));
  EXPECT_EQ(store_->get_account(org_, id)->token_state, SyncTokenState::failed);
  EXPECT_EQ(store_->get_account(org_, id)->last_error, "expired");

  const auto later = kT0 + std::chrono::hours(1);
  ASSERT_TRUE(store_->rotate_refresh_token(org_, id, "s1", "s2", later));
  auto now = store_->get_account(org_, id);
  EXPECT_EQ(now->sealed_refresh_token, "s2");
  EXPECT_EQ(now->token_state, SyncTokenState::healthy);
  EXPECT_EQ(now->last_error, "");
  EXPECT_EQ(now->last_refreshed_at, later);
  // The old token lost the race: neither its rotation nor its failure is stored.
  EXPECT_EQ(store_->rotate_refresh_token(org_, id, "s1", "s9", later).error().code, Errc::conflict);
  EXPECT_EQ(store_->mark_failed(org_, id, "s1", "late").error().code, Errc::conflict);
  EXPECT_EQ(store_->get_account(org_, id)->sealed_refresh_token, "s2");
}

TEST_P(SyncAccountStoreTest, SignInsAreClaimedOnceAndPruned) {
  ASSERT_TRUE(store_->put_sign_in(sign_in("d1")));
  EXPECT_EQ(store_->put_sign_in(sign_in("d1")).error().code, Errc::conflict);
  auto first = store_->claim_sign_in("d1");
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->used);
  EXPECT_EQ(first->sealed_code_verifier, "v1.sealed");
  EXPECT_EQ(first->expires_at, kT0 + std::chrono::minutes(10));
  EXPECT_TRUE(store_->claim_sign_in("d1")->used);
  EXPECT_EQ(store_->claim_sign_in("nope").error().code, Errc::not_found);
  EXPECT_EQ(*store_->prune_sign_ins(kT0 + std::chrono::minutes(11)), 1);
  EXPECT_EQ(store_->claim_sign_in("d1").error().code, Errc::not_found);
}

TEST_P(SyncAccountStoreTest, DeletingAnOrgsDataKeepsOtherOrgs) {
  ASSERT_TRUE(store_->upsert_account(account(org_, "a", "s1")));
  ASSERT_TRUE(store_->upsert_account(account(org_, "b", "s2")));
  ASSERT_TRUE(store_->upsert_account(account(other_, "a", "s3")));
  ASSERT_TRUE(store_->put_sign_in(sign_in("d1")));
  auto removed = store_->delete_org_data(org_);
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 2);
  EXPECT_TRUE(store_->list_accounts(org_)->empty());
  EXPECT_EQ(store_->list_accounts(other_)->size(), 1u);
  EXPECT_EQ(store_->claim_sign_in("d1").error().code, Errc::not_found);
}

INSTANTIATE_TEST_SUITE_P(Backends, SyncAccountStoreTest, testing::kAllBackends,
                         testing::backend_name);

}  // namespace
}  // namespace ccteams::store
