#pragma once
// SyncAccountStore on PostgreSQL (schema: PostgreSQL migration 2), the twin of
// SqliteSyncAccountStore: the same contract, the same rows.

#include "app/ports/sync_account_store.hpp"

namespace ccteams::store {

class PgDb;
class PgConnection;

// Implements the port's contract. Multi-statement writes (upsert, claim, delete of an org's
// data) run in one transaction; the token rotation is a single conditional UPDATE; a claim
// locks its row, so it happens once even on a connection outside a serializable job.
// Thread-safety: any thread; each call takes the connection's lock.
class PgSyncAccountStore final : public SyncAccountStore {
 public:
  // db must outlive this store and be migrated.
  explicit PgSyncAccountStore(PgDb& db) : db_(db) {}

  // SyncAccountStore
  Result<SyncAccountUpsert> upsert_account(const SyncAccount& account) override;
  Result<std::vector<SyncAccount>> list_accounts(OrgId org) override;
  Result<SyncAccount> get_account(OrgId org, SyncAccountId id) override;
  Result<void> delete_account(OrgId org, SyncAccountId id) override;
  Result<void> rotate_refresh_token(OrgId org, SyncAccountId id, const std::string& expected_sealed,
                                    const std::string& new_sealed, Timestamp at) override;
  Result<void> mark_failed(OrgId org, SyncAccountId id, const std::string& expected_sealed,
                           const std::string& reason) override;
  Result<int> delete_org_data(OrgId org) override;
  Result<void> put_sign_in(const PendingSignIn& sign_in) override;
  Result<PendingSignIn> claim_sign_in(const std::string& state_digest) override;
  Result<int> prune_sign_ins(Timestamp before) override;

 private:
  // A conditional UPDATE (rotate, mark failed) that changed nothing: conflict or not_found.
  Result<void> explain_no_change(PgConnection& conn, OrgId org, SyncAccountId id);

  PgDb& db_;
};

}  // namespace ccteams::store
