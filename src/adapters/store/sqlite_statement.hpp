#pragma once
// A prepared SQLite statement (STYLE §7: RAII for handles). Internal to adapters/store: app code
// never sees it. sqlite3.h stays out of this header; the driver types are only declared.
//
// Statements come from SqliteConnection::prepare(), which holds the database mutex; a Statement
// must not outlive the SqliteConnection it came from (it borrows the connection's handle and,
// usually, a cached sqlite3_stmt). Thread-safety: none of its own; the connection's lock covers it.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ccteams::store {

struct SqliteStmtFinalize {
  void operator()(sqlite3_stmt* stmt) const noexcept;
};
using SqliteStmtHandle = std::unique_ptr<sqlite3_stmt, SqliteStmtFinalize>;

class Statement {
 public:
  // Borrows a cached statement: on destruction it is reset, its bindings cleared and *in_use
  // set back to false so the cache can hand it out again.
  Statement(sqlite3_stmt* cached, bool* in_use) noexcept;
  // Owns a statement prepared outside the cache: finalized on destruction.
  explicit Statement(SqliteStmtHandle owned) noexcept;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQL. A failed bind (e.g. an index out of range, a bug) is
  // remembered and reported by the next step()/run(), so call sites can chain binds.
  // Text and blobs are copied by SQLite: the arguments need not outlive the call.
  Statement& bind_int64(int index, std::int64_t value);
  Statement& bind_text(int index, std::string_view value);
  Statement& bind_null(int index);
  Statement& bind_blob(int index, std::span<const std::uint8_t> value);
  // bind_text, or bind_null when value is nullopt.
  Statement& bind_optional_text(int index, const std::optional<std::string>& value);

  // true: a row is ready for the column readers; false: the statement has finished.
  // Errors: see sqlite_error() (conflict on a UNIQUE violation, unavailable when busy, ...).
  Result<bool> step();
  // Steps until the statement finishes, for statements whose rows (if any) are not needed.
  Result<void> run();
  // Ready to run again; bindings are kept (bind again to change them).
  void reset() noexcept;

  // Column readers, 0-based; valid only after step() returned true. A NULL reads as 0 / "".
  std::int64_t column_int64(int column) const;
  std::string column_text(int column) const;
  std::vector<std::uint8_t> column_blob(int column) const;
  bool column_is_null(int column) const;

 private:
  void release() noexcept;
  void remember(int rc);

  sqlite3_stmt* stmt_ = nullptr;
  bool* in_use_ = nullptr;  // set for cached statements
  bool owned_ = false;      // set for statements finalized by us
  int bind_rc_ = 0;         // SQLITE_OK, or the first failed bind's code
};

}  // namespace ccteams::store
