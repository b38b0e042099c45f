#pragma once
// The store tests that hold for every backend run once per backend (TEST_P): this opens the
// Store of a backend on fresh storage of its own, and can close and open it again on the same
// storage. Not part of the library: no .cpp.
//
//   struct AccountStoreTest : ::testing::TestWithParam<store::testing::StoreBackend> { ... };
//   INSTANTIATE_TEST_SUITE_P(Backends, AccountStoreTest, store::testing::kAllBackends,
//                            store::testing::backend_name);

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

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

class BackendStore {
 public:
  explicit BackendStore(StoreBackend backend) : backend_(backend) {
    if (backend_ == StoreBackend::postgresql) database_.emplace();
  }

  // Opens the store (fresh storage the first time, the same storage after close()). Returns ""
  // or what went wrong, for ASSERT_EQ(open(), "").
  std::string open() {
    if (backend_ == StoreBackend::sqlite) {
      auto opened = SqliteStore::open(dir_.file("store.db"));
      if (!opened) return opened.error().message;
      sqlite_ = std::move(*opened);
      return "";
    }
    if (!database_->error().empty()) return database_->error();
    PgStoreOptions options;
    options.conninfo = database_->conninfo();
    options.connections = 2;
    auto opened = PgStore::open(options);
    if (!opened) return opened.error().message;
    pg_ = std::move(*opened);
    return "";
  }

  void close() {
    sqlite_.reset();
    pg_.reset();
  }

  Store& store() {
    if (sqlite_) return *sqlite_;
    return *pg_;
  }
  Stores& stores() {
    if (sqlite_) return *sqlite_;
    return *pg_;
  }

 private:
  StoreBackend backend_;
  TempDir dir_;
  std::optional<PgTestDatabase> database_;
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<PgStore> pg_;
};

}  // namespace ccteams::store::testing
