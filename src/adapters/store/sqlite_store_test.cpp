#include "adapters/store/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <set>
#include <thread>
#include <vector>

#include "adapters/store/sqlite_test_support.hpp"
#include "app/testing/run_awaitable.hpp"

namespace ccteams {
namespace {

using store::testing::query_int;
using store::testing::TempDir;

constexpr Timestamp kT0{Millis{1'800'000'000'000}};

TEST(SqliteStore, OpensInMemoryAtTheLatestSchema) {
  auto s = SqliteStore::open(":memory:");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ((*s)->schema_version(), store::latest_version(store::sqlite_migrations()));
  EXPECT_TRUE(ccteams::testing::run_awaitable((*s)->ping()));
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
  EXPECT_TRUE(ccteams::testing::run_awaitable((*s)->ping()));
}

TEST(SqliteStore, UnopenablePathIsAnError) {
  TempDir dir;
  auto s = SqliteStore::open(dir.file("missing-dir/ccteams.db"));
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

// ---- the store's own executor (Store::run) ----

TEST(SqliteStore, RunDoesTheJobOnTheStoresThreadAndResumesTheCallerOnItsOwn) {
  auto s = SqliteStore::open(":memory:");
  ASSERT_TRUE(s) << s.error().message;
  Store& port = **s;
  boost::asio::io_context ioc;
  std::thread::id caller, job, resumed;
  Result<Organisation> org = make_error(Errc::internal, "not run");
  auto body = [&]() -> boost::asio::awaitable<void> {
    caller = std::this_thread::get_id();
    org = co_await port.run([&](Stores& st) {
      job = std::this_thread::get_id();
      return st.accounts().create_org("Acme", kT0);
    });
    resumed = std::this_thread::get_id();
  };
  boost::asio::co_spawn(ioc, body, boost::asio::detached);
  ioc.run();
  ASSERT_TRUE(org) << org.error().message;
  EXPECT_EQ(org->name, "Acme");
  EXPECT_NE(job, caller) << "a store job ran on the caller's (I/O) thread";
  EXPECT_EQ(resumed, caller);
  EXPECT_TRUE((*s)->accounts().get_org(org->id));
}

TEST(SqliteStore, JobsRunInTheOrderTheyWereSubmittedAndResumeOnTheCallersStrand) {
  auto s = SqliteStore::open(":memory:");
  ASSERT_TRUE(s) << s.error().message;
  Store& port = **s;
  boost::asio::io_context ioc;
  auto strand = boost::asio::make_strand(ioc);
  std::vector<int> order;  // written by the jobs, all on the store's one thread
  int on_strand = 0;
  constexpr int kJobs = 50;
  for (int i = 0; i < kJobs; ++i) {
    auto body = [&, i]() -> boost::asio::awaitable<void> {
      co_await port.run([&order, i](Stores&) { order.push_back(i); });
      if (strand.running_in_this_thread()) ++on_strand;
    };
    boost::asio::co_spawn(strand, body, boost::asio::detached);
  }
  ioc.run();
  ASSERT_EQ(order.size(), std::size_t{kJobs});
  for (int i = 0; i < kJobs; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
  EXPECT_EQ(on_strand, kJobs);
}

TEST(SqliteStore, StopRunsWhatIsQueuedFirst) {
  auto s = SqliteStore::open(":memory:");
  ASSERT_TRUE(s) << s.error().message;
  Store& port = **s;
  boost::asio::io_context ioc;
  int done = 0;
  for (int i = 0; i < 10; ++i) {
    auto body = [&, i]() -> boost::asio::awaitable<void> {
      auto r = co_await port.run(
          [i](Stores& st) { return st.accounts().create_org("Org" + std::to_string(i), kT0); });
      if (r) ++done;
    };
    boost::asio::co_spawn(ioc, body, boost::asio::detached);
  }
  // Each coroutine runs up to its co_await: every job is queued on the store.
  ioc.poll();
  (*s)->stop();
  ioc.run();  // the completions the store posted before it stopped
  EXPECT_EQ(done, 10);
}

}  // namespace
}  // namespace ccteams
