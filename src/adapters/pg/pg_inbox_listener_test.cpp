// LISTEN/NOTIFY on a real PostgreSQL (the throw-away cluster of scripts/pg-test-cluster.sh): an
// inbox append on one store wakes a listener on its own connection with the organisation id,
// only for entries that were stored, and a listener whose connection the server ends makes a new
// one and says so (its owner then re-reads what it may have missed).
#include "adapters/pg/pg_inbox_listener.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <condition_variable>
#include <mutex>

#include "adapters/pg/pg_store.hpp"
#include "adapters/pg/pg_test_support.hpp"
#include "app/testing/run_awaitable.hpp"

namespace ccteams::store {
namespace {

using testing::pg_query_int;
using testing::PgTestDatabase;

constexpr Timestamp kT0{Millis{1'800'000'000'000}};
// Real time: the listener is a thread on a real connection. Generous, never slept: each wait
// ends as soon as what it waits for happened.
constexpr auto kPatience = std::chrono::seconds(20);

// What the listener's callbacks reported, for the test thread to wait on.
class Heard {
 public:
  PgInboxListenerCallbacks callbacks() {
    return {[this](std::vector<OrgId> orgs) {
              std::lock_guard lock(mu_);
              woken_.insert(woken_.end(), orgs.begin(), orgs.end());
              cv_.notify_all();
            },
            [this] {
              std::lock_guard lock(mu_);
              ++connected_;
              cv_.notify_all();
            }};
  }
  bool connected_at_least(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kPatience, [&] { return connected_ >= n; });
  }
  // The organisations woken so far, once there are at least n.
  std::vector<OrgId> woken(std::size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, kPatience, [&] { return woken_.size() >= n; });
    return woken_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int connected_ = 0;
  std::vector<OrgId> woken_;
};

struct PgInboxListenerTest : ::testing::Test {
  PgTestDatabase database;
  std::unique_ptr<PgStore> store;
  OrgId org;

  void SetUp() override {
    ASSERT_EQ(database.error(), "");
    PgStoreOptions options;
    options.conninfo = database.conninfo();
    options.connections = 1;
    options.notify_inbox = true;
    auto opened = PgStore::open(options);
    ASSERT_TRUE(opened) << opened.error().message;
    store = std::move(*opened);
    auto created = store->accounts().create_org("Acme", kT0);
    ASSERT_TRUE(created);
    org = created->id;
  }

  std::unique_ptr<PgInboxListener> listen(Heard& heard) {
    return std::make_unique<PgInboxListener>(
        PgInboxListenerOptions{database.conninfo(), "", Millis{50}, Millis{500}},
        heard.callbacks());
  }

  Result<std::int64_t> append(OrgId to) {
    InboxEntry e;
    e.org = to;
    e.received_at = kT0;
    ChangeNotification n;
    n.subscription_id = "s";
    n.change_type = "updated";
    n.resource = "communications/presences/u1";
    e.batch.notifications.push_back(n);
    return ccteams::testing::run_awaitable(store->inbox().append(std::move(e)));
  }
};

TEST_F(PgInboxListenerTest, AnAppendWakesTheListenerWithItsOrganisationOnlyWhenStored) {
  Heard heard;
  auto listener = listen(heard);
  ASSERT_TRUE(heard.connected_at_least(1));
  EXPECT_TRUE(listener->listening());
  // Refused (no such organisation): nothing committed, nobody woken. Notifications arrive in
  // commit order, so the first one heard is the stored entry's.
  auto refused = append(OrgId{org.value + 1'000});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::not_found);
  ASSERT_TRUE(append(org));
  const auto woken = heard.woken(1);
  ASSERT_EQ(woken.size(), 1U);
  EXPECT_EQ(woken[0], org);
  EXPECT_EQ(listener->notifications(), 1U);
}

// Each append is heard; prints how long after the append began the listener heard it, next to
// how long the append itself took (its group commit, until COMMIT returned).
TEST_F(PgInboxListenerTest, EveryAppendIsHeardAndHowSoonIsPrinted) {
  Heard heard;
  auto listener = listen(heard);
  ASSERT_TRUE(heard.connected_at_least(1));
  constexpr std::size_t kAppends = 50;
  std::vector<double> heard_ms, appended_ms;
  auto ms_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
  };
  for (std::size_t i = 1; i <= kAppends; ++i) {
    const auto began = std::chrono::steady_clock::now();
    ASSERT_TRUE(append(org));
    appended_ms.push_back(ms_since(began));
    ASSERT_EQ(heard.woken(i).size(), i);
    heard_ms.push_back(ms_since(began));
  }
  std::sort(heard_ms.begin(), heard_ms.end());
  std::sort(appended_ms.begin(), appended_ms.end());
  std::cout << "inbox wake-up heard " << heard_ms[kAppends / 2] << " ms (p50), "
            << heard_ms.back() << " ms (max) after the append began; the append took "
            << appended_ms[kAppends / 2] << " ms (p50), " << appended_ms.back() << " ms (max); "
            << kAppends << " appends one after another\n";
  EXPECT_EQ(listener->notifications(), kAppends);
}

TEST_F(PgInboxListenerTest, ATerminatedConnectionIsMadeAgainAndTheListenerHearsAfterIt) {
  Heard heard;
  auto listener = listen(heard);
  ASSERT_TRUE(heard.connected_at_least(1));
  const int pid = listener->backend_pid();
  ASSERT_GT(pid, 0);
  {
    auto admin = PgDb::open(database.conninfo());
    ASSERT_TRUE(admin);
    EXPECT_EQ(pg_query_int(**admin, "SELECT pg_terminate_backend(" + std::to_string(pid) +
                                        ")::int"),
              1);
  }
  // connected() again: the owner re-reads its inbox there (what was notified while deaf).
  ASSERT_TRUE(heard.connected_at_least(2));
  EXPECT_EQ(listener->connections(), 2U);
  EXPECT_NE(listener->backend_pid(), pid);
  ASSERT_TRUE(append(org));
  const auto woken = heard.woken(1);
  ASSERT_EQ(woken.size(), 1U);
  EXPECT_EQ(woken[0], org);
  listener->stop();
  EXPECT_FALSE(listener->listening());
}

TEST(PgInboxListener, StopEndsItWhileTheDatabaseIsUnreachable) {
  Heard heard;
  PgInboxListener listener(
      PgInboxListenerOptions{"host=/nonexistent-ccteams-socket-dir port=1", "", Millis{50},
                             Millis{200}},
      heard.callbacks());
  listener.stop();
  EXPECT_FALSE(listener.listening());
  EXPECT_EQ(listener.connections(), 0U);
}

}  // namespace
}  // namespace ccteams::store
