#pragma once
// Test helpers for the PostgreSQL store tests (not part of the library: no .cpp). The tests need
// the throw-away cluster of scripts/pg-test-cluster.sh, which scripts/test.sh starts; without
// CCTEAMS_TEST_PG_DSN they fail (never skip) and say how to get one.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include "adapters/pg/pg_db.hpp"

namespace ccteams::store::testing {

inline constexpr const char* kPgDsnVariable = "CCTEAMS_TEST_PG_DSN";

inline std::string pg_missing_cluster_message() {
  return std::string(kPgDsnVariable) +
         " is not set: the PostgreSQL store tests need a throw-away cluster. Run them through "
         "scripts/test.sh, or start one with `eval \"$(scripts/pg-test-cluster.sh start)\"` "
         "(stop it with `scripts/pg-test-cluster.sh stop`).";
}

// A database of its own in the test cluster, created empty from template0 and dropped (with any
// connection left to it) on destruction: tests stay independent and may run in parallel.
class PgTestDatabase {
 public:
  PgTestDatabase() {
    const char* dsn = std::getenv(kPgDsnVariable);
    if (dsn == nullptr || *dsn == '\0') {
      error_ = pg_missing_cluster_message();
      return;
    }
    base_ = dsn;
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count() % 1'000'000;
    name_ = "cct_" + std::to_string(::getpid()) + "_" + std::to_string(stamp) + "_" +
            std::to_string(counter++);
    auto admin = PgDb::open(base_);
    if (!admin) {
      error_ = "cannot reach the test cluster (" + std::string(kPgDsnVariable) +
               "): " + admin.error().message;
      return;
    }
    auto conn = (*admin)->lock();
    // The name is ours (pid, clock, counter), never input.
    if (auto r = conn.exec("CREATE DATABASE " + name_ + " TEMPLATE template0"); !r) {
      error_ = "CREATE DATABASE failed: " + r.error().message;
      return;
    }
    conninfo_ = base_ + " dbname=" + name_;  // the last dbname wins
  }
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;
  ~PgTestDatabase() {
    if (conninfo_.empty()) return;
    auto admin = PgDb::open(base_);
    if (!admin) return;  // best effort: the cluster is thrown away after the run anyway
    auto conn = (*admin)->lock();
    (void)conn.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }

  // Empty when the database could not be made; error() says why.
  const std::string& conninfo() const { return conninfo_; }
  const std::string& error() const { return error_; }

 private:
  std::string base_;
  std::string name_;
  std::string conninfo_;
  std::string error_;
};

// Runs a single-row, single-column integer query; -1 when it fails or returns nothing.
inline std::int64_t pg_query_int(PgDb& db, std::string_view sql) {
  auto conn = db.lock();
  auto rows = conn.query(sql);
  if (!rows || rows->empty() || rows->is_null(0, 0)) return -1;
  return rows->int64(0, 0);
}

}  // namespace ccteams::store::testing
