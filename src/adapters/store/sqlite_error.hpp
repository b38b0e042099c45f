#pragma once
// The one place where SQLite result codes become ccteams errors (STYLE §4). Internal to
// adapters/store.

#include <string_view>

#include "core/result.hpp"

struct sqlite3;

namespace ccteams::store {

// Maps an SQLite (extended) result code to an Error:
//   SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY -> conflict
//   SQLITE_CONSTRAINT_FOREIGNKEY           -> conflict (callers that know better rename it)
//   SQLITE_BUSY / SQLITE_LOCKED            -> unavailable, retry_after_seconds = 1
//   anything else                          -> internal
// The message is "<what>: <sqlite3_errmsg>" when db is given, which names tables and columns
// but never the values bound to a statement.
Error sqlite_error(sqlite3* db, int rc, std::string_view what);

}  // namespace ccteams::store
