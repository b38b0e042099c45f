#pragma once
// DirectoryStore on PostgreSQL (schema: PostgreSQL migration 3), the twin of
// SqliteDirectoryStore: the same contract, the same rows.

#include "app/ports/directory_store.hpp"

namespace ccteams::store {

class PgDb;

// Implements the port's contract; every call is one transaction (a savepoint inside a job).
// Thread-safety: any thread; each call takes the connection's lock.
class PgDirectoryStore final : public DirectoryStore {
 public:
  // db must outlive this store and be migrated.
  explicit PgDirectoryStore(PgDb& db) : db_(db) {}

  // DirectoryStore
  Result<void> replace_all(OrgId org, const std::vector<DirectoryUser>& users,
                           const DirectorySyncState& state) override;
  Result<void> apply_delta(OrgId org, const std::vector<DirectoryUser>& upserts,
                           const std::vector<std::string>& removed_ids,
                           const DirectorySyncState& state) override;
  Result<std::vector<DirectoryUser>> load_users(OrgId org) override;
  Result<std::optional<DirectorySyncState>> sync_state(OrgId org) override;
  Result<int> delete_org(OrgId org) override;

 private:
  PgDb& db_;
};

}  // namespace ccteams::store
