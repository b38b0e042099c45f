#pragma once
// DirectoryStore on SQLite (schema: migrations/v9_directory.hpp).

#include "app/ports/directory_store.hpp"

namespace ccteams::store {

class SqliteDb;

// Implements the port's contract; every call is one transaction.
// Thread-safety: any thread; each call takes the database's lock.
class SqliteDirectoryStore final : public DirectoryStore {
 public:
  // db must outlive this store; it must be migrated to version 9 or later.
  explicit SqliteDirectoryStore(SqliteDb& db) : db_(db) {}

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
  SqliteDb& db_;
};

}  // namespace ccteams::store
