#include "adapters/store/sqlite_error.hpp"

#include <spdlog/spdlog.h>
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
      // SQLite's text names tables and columns; clients see a 409, so they get a sentence and
      // the operator's log gets the detail.
      spdlog::debug("store: {}", message);
      return make_error(Errc::conflict,
                        "the change conflicts with existing data (a duplicate, or a record "
                        "still in use)");
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      // busy_timeout already waited; the caller may try again shortly. The client sees a 503:
      // a sentence for it, the detail for the log.
      spdlog::warn("store: {}", message);
      return make_error(Errc::unavailable, "the database is busy; try again shortly", 1);
    default:
      // Shown to nobody but the log: an internal error reaches clients as a correlation id.
      return make_error(Errc::internal, std::move(message));
  }
}

}  // namespace ccteams::store
