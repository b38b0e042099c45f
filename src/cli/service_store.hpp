#pragma once
// The runtime's store factory: the store `ccteams serve` runs on, chosen by [store] driver
// (SQLite, the embedded default of `ccteams demo` too, or PostgreSQL: docs/postgresql.md).
// Wiring code sees the Store and Stores ports only.

#include <memory>

#include "app/ports/store.hpp"
#include "cli/config.hpp"
#include "core/result.hpp"

namespace ccteams {
class PgStore;
class SqliteStore;
}  // namespace ccteams

namespace ccteams::cli {

// Thread-safety: store() and stores() as the ports say; open, claim_sole_instance and stop from
// one thread (the runtime's).
class ServiceStore {
 public:
  // Opens the configured store and applies its migrations. PostgreSQL: the password is read
  // from store.password_env or store.password_file here (never logged). Errors: those of the
  // store's open (unavailable: the database cannot be reached; conflict: its schema is newer
  // than this binary), invalid_input when the password cannot be read.
  static Result<std::unique_ptr<ServiceStore>> open(const StoreConfig& config);
  ~ServiceStore();
  ServiceStore(const ServiceStore&) = delete;
  ServiceStore& operator=(const ServiceStore&) = delete;

  // Before serving: one ccteams serve per PostgreSQL database until several instances share one
  // through leases (issue 16, a later part). PostgreSQL: takes a lock that a second instance
  // cannot take (conflict, naming the reason); SQLite: nothing to do (one file, one writer).
  Result<void> claim_sole_instance();

  Store& store();
  Stores& stores();
  // Runs what is queued and stops the store's threads (SqliteStore::stop, PgStore::stop).
  void stop();

 private:
  ServiceStore() = default;
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<PgStore> pg_;
};

}  // namespace ccteams::cli
