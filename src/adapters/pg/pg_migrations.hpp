#pragma once
// Versioned schema migrations for the PostgreSQL store: the same idea as sqlite_migrations.hpp
// (a list numbered 1..N, each applied once in its own transaction), in PostgreSQL's dialect.
// The version lives in a one-row table `schema_version`. Internal to adapters/pg.
//
// The list is its own: PostgreSQL has no databases in the field that went through SQLite's
// history, so version 1 creates at once what SQLite reached in several steps. The tables keep
// SQLite's columns and units (times as unix milliseconds in bigint, ids as bigint identity), so
// a domain store maps rows exactly as its SQLite twin does. Adding a migration: append
// {N+1, "name", kSql}; never edit or reorder one that has shipped.

#include <span>

#include "adapters/store/sqlite_migrations.hpp"  // store::Migration, latest_version
#include "core/result.hpp"

namespace ccteams::store {

class PgDb;

// The migrations this binary knows for PostgreSQL, oldest first.
std::span<const Migration> pg_migrations();

// The database's schema version (0 for a database without the schema_version table).
Result<int> read_pg_schema_version(PgDb& db);

// Brings the database up to latest_version(migrations); returns the version it is at. Each
// migration runs in its own transaction with its version bump, under a transaction-scoped
// advisory lock, so instances starting at once apply each migration exactly once and a failing
// one leaves the database at the previous version.
// Errors: conflict (the database is newer than the list: nothing is changed), internal (the list
// is malformed, or a migration failed: "migration 3 (agents) failed: ..."), unavailable (the
// database cannot be reached).
Result<int> apply_pg_migrations(PgDb& db, std::span<const Migration> migrations);

}  // namespace ccteams::store
