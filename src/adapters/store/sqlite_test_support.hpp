#pragma once
// Test helpers for the SQLite store tests (not part of the library: no .cpp).

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>

#include "adapters/store/sqlite_db.hpp"

namespace ccteams::store::testing {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::temp_directory_path() /
            ("ccteams-store-test-" + std::to_string(::getpid()) + "-" + std::to_string(stamp) +
             "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;  // best effort: a leftover temp dir must not fail the test
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Runs a single-row, single-column integer query; -1 when it fails or returns nothing.
inline std::int64_t query_int(SqliteDb& db, std::string_view sql) {
  auto conn = db.lock();
  auto st = conn.prepare(sql);
  if (!st) return -1;
  auto row = st->step();
  if (!row || !*row) return -1;
  return st->column_int64(0);
}

// 1 when a table (or index) of that name exists.
inline std::int64_t object_exists(SqliteDb& db, const std::string& name) {
  auto conn = db.lock();
  auto st = conn.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = ?1");
  if (!st) return -1;
  st->bind_text(1, name);
  auto row = st->step();
  if (!row || !*row) return -1;
  return st->column_int64(0);
}

}  // namespace ccteams::store::testing
