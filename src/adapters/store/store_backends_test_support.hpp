#pragma once
// The store tests that hold for every backend run once per backend (TEST_P): this opens the
// Store of a backend on fresh storage of its own, and can close and open it again on the same
// storage. Not part of the library: no .cpp.
//
//   struct AccountStoreTest : ::testing::TestWithParam<store::testing::StoreBackend> { ... };
//   INSTANTIATE_TEST_SUITE_P(Backends, AccountStoreTest, store::testing::kAllBackends,
//                            store::testing::backend_name);

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "adapters/pg/pg_presence_sync_inbox.hpp"
#include "adapters/pg/pg_store.hpp"
#include "adapters/pg/pg_test_support.hpp"
#include "adapters/store/sqlite_store.hpp"
#include "adapters/store/sqlite_test_support.hpp"

namespace ccteams::store::testing {

enum class StoreBackend { sqlite, postgresql };

inline const auto kAllBackends = ::testing::Values(StoreBackend::sqlite, StoreBackend::postgresql);

inline std::string backend_name(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param == StoreBackend::sqlite ? "sqlite" : "postgresql";
}

// Keeps the presence inbox's writer from writing until release() (or destruction), so that a
// test decides when a batch may commit and what queues meanwhile.
class InboxHold {
 public:
  virtual ~InboxHold() = default;
  virtual void release() = 0;
};

// SQLite: the database connection held on a thread of its own (a SqliteConnection cannot move).
class SqliteInboxHold final : public InboxHold {
 public:
  explicit SqliteInboxHold(SqliteDb& db) {
    std::promise<void> held;
    auto is_held = held.get_future();
    thread_ = std::thread([&db, &held, released = release_.get_future()]() mutable {
      auto conn = db.lock();
      held.set_value();
      released.wait();
    });
    is_held.wait();
  }
  ~SqliteInboxHold() override { release(); }
  void release() override {
    if (!thread_.joinable()) return;
    release_.set_value();
    thread_.join();
  }

 private:
  std::promise<void> release_;
  std::thread thread_;
};

// PostgreSQL: another session's transaction holds presence_inbox in EXCLUSIVE mode, which the
// writer's INSERT waits for (its BEGIN and the organisation check do not).
class PgInboxHold final : public InboxHold {
 public:
  explicit PgInboxHold(std::unique_ptr<PgDb> db) : db_(std::move(db)) {
    auto conn = db_->lock();
    auto r = conn.exec("BEGIN; LOCK TABLE presence_inbox IN EXCLUSIVE MODE");
    EXPECT_TRUE(r) << r.error().message;
  }
  ~PgInboxHold() override { release(); }
  void release() override {
    if (!db_) return;
    {
      auto conn = db_->lock();
      (void)conn.exec("ROLLBACK");
    }
    db_.reset();
  }

 private:
  std::unique_ptr<PgDb> db_;
};

class BackendStore {
 public:
  explicit BackendStore(StoreBackend backend) : backend_(backend) {
    if (backend_ == StoreBackend::postgresql) database_.emplace();
  }

  // Opens the store (fresh storage the first time, the same storage after close()). Returns ""
  // or what went wrong, for ASSERT_EQ(open(), ""). jobs_on_caller: every job runs on the
  // awaiting coroutine's own executor (tests on simulated time; both stores' option).
  std::string open(bool jobs_on_caller = false) {
    if (backend_ == StoreBackend::sqlite) {
      SqliteStoreOptions sqlite_options;
      sqlite_options.jobs_on_caller = jobs_on_caller;
      auto opened = SqliteStore::open(dir_.file("store.db"), sqlite_options);
      if (!opened) return opened.error().message;
      sqlite_ = std::move(*opened);
      return "";
    }
    if (!database_->error().empty()) return database_->error();
    PgStoreOptions options;
    options.conninfo = database_->conninfo();
    options.connections = 2;
    options.jobs_on_caller = jobs_on_caller;
    auto opened = PgStore::open(options);
    if (!opened) return opened.error().message;
    pg_ = std::move(*opened);
    return "";
  }

  void close() {
    sqlite_.reset();
    pg_.reset();
  }

  // Raw SQL on the backend's storage, for tests that reach past the ports (a cascade, a
  // constraint). Plain statements without parameters, valid in both dialects.
  // A single integer (COUNT), or -1 when the query fails or returns nothing.
  std::int64_t query_int(std::string_view sql) {
    if (sqlite_) return testing::query_int(sqlite_->db(), sql);
    auto db = raw_pg();
    return db ? pg_query_int(*db, sql) : -1;
  }
  // Runs a statement; the error is the backend's own (a constraint it breaks: conflict).
  Result<void> run_sql(std::string_view sql) {
    if (sqlite_) {
      auto conn = sqlite_->db().lock();
      return conn.exec(sql);
    }
    auto db = raw_pg();
    if (!db) return make_error(Errc::unavailable, "no connection to the test database");
    auto conn = db->lock();
    return conn.exec(sql);
  }
  // Runs a statement; "" or what went wrong.
  std::string exec(std::string_view sql) {
    auto r = run_sql(sql);
    return r ? "" : r.error().message;
  }

  Store& store() {
    if (sqlite_) return *sqlite_;
    return *pg_;
  }
  Stores& stores() {
    if (sqlite_) return *sqlite_;
    return *pg_;
  }
  StoreBackend backend() const { return backend_; }

  // The presence inbox's group commit, on either backend: its counters and a hold on its
  // writer (both stores count the same way: sqlite_presence_sync_store.hpp).
  std::uint64_t inbox_commits() {
    return sqlite_ ? sqlite_->presence_sync().commits() : pg_->inbox_writer().commits();
  }
  std::uint64_t inbox_submitted() {
    return sqlite_ ? sqlite_->presence_sync().submitted() : pg_->inbox_writer().submitted();
  }
  std::uint64_t inbox_appended() {
    return sqlite_ ? sqlite_->presence_sync().appended() : pg_->inbox_writer().appended();
  }
  std::unique_ptr<InboxHold> hold_inbox() {
    if (sqlite_) return std::make_unique<SqliteInboxHold>(sqlite_->db());
    return std::make_unique<PgInboxHold>(raw_pg());
  }
  // The SQLite store itself, or null on PostgreSQL (what only SQLite has: its sync mode).
  SqliteStore* sqlite() { return sqlite_.get(); }

 private:
  std::unique_ptr<PgDb> raw_pg() {
    auto db = PgDb::open(database_->conninfo());
    return db ? std::move(*db) : nullptr;
  }

  StoreBackend backend_;
  TempDir dir_;
  std::optional<PgTestDatabase> database_;
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<PgStore> pg_;
};

}  // namespace ccteams::store::testing
