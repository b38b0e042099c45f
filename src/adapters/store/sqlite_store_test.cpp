#include "adapters/store/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "adapters/store/sqlite_test_support.hpp"

namespace ccteams {
namespace {

using store::testing::query_int;
using store::testing::TempDir;

constexpr Timestamp kT0{Millis{1'800'000'000'000}};

TEST(SqliteStore, OpensInMemoryAtTheLatestSchema) {
  auto s = open_sqlite_store(":memory:");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ((*s)->schema_version(), store::latest_version(store::sqlite_migrations()));
  EXPECT_TRUE((*s)->ping());
  EXPECT_TRUE((*s)->accounts().create_org("Acme", kT0));
}

TEST(SqliteStore, FileStoreRunsInWalMode) {
  TempDir dir;
  const std::string path = dir.file("ccteams.db");
  auto s = SqliteStore::open(path);
  ASSERT_TRUE(s) << s.error().message;
  {
    auto conn = (*s)->db().lock();
    auto st = conn.prepare("PRAGMA journal_mode");
    ASSERT_TRUE(st && st->step().value_or(false));
    EXPECT_EQ(st->column_text(0), "wal");
  }
  ASSERT_TRUE((*s)->accounts().create_org("Acme", kT0));
  EXPECT_TRUE(std::filesystem::exists(path + "-wal"));
  EXPECT_EQ(query_int((*s)->db(), "PRAGMA foreign_keys"), 1);
  EXPECT_TRUE((*s)->ping());
}

TEST(SqliteStore, UnopenablePathIsAnError) {
  TempDir dir;
  auto s = open_sqlite_store(dir.file("missing-dir/ccteams.db"));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::internal);
}

TEST(SqliteStore, ConcurrentWritersAndReadersAllSucceed) {
  TempDir dir;
  auto opened = SqliteStore::open(dir.file("ccteams.db"));
  ASSERT_TRUE(opened) << opened.error().message;
  auto& accounts = (*opened)->accounts();
  const OrgId org = accounts.create_org("Acme", kT0).value().id;
  constexpr int kThreads = 4;
  constexpr int kUsersEach = 25;
  std::vector<std::vector<UserId>> ids(kThreads);
  std::vector<int> failures(kThreads, 0);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kUsersEach; ++i) {
          const std::string name = "t" + std::to_string(t) + "u" + std::to_string(i);
          auto u = accounts.create_user(
              UserAccount{{}, org, name, name, RoleSet{Role::agent}, "h", false, kT0});
          if (!u) {
            ++failures[t];
            continue;
          }
          ids[t].push_back(u->id);
          // Interleave reads and session writes with the other threads' inserts.
          if (!accounts.get_user(org, u->id)) ++failures[t];
          if (!accounts.put_session({name, u->id, org, "c", kT0, kT0 + Millis{1000}})) {
            ++failures[t];
          }
          if (!accounts.list_users(org)) ++failures[t];
        }
      });
    }
  }
  std::set<UserId> unique;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(failures[t], 0) << "thread " << t;
    unique.insert(ids[t].begin(), ids[t].end());
  }
  EXPECT_EQ(unique.size(), std::size_t{kThreads * kUsersEach});
  EXPECT_EQ(accounts.list_users(org).value().size(), std::size_t{kThreads * kUsersEach});
  EXPECT_EQ(query_int((*opened)->db(), "SELECT COUNT(*) FROM auth_sessions"),
            kThreads * kUsersEach);
}

}  // namespace
}  // namespace ccteams
