#include "adapters/pg/pg_migrations.hpp"

#include <array>
#include <string>

#include "adapters/pg/pg_db.hpp"
#include "adapters/pg/pg_schema_accounts.hpp"
#include "adapters/pg/pg_schema_connector.hpp"
#include "adapters/pg/pg_schema_contact_center.hpp"
#include "adapters/pg/pg_schema_directory.hpp"
#include "adapters/pg/pg_schema_leases.hpp"
#include "adapters/pg/pg_schema_presence_sync.hpp"
#include "adapters/pg/pg_schema_sync_accounts.hpp"

namespace ccteams::store {
namespace {

constexpr std::array kMigrations{
    Migration{1, "accounts", kPgV1Accounts},
    Migration{2, "sync accounts", kPgV2SyncAccounts},
    Migration{3, "teams directory", kPgV3Directory},
    Migration{4, "idle codes", kPgV4IdleCodes},
    Migration{5, "teams connector", kPgV5TeamsConnector},
    Migration{6, "contact center", kPgV6ContactCenter},
    Migration{7, "presence sync", kPgV7PresenceSync},
    Migration{8, "own presence session mark", kPgV8OwnSessionMark},
    Migration{9, "organisation leases", kPgV9OrgLeases},
    Migration{10, "cluster instances", kPgV10ClusterInstances},
    Migration{11, "instance internal url", kPgV11InstanceInternalUrl},
};

// Any constant of our own: it serialises migration runners of every instance on one database.
constexpr std::string_view kLockMigrations = "SELECT pg_advisory_xact_lock(7263304945127355)";
constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)";
constexpr std::string_view kVersionTableExists = "SELECT to_regclass('schema_version') IS NOT NULL";
constexpr std::string_view kSelectVersion = "SELECT max(version) FROM schema_version";
constexpr std::string_view kDeleteVersion = "DELETE FROM schema_version";
constexpr std::string_view kInsertVersion = "INSERT INTO schema_version (version) VALUES ($1)";

Result<int> read_version(PgConnection& conn) {
  auto exists = conn.query(kVersionTableExists);
  if (!exists) return std::move(exists).error();
  if (!exists->boolean(0, 0)) return 0;
  auto rows = conn.query(kSelectVersion);
  if (!rows) return std::move(rows).error();
  return rows->is_null(0, 0) ? 0 : static_cast<int>(rows->int64(0, 0));
}

Result<void> validate(std::span<const Migration> migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return make_error(Errc::internal, "schema migrations must be numbered 1.." +
                                            std::to_string(migrations.size()) + " in order");
    }
  }
  return ok();
}

Error newer_than_known(int found, int known) {
  return make_error(Errc::conflict, "database schema version " + std::to_string(found) +
                                        " is newer than this ccteams (knows up to " +
                                        std::to_string(known) + "); upgrade ccteams");
}

// Applies m if the database is still below it. Returns the version the database is at.
Result<int> apply_one(PgDb& db, const Migration& m, int known) {
  auto conn = db.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  if (auto r = conn.query(kLockMigrations); !r) return std::move(r).error();
  auto current = read_version(conn);
  if (!current) return current;
  if (*current > known) return newer_than_known(*current, known);
  if (*current >= m.version) return *current;  // another instance got here first
  auto failed = [&](const Error& e) {
    return make_error(e.code == Errc::unavailable ? Errc::unavailable : Errc::internal,
                      "migration " + std::to_string(m.version) + " (" + std::string(m.name) +
                          ") failed: " + e.message,
                      e.retry_after_seconds);
  };
  if (auto r = conn.exec(kCreateVersionTable); !r) return failed(r.error());
  if (auto r = conn.exec(m.sql); !r) return failed(r.error());
  if (auto r = conn.query(kDeleteVersion); !r) return failed(r.error());
  if (auto r = conn.query(kInsertVersion, {m.version}); !r) return failed(r.error());
  if (auto r = tx->commit(); !r) return failed(r.error());
  return m.version;
}

}  // namespace

std::span<const Migration> pg_migrations() { return kMigrations; }

Result<int> read_pg_schema_version(PgDb& db) {
  auto conn = db.lock();
  return read_version(conn);
}

Result<int> apply_pg_migrations(PgDb& db, std::span<const Migration> migrations) {
  if (auto r = validate(migrations); !r) return std::move(r).error();
  const int known = latest_version(migrations);
  // Checked before any write so that a newer database is refused untouched.
  auto version = read_pg_schema_version(db);
  if (!version) return version;
  if (*version > known) return newer_than_known(*version, known);
  for (const Migration& m : migrations) {
    if (m.version <= *version) continue;
    auto applied = apply_one(db, m, known);
    if (!applied) return applied;
    version = *applied;
  }
  return version;
}

}  // namespace ccteams::store
