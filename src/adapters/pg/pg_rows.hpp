#pragma once
// Small row-reading helpers shared by the PostgreSQL stores (internal), as sqlite_rows.hpp.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/pg/pg_db.hpp"
#include "core/result.hpp"

namespace ccteams::store {

// The first row of rows read with read(rows, 0); `missing` when there is none.
template <class Read>
auto pg_one_row(const Result<PgRows>& rows, Read read, const Error& missing)
    -> Result<decltype(read(*rows, 0))> {
  if (!rows) return rows.error();
  if (rows->empty()) return missing;
  return read(*rows, 0);
}

template <class Read>
auto pg_all_rows(const Result<PgRows>& rows, Read read)
    -> Result<std::vector<decltype(read(*rows, 0))>> {
  if (!rows) return rows.error();
  std::vector<decltype(read(*rows, 0))> out;
  out.reserve(static_cast<std::size_t>(rows->size()));
  for (int r = 0; r < rows->size(); ++r) out.push_back(read(*rows, r));
  return out;
}

// Rows changed, or the error.
inline Result<int> pg_affected(const Result<PgRows>& rows) {
  if (!rows) return rows.error();
  return rows->affected();
}

inline Result<void> pg_done(const Result<PgRows>& rows) {
  if (!rows) return rows.error();
  return ok();
}

// Runs an existence query taking ($1 org, $2 id) on conn; true when it returns a row.
inline Result<bool> pg_row_exists(PgConnection& conn, std::string_view query, std::int64_t org,
                                  std::int64_t id) {
  auto rows = conn.query(query, {org, id});
  if (!rows) return std::move(rows).error();
  return !rows->empty();
}

// PostgreSQL array literals, for one parameter that carries many values ($1::bigint[]).
inline std::string pg_int_array(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(values[i]);
  }
  out += '}';
  return out;
}
// Each element quoted, backslash and double quote escaped: any text (a JSON body) passes as is.
inline std::string pg_text_array(const std::vector<std::string_view>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char ch : values[i]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace ccteams::store
