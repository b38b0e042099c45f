#include "adapters/store/sqlite_store.hpp"

#include "adapters/store/sqlite_account_store.hpp"
#include "adapters/store/sqlite_sync_account_store.hpp"

namespace ccteams {
namespace {

constexpr std::string_view kPing = "SELECT 1";

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<store::SqliteDb> db, int schema_version)
    : db_(std::move(db)),
      schema_version_(schema_version),
      accounts_(std::make_unique<store::SqliteAccountStore>(*db_)),
      sync_accounts_(std::make_unique<store::SqliteSyncAccountStore>(*db_)) {}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       const SqliteStoreOptions& options) {
  auto db = store::SqliteDb::open(path, options.db);
  if (!db) return std::move(db).error();
  auto version = store::apply_migrations(**db, options.migrations);
  if (!version) return std::move(version).error();
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*db), *version));
}

AccountStore& SqliteStore::accounts() { return *accounts_; }

SyncAccountStore& SqliteStore::sync_accounts() { return *sync_accounts_; }

Result<void> SqliteStore::ping() {
  auto conn = db_->lock();
  auto st = conn.prepare(kPing);
  if (!st) return std::move(st).error();
  return st->run();
}

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path) {
  auto opened = SqliteStore::open(path);
  if (!opened) return std::move(opened).error();
  return std::unique_ptr<Store>(std::move(*opened));
}

}  // namespace ccteams
