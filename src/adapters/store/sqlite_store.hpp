#pragma once
// The embedded store: every port on one SQLite database file (WAL journal). This header is all
// that wiring code needs; SQLite's own headers stay inside adapters/store.

#include <memory>
#include <span>
#include <string>

#include "adapters/store/sqlite_db.hpp"
#include "adapters/store/sqlite_migrations.hpp"
#include "app/ports/store.hpp"

namespace ccteams {

namespace store {
class SqliteAccountStore;
}  // namespace store
// Sync accounts (issue 4): the store's own port, reached from the wiring through this accessor.
class SyncAccountStore;

struct SqliteStoreOptions {
  store::SqliteOptions db;
  // The schema to bring the database to. Production uses the built-in list, which accounts()
  // needs in full; tests inject shorter or broken lists to exercise the migration runner.
  std::span<const store::Migration> migrations = store::sqlite_migrations();
};

// Thread-safety: every method may be called from any thread (the stores share one connection
// guarded by SqliteDb's mutex).
class SqliteStore final : public Store {
 public:
  // Opens the database at path (":memory:" for a private in-memory one; the parent directory
  // must exist) and applies the missing migrations. Errors: those of SqliteDb::open and
  // store::apply_migrations, among them conflict when the database's schema is newer than
  // this binary knows (the database is then left untouched).
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   const SqliteStoreOptions& options = {});
  ~SqliteStore() override;

  // Store
  AccountStore& accounts() override;
  Result<void> ping() override;
  int schema_version() const override { return schema_version_; }

  // The shared connection, for further SQLite-backed stores in adapters/store (they keep a
  // SqliteDb& and are owned by this class, like accounts()). Never null, owned by this.
  store::SqliteDb& db() { return *db_; }

  // Presence sync accounts (migration v7). Never null, owned by this.
  SyncAccountStore& sync_accounts();

 private:
  SqliteStore(std::unique_ptr<store::SqliteDb> db, int schema_version);

  std::unique_ptr<store::SqliteDb> db_;  // declared first: the stores below refer to it
  int schema_version_;
  std::unique_ptr<store::SqliteAccountStore> accounts_;
  std::unique_ptr<SyncAccountStore> sync_accounts_;
};

// The production entry point: SqliteStore::open(path) with the built-in schema, as the Store
// port. path: a file in an existing directory, or ":memory:" (tests).
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path);

}  // namespace ccteams
