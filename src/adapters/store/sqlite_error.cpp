#include "adapters/store/sqlite_error.hpp"

#include <sqlite3.h>

#include <string>

namespace ccteams::store {

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  // sqlite3_errmsg describes the most recent failure on db; fall back to the code's text when
  // there is no handle (e.g. open failed before one existed).
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_FOREIGNKEY:
    // ON DELETE RESTRICT is run by SQLite as an internal RAISE(ABORT) trigger, so a refused
    // delete of a still-referenced row reports the trigger code, not FOREIGNKEY.
    case SQLITE_CONSTRAINT_TRIGGER:
      return make_error(Errc::conflict, std::move(message));
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      // busy_timeout already waited; the caller may try again shortly.
      return make_error(Errc::unavailable, std::move(message), 1);
    default:
      return make_error(Errc::internal, std::move(message));
  }
}

}  // namespace ccteams::store
