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
// conflict and unavailable reach clients as they are (409, 503), so their message is a fixed
// sentence and SQLite's text ("<what>: <sqlite3_errmsg>", which names tables, columns and
// file paths, never bound values) goes to the log (debug, warn). An internal error keeps it
// in the message: the HTTP layer logs it under a correlation id and never sends it.
Error sqlite_error(sqlite3* db, int rc, std::string_view what);

}  // namespace ccteams::store
