#pragma once
// SyncAccountStore on SQLite (schema: migrations/v7_sync_accounts.hpp).

#include "app/ports/sync_account_store.hpp"

namespace ccteams::store {

class SqliteDb;
class SqliteConnection;

// Implements the port's contract. Multi-statement writes (upsert, claim, delete of an org's
// data) run in one transaction; the token rotation is a single conditional UPDATE.
// Thread-safety: any thread; each call takes the database's lock, so each call is atomic.
class SqliteSyncAccountStore final : public SyncAccountStore {
 public:
  // db must outlive this store; it must be migrated to version 7 or later.
  explicit SqliteSyncAccountStore(SqliteDb& db) : db_(db) {}

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
  Result<void> explain_no_change(SqliteConnection& conn, OrgId org, SyncAccountId id);

  SqliteDb& db_;
};

}  // namespace ccteams::store
