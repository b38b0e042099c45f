// Organisation leases and the write fence on a real PostgreSQL (the throw-away cluster of
// scripts/pg-test-cluster.sh): the lease statements, and that an old owner's write is refused
// once another instance took the organisation over, including one already under way.
#include "adapters/pg/pg_org_lease_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "adapters/pg/pg_lease_sql.hpp"
#include "adapters/pg/pg_store.hpp"
#include "adapters/pg/pg_test_support.hpp"
#include "app/cluster/fenced_store.hpp"
#include "app/testing/run_awaitable.hpp"

namespace ccteams {
namespace {

using store::testing::pg_query_int;
using store::testing::PgTestDatabase;
using testing::run_awaitable;

constexpr Timestamp kT0{Millis{1'800'000'000'000}};
constexpr Millis kLong{60'000};
// A lease granted already lapsed: "later" without waiting for the clock.
constexpr Millis kLapsed{0};

// A one-shot signal between the test thread and a job on a pool thread.
class Signal {
 public:
  void set() {
    std::lock_guard lock(mu_);
    set_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return set_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool set_ = false;
};

// A write of an organisation named `name`, fenced as `fence`, on a thread of its own: its first
// run stops inside the transaction (the guard holding the lease row) until release(). A rerun
// (serialization failure) does not stop again.
class HeldWrite {
 public:
  HeldWrite(Store& store, LeaseFence fence, std::string name)
      : thread_([this, &store, fence, name = std::move(name)] {
          FencedStore fenced(store, [fence] { return std::optional<LeaseFence>{fence}; });
          written_ = run_awaitable(fenced.run([&](Stores& s) {
            if (!once_.exchange(true)) {
              entered_.set();
              go_.wait();
            }
            return s.accounts().create_org(name, kT0);
          }));
        }) {
    entered_.wait();
  }
  ~HeldWrite() { release(); }
  // Lets the write go on and waits for its end; what it answered.
  const Result<Organisation>& release() {
    go_.set();
    if (thread_.joinable()) thread_.join();
    return written_;
  }

 private:
  Signal entered_, go_;
  std::atomic<bool> once_{false};
  Result<Organisation> written_ = make_error(Errc::internal, "not run");
  std::thread thread_;  // last: started once the members above exist
};

struct PgOrgLeaseStoreTest : ::testing::Test {
  PgTestDatabase database;
  std::unique_ptr<PgStore> store;
  OrgId org;

  void SetUp() override {
    ASSERT_EQ(database.error(), "");
    store = open_store(Millis{0});
    ASSERT_TRUE(store);
    auto created = store->accounts().create_org("Acme", kT0);
    ASSERT_TRUE(created);
    org = created->id;
  }

  std::unique_ptr<PgStore> open_store(Millis idle_in_transaction_timeout) {
    PgStoreOptions options;
    options.conninfo = database.conninfo();
    options.connections = 2;
    options.idle_in_transaction_timeout = idle_in_transaction_timeout;
    auto opened = PgStore::open(options);
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }

  std::unique_ptr<PgOrgLeaseStore> leases(Millis lock_timeout = Millis{200}) {
    return std::make_unique<PgOrgLeaseStore>(
        PgOrgLeaseStoreOptions{database.conninfo(), "", lock_timeout});
  }

  std::int64_t organisations() {
    auto admin = store::PgDb::open(database.conninfo());
    return admin ? pg_query_int(**admin, "SELECT count(*) FROM organisations") : -1;
  }

  // A write job for org made with fence: creates an organisation named name.
  static Result<Organisation> fenced_write(Store& inner, const LeaseFence& fence,
                                           const std::string& name) {
    FencedStore fenced(inner, [fence] { return std::optional<LeaseFence>{fence}; });
    return run_awaitable(
        fenced.run([name](Stores& s) { return s.accounts().create_org(name, kT0); }));
  }
};

// Spreading: live instances are those heart-beaten within the TTL; a graceful stop leaves.
TEST_F(PgOrgLeaseStoreTest, HeartbeatsCountTheLiveInstancesAndTheOrganisations) {
  ASSERT_TRUE(store->accounts().create_org("Globex", kT0));
  auto lease = leases();
  auto a = run_awaitable(lease->heartbeat("a", kLong));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->live_instances, 1U);
  EXPECT_EQ(a->organisations, 2U);
  auto b = run_awaitable(lease->heartbeat("b", kLong));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->live_instances, 2U);
  // Again: still two (a heartbeat updates the instance's row).
  EXPECT_EQ(run_awaitable(lease->heartbeat("a", kLong))->live_instances, 2U);
  // Rows older than the TTL do not count (a TTL of 0: every other row is too old).
  EXPECT_EQ(run_awaitable(lease->heartbeat("b", kLapsed))->live_instances, 1U);
  ASSERT_TRUE(run_awaitable(lease->leave("a")));
  EXPECT_EQ(run_awaitable(lease->heartbeat("b", kLong))->live_instances, 1U);
  auto admin = store::PgDb::open(database.conninfo());
  ASSERT_TRUE(admin);
  EXPECT_EQ(pg_query_int(**admin, "SELECT count(*) FROM cluster_instances"), 1);
}

TEST_F(PgOrgLeaseStoreTest, AFreeLeaseIsGrantedWithTokenOneAndOnlyToOneOwner) {
  auto lease = leases();
  auto mine = run_awaitable(lease->acquire(org, "a", kLong));
  ASSERT_TRUE(mine) << mine.error().message;
  ASSERT_TRUE(*mine);
  EXPECT_EQ((*mine)->token, 1);
  EXPECT_EQ((*mine)->owner, "a");
  auto theirs = run_awaitable(lease->acquire(org, "b", kLong));
  ASSERT_TRUE(theirs);
  EXPECT_FALSE(*theirs);
  // The owner asking again keeps its token (its writes in flight stay valid).
  auto again = run_awaitable(lease->acquire(org, "a", kLong));
  ASSERT_TRUE(again && *again);
  EXPECT_EQ((*again)->token, 1);
  auto none = run_awaitable(lease->acquire(OrgId{org.value + 100}, "a", kLong));
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);  // no such organisation
}

TEST_F(PgOrgLeaseStoreTest, ALapsedLeaseIsTakenOverWithTheNextToken) {
  auto lease = leases();
  ASSERT_TRUE(run_awaitable(lease->acquire(org, "a", kLapsed)));
  auto claimable = run_awaitable(lease->claimable());
  ASSERT_TRUE(claimable);
  EXPECT_EQ(*claimable, std::vector<OrgId>{org});
  auto taken = run_awaitable(lease->acquire(org, "b", kLong));
  ASSERT_TRUE(taken && *taken);
  EXPECT_EQ((*taken)->token, 2);
  EXPECT_EQ((*taken)->owner, "b");
  claimable = run_awaitable(lease->claimable());
  ASSERT_TRUE(claimable);
  EXPECT_TRUE(claimable->empty());
  // The old owner's own lapsed lease is a new grant too, never its old token.
  ASSERT_TRUE(run_awaitable(lease->acquire(org, "b", kLapsed)));
  auto back = run_awaitable(lease->acquire(org, "b", kLong));
  ASSERT_TRUE(back && *back);
  EXPECT_EQ((*back)->token, 3);
}

TEST_F(PgOrgLeaseStoreTest, RenewExtendsOnlyLeasesStillTheOwnersWithTheirToken) {
  auto lease = leases();
  auto second = store->accounts().create_org("Beta", kT0);
  ASSERT_TRUE(second);
  ASSERT_TRUE(run_awaitable(lease->acquire(org, "a", kLapsed)));
  ASSERT_TRUE(run_awaitable(lease->acquire(second->id, "a", kLong)));
  ASSERT_TRUE(run_awaitable(lease->acquire(org, "b", kLong)));  // takes org over: token 2
  auto renewed =
      run_awaitable(lease->renew("a", {HeldLease{org, 1}, HeldLease{second->id, 1}}, kLong));
  ASSERT_TRUE(renewed) << renewed.error().message;
  ASSERT_EQ(renewed->size(), 1u);
  EXPECT_EQ((*renewed)[0].org, second->id);
  // The database's clock (this host's): now + 60 s.
  EXPECT_GT((*renewed)[0].expires_at,
            std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now()) + Millis{30'000});
  auto wrong_token = run_awaitable(lease->renew("b", {HeldLease{org, 1}}, kLong));
  ASSERT_TRUE(wrong_token);
  EXPECT_TRUE(wrong_token->empty());
}

TEST_F(PgOrgLeaseStoreTest, ReleaseLetsAnotherInstanceTakeTheOrganisationAtOnce) {
  auto lease = leases();
  ASSERT_TRUE(run_awaitable(lease->acquire(org, "a", kLong)));
  ASSERT_TRUE(run_awaitable(lease->release(LeaseFence{org, "b", 1})));  // not theirs: nothing
  auto refused = run_awaitable(lease->acquire(org, "b", kLong));
  ASSERT_TRUE(refused);
  EXPECT_FALSE(*refused);
  ASSERT_TRUE(run_awaitable(lease->release(LeaseFence{org, "a", 1})));
  auto taken = run_awaitable(lease->acquire(org, "b", kLong));
  ASSERT_TRUE(taken && *taken);
  EXPECT_EQ((*taken)->token, 2);
  auto all = run_awaitable(lease->list());
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].owner, "b");
}

TEST_F(PgOrgLeaseStoreTest, AWriteWithTheCurrentFenceLandsAndOneWithAnOldFenceIsRefused) {
  auto lease = leases();
  ASSERT_TRUE(run_awaitable(lease->acquire(org, "a", kLapsed)));
  auto landed = fenced_write(*store, LeaseFence{org, "a", 1}, "written by a");
  ASSERT_TRUE(landed) << landed.error().message;
  ASSERT_TRUE(run_awaitable(lease->acquire(org, "b", kLong)));  // the take-over
  const auto before = organisations();
  FencedStore old_owner(*store, [this] { return std::optional<LeaseFence>{{org, "a", 1}}; });
  auto refused = run_awaitable(
      old_owner.run([](Stores& s) { return s.accounts().create_org("late write of a", kT0); }));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::conflict);
  EXPECT_NE(refused.error().message.find("fenced"), std::string::npos);
  EXPECT_EQ(organisations(), before);
  EXPECT_EQ(old_owner.fenced(), 1u);
  // The same owner id with the new token (a replica that re-issued it) is refused as well.
  EXPECT_FALSE(fenced_write(*store, LeaseFence{org, "a", 2}, "x"));
  EXPECT_TRUE(fenced_write(*store, LeaseFence{org, "b", 2}, "written by b"));
  // Reads are not fenced.
  auto read = run_awaitable(old_owner.read([](Stores& s) { return s.accounts().list_orgs(); }));
  EXPECT_TRUE(read);
}

// The old owner's write transaction is under way (its guard holds the lease row) when another
// instance tries to take over: the take-over waits, gives up at its lock_timeout, and succeeds
// once the write committed; the write landed while it still held the lease.
TEST_F(PgOrgLeaseStoreTest, AWriteUnderWayHoldsOffTheTakeOverUntilItCommits) {
  auto lease = leases(Millis{200});
  ASSERT_TRUE(run_awaitable(lease->acquire(org, "a", kLapsed)));
  HeldWrite write(*store, LeaseFence{org, "a", 1}, "written under the guard");
  auto blocked = run_awaitable(lease->acquire(org, "b", kLong));
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, Errc::unavailable);  // lock_timeout: try at the next scan
  const auto& written = write.release();
  ASSERT_TRUE(written) << written.error().message;
  auto taken = run_awaitable(lease->acquire(org, "b", kLong));
  ASSERT_TRUE(taken && *taken);
  EXPECT_EQ((*taken)->token, 2);
  EXPECT_FALSE(fenced_write(*store, LeaseFence{org, "a", 1}, "after the take-over"));
}

// The old owner is paused (SIGSTOP) in the middle of its write transaction, holding the guard:
// the server ends its session at idle_in_transaction_session_timeout, the take-over goes
// through, and the paused write, resumed, is not made.
TEST_F(PgOrgLeaseStoreTest, APausedWriteIsEndedByTheServerAndNeverLands) {
  auto paused_store = open_store(Millis{300});
  ASSERT_TRUE(paused_store);
  auto lease = leases(Millis{200});
  ASSERT_TRUE(run_awaitable(lease->acquire(org, "a", kLapsed)));
  HeldWrite write(*paused_store, LeaseFence{org, "a", 1}, "the paused write");  // the pause
  // Each attempt waits at most its lock_timeout; the server ends the paused session after
  // 300 ms, so one of the first few attempts gets through.
  std::optional<OrgLease> taken;
  for (int attempt = 0; attempt < 20 && !taken; ++attempt) {
    auto r = run_awaitable(lease->acquire(org, "b", kLong));
    if (r && *r) taken = **r;
  }
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->token, 2);
  const auto& written = write.release();
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, Errc::unavailable);
  auto admin = store::PgDb::open(database.conninfo());
  ASSERT_TRUE(admin);
  EXPECT_EQ(
      pg_query_int(**admin, "SELECT count(*) FROM organisations WHERE name = 'the paused write'"),
      0);
}

// A transaction that began before the take-over committed and checks the fence after it, on
// two connections, at the store's isolation level: refused (a serialization failure, after
// which the store runs the job again and the fence no longer matches).
TEST_F(PgOrgLeaseStoreTest, ATransactionBegunBeforeTheTakeOverCannotPassTheGuardAfterIt) {
  auto lease = leases();
  ASSERT_TRUE(run_awaitable(lease->acquire(org, "a", kLapsed)));
  auto old_owner = store::PgDb::open(database.conninfo());
  ASSERT_TRUE(old_owner);
  auto conn = (*old_owner)->lock();
  auto tx = conn.begin("BEGIN ISOLATION LEVEL SERIALIZABLE");
  ASSERT_TRUE(tx);
  ASSERT_TRUE(conn.query("SELECT count(*) FROM organisations"));  // the snapshot is taken
  ASSERT_TRUE(run_awaitable(lease->acquire(org, "b", kLong)));    // commits meanwhile
  auto guard = conn.query(store::kCheckFence, {org.value, "a", std::int64_t{1}});
  ASSERT_FALSE(guard);
  EXPECT_TRUE((*old_owner)->must_retry());
}

TEST_F(PgOrgLeaseStoreTest, ALostLeaseConnectionIsMadeAgainByTheNextCall) {
  auto lease = leases();
  ASSERT_TRUE(run_awaitable(lease->list()));
  auto admin = store::PgDb::open(database.conninfo());
  ASSERT_TRUE(admin);
  ASSERT_GE(pg_query_int(**admin,
                         "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                         "WHERE datname = current_database() AND pid <> pg_backend_pid()"),
            1);
  (void)run_awaitable(lease->list());  // may fail: the loss shows here
  EXPECT_TRUE(run_awaitable(lease->list()));
}

}  // namespace
}  // namespace ccteams
