#pragma once
// Versioned schema migrations for the SQLite store. The schema version lives in the database
// header (PRAGMA user_version). Internal to adapters/store.
//
// Adding a migration: append {N+1, "name", kSql} to the list in sqlite_migrations.cpp. Never
// edit or reorder a migration that has shipped: databases in the field are already past it.
// A migration's SQL runs inside a transaction the runner opens, with foreign_keys ON: it must
// not contain BEGIN/COMMIT, and a table rebuild (SQLite's ALTER workaround) should use
// PRAGMA defer_foreign_keys = ON rather than switching foreign keys off.

#include <span>
#include <string_view>

#include "core/result.hpp"

namespace ccteams::store {

class SqliteDb;

struct Migration {
  int version;            // 1, 2, 3, ... with no gaps, in list order
  std::string_view name;  // for messages: "accounts", "auth sessions"
  std::string_view sql;   // one or more statements; DDL and data fixes, no bound values
};

// The migrations this binary knows, oldest first.
std::span<const Migration> sqlite_migrations();

// The newest version in migrations (0 for an empty list).
int latest_version(std::span<const Migration> migrations);

// The database's schema version (0 for a new database).
Result<int> read_schema_version(SqliteDb& db);

// Brings the database up to latest_version(migrations) and returns the version it is at.
// Each migration runs in its own transaction together with its user_version bump, so a failing
// one leaves the database exactly at the previous version; those before it stay applied.
// The version is re-read inside each transaction, so two processes starting at once do not
// apply a migration twice. Thread-safety: takes db's lock per migration.
// Errors:
//   conflict  the database is newer than the list knows; nothing is changed:
//             "database schema version 7 is newer than this ccteams (knows up to 2); ..."
//   internal  the list is malformed (versions not 1..N in order), or a migration failed
//             ("migration 3 (agents) failed: ...")
//   unavailable  another process held the write lock past the busy timeout
Result<int> apply_migrations(SqliteDb& db, std::span<const Migration> migrations);

}  // namespace ccteams::store
