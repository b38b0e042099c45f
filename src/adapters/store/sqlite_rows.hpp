#pragma once
// Small row-reading helpers shared by the SQLite stores of adapters/store (internal).

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/store/sqlite_statement.hpp"
#include "core/result.hpp"

namespace ccteams::store {

// Runs a query expected to return at most one row and reads it with read; `missing` when none.
template <class Read>
auto read_one_row(Statement& st, Read read, const Error& missing) -> Result<decltype(read(st))> {
  auto row = st.step();
  if (!row) return std::move(row).error();
  if (!*row) return missing;
  return read(st);
}

template <class Read>
auto read_all_rows(Statement& st, Read read) -> Result<std::vector<decltype(read(st))>> {
  std::vector<decltype(read(st))> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    out.push_back(read(st));
  }
}

// True when the query returns a row.
inline Result<bool> has_row(Statement& st) { return st.step(); }

// Runs an existence query taking (?1 org, ?2 id) on conn; true when it returns a row.
template <class Connection>
Result<bool> row_exists(Connection& conn, std::string_view query, std::int64_t org,
                        std::int64_t id) {
  auto st = conn.prepare(query);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org).bind_int64(2, id);
  return has_row(*st);
}

inline std::optional<std::int64_t> column_optional_int64(const Statement& st, int column) {
  if (st.column_is_null(column)) return std::nullopt;
  return st.column_int64(column);
}

}  // namespace ccteams::store
