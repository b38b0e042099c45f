#include "adapters/pg/pg_store.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "adapters/pg/pg_migrations.hpp"
#include "adapters/pg/pg_test_support.hpp"
#include "app/testing/run_awaitable.hpp"

namespace ccteams {
namespace {

using store::testing::pg_query_int;
using store::testing::PgTestDatabase;
using testing::run_awaitable;

constexpr Timestamp kT0{Millis{1'800'000'000'000}};

// A store on a database of its own in the test cluster.
struct PgStoreTest : ::testing::Test {
  PgTestDatabase database;
  std::unique_ptr<PgStore> store;

  void SetUp() override {
    ASSERT_EQ(database.error(), "");
    store = open(4);
    ASSERT_TRUE(store);
  }

  std::unique_ptr<PgStore> open(std::size_t connections) {
    PgStoreOptions options;
    options.conninfo = database.conninfo();
    options.connections = connections;
    auto opened = PgStore::open(options);
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }

  // How many connections to this test's database are open, ours included.
  std::int64_t connections_now() {
    auto admin = store::PgDb::open(database.conninfo());
    if (!admin) return -1;
    return pg_query_int(
               **admin,
               "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()") -
           1;
  }
};

TEST_F(PgStoreTest, OpensAtTheLatestSchemaAndAnswersPing) {
  EXPECT_EQ(store->schema_version(), store::latest_version(store::pg_migrations()));
  EXPECT_TRUE(run_awaitable(store->ping()));
  EXPECT_TRUE(store->accounts().create_org("Acme", kT0));
}

TEST(PgStoreOpen, UnreachableDatabaseIsUnavailable) {
  PgStoreOptions options;
  options.conninfo = "host=/nonexistent-ccteams port=1 user=nobody dbname=none connect_timeout=2";
  auto opened = PgStore::open(options);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, Errc::unavailable);
}

TEST_F(PgStoreTest, RunDoesTheJobOffTheCallersThreadAndResumesTheCallerOnItsOwn) {
  boost::asio::io_context ioc;
  std::thread::id caller, job, resumed;
  Result<Organisation> org = make_error(Errc::internal, "not run");
  Store& port = *store;
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
  EXPECT_NE(job, caller) << "a store job ran on the caller's (I/O) thread";
  EXPECT_EQ(resumed, caller);
  EXPECT_TRUE(store->accounts().get_org(org->id)) << "committed before the caller resumed";
}

// The port's promise: a read and the write it decides are atomic with respect to other jobs.
// Every job reads how many organisations exist and creates the next one by that number; jobs
// that collide are rerun (SERIALIZABLE), so every job succeeds and no number is taken twice.
TEST_F(PgStoreTest, ConcurrentReadThenWriteJobsBehaveAsIfOneAfterAnother) {
  constexpr int kJobs = 24;
  boost::asio::io_context ioc;
  std::vector<Result<Organisation>> results(kJobs, make_error(Errc::internal, "not run"));
  Store& port = *store;
  for (int i = 0; i < kJobs; ++i) {
    auto body = [&, i]() -> boost::asio::awaitable<void> {
      results[static_cast<std::size_t>(i)] =
          co_await port.run([](Stores& s) -> Result<Organisation> {
            auto all = s.accounts().list_orgs();
            if (!all) return std::move(all).error();
            return s.accounts().create_org("org-" + std::to_string(all->size()), kT0);
          });
    };
    boost::asio::co_spawn(ioc, body, boost::asio::detached);
  }
  std::vector<std::jthread> threads;  // callers on several threads, as I/O threads would be
  for (int t = 0; t < 3; ++t) threads.emplace_back([&ioc] { ioc.run(); });
  threads.clear();
  std::set<std::string> names;
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.error().message;
    names.insert(r->name);
  }
  // Reruns, for whoever reads the test report (collisions are likely, not certain).
  RecordProperty("reruns", static_cast<int>(store->retries()));
  EXPECT_EQ(names.size(), std::size_t{kJobs});
  for (int i = 0; i < kJobs; ++i) EXPECT_TRUE(names.count("org-" + std::to_string(i))) << i;
}

// A single-use request is claimed once however many jobs claim it at the same time: the claim
// locks its row, the jobs that waited for it are rolled back (40001) and run again, and then
// find it used.
TEST_F(PgStoreTest, ConcurrentClaimsOfOneConsentRequestClaimItOnce) {
  auto org = store->accounts().create_org("Acme", kT0);
  ASSERT_TRUE(org) << org.error().message;
  const ConsentRequest request{
      "digest", org->id, UserId{7}, "root", "sess", kT0, kT0 + Millis(600'000), false};
  ASSERT_TRUE(store->connectors().put_consent_request(request));
  constexpr int kJobs = 8;
  boost::asio::io_context ioc;
  std::vector<Result<ConsentRequest>> results(kJobs, make_error(Errc::internal, "not run"));
  Store& port = *store;
  for (int i = 0; i < kJobs; ++i) {
    auto body = [&, i]() -> boost::asio::awaitable<void> {
      results[static_cast<std::size_t>(i)] = co_await port.run(
          [](Stores& s) { return s.connectors().claim_consent_request("digest"); });
    };
    boost::asio::co_spawn(ioc, body, boost::asio::detached);
  }
  std::vector<std::jthread> threads;
  for (int t = 0; t < 3; ++t) threads.emplace_back([&ioc] { ioc.run(); });
  threads.clear();
  int unused_before = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.error().message;
    if (!r->used) ++unused_before;
  }
  RecordProperty("reruns", static_cast<int>(store->retries()));
  EXPECT_EQ(unused_before, 1);
}

TEST_F(PgStoreTest, AReadSeesWhatRunCommittedAndRefusesWrites) {
  auto written =
      run_awaitable(store->run([](Stores& s) { return s.accounts().create_org("Acme", kT0); }));
  ASSERT_TRUE(written) << written.error().message;
  auto orgs = run_awaitable(store->read([](Stores& s) { return s.accounts().list_orgs(); }));
  ASSERT_TRUE(orgs) << orgs.error().message;
  ASSERT_EQ(orgs->size(), 1U);
  EXPECT_EQ(orgs->front().name, "Acme");
  auto refused =
      run_awaitable(store->read([](Stores& s) { return s.accounts().create_org("Refused", kT0); }));
  EXPECT_FALSE(refused);
  EXPECT_EQ(store->accounts().find_org_by_name("Refused").error().code, Errc::not_found);
}

// A job's own expected failure (a duplicate) undoes only that statement: the job's other
// writes commit, as on SQLite.
TEST_F(PgStoreTest, AFailedStatementInAJobUndoesOnlyItself) {
  ASSERT_TRUE(store->accounts().create_org("Acme", kT0));
  auto r = run_awaitable(store->run([](Stores& s) -> Result<void> {
    auto dup = s.accounts().create_org("Acme", kT0);
    if (dup || dup.error().code != Errc::conflict) {
      return make_error(Errc::internal, "expected a conflict");
    }
    auto next = s.accounts().create_org("Globex", kT0);
    if (!next) return std::move(next).error();
    return ok();
  }));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(store->accounts().find_org_by_name("Globex"));
}

TEST_F(PgStoreTest, LostConnectionsAreMadeAgainByTheNextJob) {
  // Every worker has a connection once each ran a job at once.
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(run_awaitable(store->ping()));
  }
  {
    auto admin = store::PgDb::open(database.conninfo());
    ASSERT_TRUE(admin);
    auto conn = (*admin)->lock();
    ASSERT_TRUE(
        conn.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                   "WHERE datname = current_database() AND pid <> pg_backend_pid()"));
  }
  // pg_terminate_backend only signals: wait until the server processes are gone.
  for (int i = 0; i < 500 && connections_now() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(connections_now(), 0);
  for (int i = 0; i < 8; ++i) {
    auto r = run_awaitable(store->run(
        [i](Stores& s) { return s.accounts().create_org("o" + std::to_string(i), kT0); }));
    EXPECT_TRUE(r) << r.error().message;
  }
  // The synchronous side learns of its loss from its next call, which answers unavailable (it
  // may have reached the server: only a job, whose transaction is known undone, is rerun); the
  // call after that reconnects.
  auto lost = store->accounts().list_orgs();
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, Errc::unavailable);
  EXPECT_EQ(store->accounts().list_orgs().value().size(), 8U);
}

TEST_F(PgStoreTest, PostRunsTheJobWithoutWaitingAndStopRunsWhatIsQueued) {
  for (int i = 0; i < 5; ++i) {
    store->post([i](Stores& s) { (void)s.accounts().create_org("p" + std::to_string(i), kT0); });
  }
  store->stop();
  EXPECT_EQ(store->accounts().list_orgs().value().size(), 5U);
  auto after =
      run_awaitable(store->run([](Stores& s) { return s.accounts().create_org("late", kT0); }));
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, Errc::unavailable);
}

TEST_F(PgStoreTest, ConnectionsAreBoundedByThePoolSize) {
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(run_awaitable(store->ping()));
  // Four workers and the synchronous side, at most.
  EXPECT_LE(connections_now(), 5);
}

}  // namespace
}  // namespace ccteams
