#include "app/cluster/fenced_store.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdlib>

#include "app/org_actors.hpp"
#include "app/testing/run_awaitable.hpp"

namespace ccteams {
namespace {

namespace asio = boost::asio;
using testing::run_awaitable;

constexpr OrgId kOrg{7};

// Stores of a single-instance store (SQLite: no fence check); the jobs of these tests touch no
// domain store.
class NoDomainStores : public Stores {
 public:
  [[noreturn]] static void unused() { std::abort(); }
  AccountStore& accounts() override { unused(); }
  ConnectorStore& connectors() override { unused(); }
  ContactCenterStore& contact_center() override { unused(); }
  DirectoryStore& directory() override { unused(); }
  PresenceSubscriptionStore& subscriptions() override { unused(); }
  PresenceInbox& inbox() override { unused(); }
  NotificationKeyStore& notification_keys() override { unused(); }
  SyncAccountStore& sync_accounts() override { unused(); }
};

// Stores whose transactions can check a fence against one current lease.
class FencingStores final : public NoDomainStores, public LeaseFenceCheck {
 public:
  LeaseFence current{kOrg, "me", 3};
  int checks = 0;

  Result<void> check_fence(const LeaseFence& fence) override {
    ++checks;
    if (fence == current) return ok();
    return make_error(Errc::conflict, "fenced: moved");
  }
};

// Runs each job at once on the given Stores (a single-instance store when it cannot check).
class InlineStore final : public Store {
 public:
  explicit InlineStore(Stores& stores) : stores_(stores) {}
  void post(std::function<void(Stores&)> job) override { job(stores_); }
  int schema_version() const override { return 9; }

 protected:
  asio::awaitable<void> run_job(Job job) override {
    job.work(stores_);
    co_return;
  }
  Result<void> ping_on_executor() override { return ok(); }

 private:
  Stores& stores_;
};

struct FencedStoreTest : ::testing::Test {
  FencingStores stores;
  InlineStore inner{stores};
  std::optional<LeaseFence> fence;
  FencedStore fenced{inner, [this] { return fence; }};
  int writes = 0;

  Result<int> write() {
    return run_awaitable(fenced.run([this](Stores&) -> Result<int> { return ++writes; }));
  }
};

TEST_F(FencedStoreTest, AJobWithTheCurrentFenceRunsAfterTheCheck) {
  fence = LeaseFence{kOrg, "me", 3};
  auto r = write();
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 1);
  EXPECT_EQ(stores.checks, 1);
  EXPECT_EQ(fenced.fenced(), 0u);
}

TEST_F(FencedStoreTest, AJobWithAnOldFenceIsAnsweredConflictAndNeverRuns) {
  fence = LeaseFence{kOrg, "me", 2};
  auto r = write();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::conflict);
  EXPECT_EQ(writes, 0);
  EXPECT_EQ(fenced.fenced(), 1u);
  // A job that cannot carry the error is not run either.
  run_awaitable(fenced.run([this](Stores&) { ++writes; }));
  fenced.post([this](Stores&) { ++writes; });
  EXPECT_EQ(writes, 0);
  EXPECT_EQ(fenced.fenced(), 3u);
}

TEST_F(FencedStoreTest, WorkWithoutAFenceAndReadsAreNotChecked) {
  EXPECT_TRUE(write());
  fence = LeaseFence{kOrg, "me", 2};
  auto read = run_awaitable(fenced.read([](Stores&) -> Result<int> { return 5; }));
  ASSERT_TRUE(read);
  EXPECT_EQ(stores.checks, 0);
  EXPECT_EQ(fenced.schema_version(), 9);
}

// Stores that cannot check a fence: a single-instance store (SQLite).
TEST(FencedStore, AStoreThatCannotCheckFencesRunsEveryJob) {
  NoDomainStores plain;
  InlineStore inner{plain};
  FencedStore fenced{inner, [] { return std::optional<LeaseFence>{{kOrg, "x", 1}}; }};
  auto r = run_awaitable(fenced.run([](Stores&) -> Result<int> { return 1; }));
  EXPECT_TRUE(r);
}

// The fence source of serve asks which organisation's strand submits the job.
TEST(OrgActors, KnowsWhichOrganisationsStrandIsRunning) {
  asio::io_context io;
  OrgActors actors(io.get_executor());
  (void)actors.strand(OrgId{1});
  EXPECT_FALSE(actors.current_org());
  auto on_strand = asio::co_spawn(
      actors.strand(OrgId{2}),
      [&]() -> asio::awaitable<std::optional<OrgId>> { co_return actors.current_org(); },
      asio::use_future);
  io.run();
  EXPECT_EQ(on_strand.get(), OrgId{2});
}

}  // namespace
}  // namespace ccteams
