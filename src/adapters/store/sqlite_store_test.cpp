#include "adapters/store/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <future>
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

// ---- group commit: jobs queued together share one transaction ----

constexpr std::string_view kCreateTables =
    "CREATE TABLE t (x INTEGER);"
    "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
    "CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);";

// A file store with the test's tables, and a way to make jobs queue up behind one that holds
// the writer: what is submitted meanwhile goes in one flush.
struct GroupRig {
  GroupRig() {
    auto opened = SqliteStore::open(dir.file("ccteams.db"));
    EXPECT_TRUE(opened) << opened.error().message;
    store = std::move(*opened);
    auto conn = store->db().lock();
    EXPECT_TRUE(conn.exec(kCreateTables));
  }
  // Each job's writes: its own transaction, as the domain stores write (savepoints in a group).
  Result<void> write(std::string_view sql, bool commit = true) {
    auto conn = store->db().lock();
    auto tx = conn.begin();
    if (!tx) return std::move(tx).error();
    if (auto r = conn.exec(sql); !r) return r;
    if (!commit) return make_error(Errc::invalid_input, "the job changed its mind");
    return tx->commit();
  }
  // Submits the holder (a job that returns nothing, so it runs alone) and then jobs, runs the
  // caller's io_context until every job was submitted, releases the holder, and runs the rest.
  std::vector<Result<void>> run_held(std::vector<std::function<Result<void>()>> jobs) {
    boost::asio::io_context ioc;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    Store& port = *store;
    auto holder = [&]() -> boost::asio::awaitable<void> {
      // A named local: GCC 12 may destroy a capturing temporary of a co_await expression twice.
      auto hold = [released](Stores&) { released.wait(); };
      co_await port.run(hold);
    };
    boost::asio::co_spawn(ioc, holder, boost::asio::detached);
    std::vector<Result<void>> out(jobs.size(), make_error(Errc::internal, "not run"));
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      auto body = [&, i]() -> boost::asio::awaitable<void> {
        auto job = [&jobs, i](Stores&) { return jobs[i](); };
        out[i] = co_await port.run(job);
      };
      boost::asio::co_spawn(ioc, body, boost::asio::detached);
    }
    ioc.poll();  // every coroutine submitted its job: they queue behind the holder
    release.set_value();
    ioc.run();
    return out;
  }
  std::int64_t count(std::string_view table) {
    return query_int(store->db(), "SELECT COUNT(*) FROM " + std::string(table));
  }

  TempDir dir;
  std::unique_ptr<SqliteStore> store;
};

TEST(SqliteStoreGroupCommit, JobsQueuedTogetherShareOneCommit) {
  GroupRig rig;
  std::vector<std::function<Result<void>()>> jobs;
  for (int i = 0; i < 5; ++i) {
    jobs.emplace_back([&rig] { return rig.write("INSERT INTO t VALUES (1)"); });
  }
  for (const auto& r : rig.run_held(jobs)) EXPECT_TRUE(r) << r.error().message;
  EXPECT_EQ(rig.count("t"), 5);
  EXPECT_EQ(rig.store->group_commits(), 1U);
  EXPECT_EQ(rig.store->grouped_jobs(), 5U);
}

TEST(SqliteStoreGroupCommit, AJobThatRollsBackUndoesOnlyItsOwnWrites) {
  GroupRig rig;
  std::vector<std::function<Result<void>()>> jobs;
  for (int i = 0; i < 4; ++i) {
    const bool commit = i != 2;
    jobs.emplace_back([&rig, commit] { return rig.write("INSERT INTO t VALUES (1)", commit); });
  }
  auto results = rig.run_held(jobs);
  EXPECT_TRUE(results[0] && results[1] && results[3]);
  ASSERT_FALSE(results[2]);
  EXPECT_EQ(results[2].error().code, Errc::invalid_input);  // its own answer, not the group's
  EXPECT_EQ(rig.count("t"), 3);
  EXPECT_EQ(rig.store->group_commits(), 1U);
}

// A deferred foreign key is checked at COMMIT: the group's COMMIT fails, and every job in it,
// though each computed a success, is answered with the failure. Nothing of the group lasts.
TEST(SqliteStoreGroupCommit, AFailedCommitAnswersEveryJobOfItWithTheFailure) {
  GroupRig rig;
  std::vector<std::function<Result<void>()>> jobs;
  jobs.emplace_back([&rig] { return rig.write("INSERT INTO t VALUES (1)"); });
  jobs.emplace_back([&rig] { return rig.write("INSERT INTO child VALUES (42)"); });
  jobs.emplace_back([&rig] { return rig.write("INSERT INTO t VALUES (2)"); });
  for (const auto& r : rig.run_held(jobs)) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::unavailable);
  }
  EXPECT_EQ(rig.count("t"), 0);
  EXPECT_EQ(rig.count("child"), 0);
  EXPECT_EQ(rig.store->group_commits(), 0U);
  // The writer goes on: the next job commits.
  auto after = ccteams::testing::run_awaitable(
      rig.store->run([&rig](Stores&) { return rig.write("INSERT INTO t VALUES (3)"); }));
  EXPECT_TRUE(after) << after.error().message;
  EXPECT_EQ(rig.count("t"), 1);
}

// ---- readers ----

TEST(SqliteStore, AReadRunsOnTheReaderAndSeesWhatRunCommitted) {
  GroupRig rig;
  Store& port = *rig.store;
  auto written = ccteams::testing::run_awaitable(
      port.run([](Stores& s) { return s.accounts().create_org("Acme", kT0); }));
  ASSERT_TRUE(written) << written.error().message;
  std::thread::id writer;
  ccteams::testing::run_awaitable(
      port.run([&writer](Stores&) { writer = std::this_thread::get_id(); }));
  std::thread::id reader;
  auto orgs = ccteams::testing::run_awaitable(port.read([&reader](Stores& s) {
    reader = std::this_thread::get_id();
    return s.accounts().create_org("Refused", kT0);  // a write on the reader fails
  }));
  EXPECT_FALSE(orgs);
  EXPECT_NE(reader, writer);
  EXPECT_NE(reader, std::this_thread::get_id());
  auto orgs_read = ccteams::testing::run_awaitable(
      port.read([](Stores& s) { return s.accounts().list_orgs(); }));
  ASSERT_TRUE(orgs_read) << orgs_read.error().message;
  ASSERT_EQ(orgs_read->size(), 1U);
  EXPECT_EQ(orgs_read->front().name, "Acme");
}

}  // namespace
}  // namespace ccteams
