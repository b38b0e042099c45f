// SqlitePresenceSyncStore on real databases: every field of subscriptions and inbox entries
// survives a round trip; the inbox is per organisation and oldest first; concurrent appends are
// committed by group commit (few transactions, distinct seqs), and a reopened database still
// holds what was appended before (a restart loses nothing acknowledged).
#include "adapters/store/sqlite_presence_sync_store.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "adapters/graph/graph_json.hpp"
#include "adapters/store/sqlite_store.hpp"
#include "adapters/store/sqlite_test_support.hpp"

namespace ccteams::store {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

const Timestamp kT0 = from_unix_millis(1'790'000'000'000);

Result<std::int64_t> append_now(PresenceInbox& inbox, InboxEntry entry) {
  asio::io_context ioc;
  std::optional<Result<std::int64_t>> out;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> { out.emplace(co_await inbox.append(std::move(entry))); },
      asio::detached);
  ioc.run();
  return std::move(*out);
}

ChangeNotification rich_notification(const std::string& user) {
  ChangeNotification n;
  n.id = "n-" + user;
  n.subscription_id = "7f105c7d-2dc5-4530-97cd-4e7ae6534c07";
  n.subscription_expiration = kT0 + 1h;
  n.change_type = "updated";
  n.resource = "communications/presences/" + user;
  n.resource_data = ResourceData{user, "#microsoft.graph.presence", "users/" + user + "/presence"};
  n.tenant_id = "bbbbcccc-1111-dddd-2222-eeee3333ffff";
  n.organization_id = "bbbbcccc-1111-dddd-2222-eeee3333ffff";
  n.client_state = "secretClientValue";
  n.encrypted_content = EncryptedContent{"ZGF0YQ==", "c2ln", "a2V5", "cert-2026-11",
                                         "07293748CC064953A3052FB978C735FB89E61C3D"};
  return n;
}

InboxEntry entry(OrgId org, std::vector<std::string> users, InboxKind kind = InboxKind::change) {
  InboxEntry e;
  e.org = org;
  e.kind = kind;
  e.received_at = kT0;
  for (const auto& u : users) e.batch.notifications.push_back(rich_notification(u));
  return e;
}

PresenceSubscriptionRecord subscription(const std::string& id, OrgId org) {
  PresenceSubscriptionRecord r;
  r.id = id;
  r.org = org;
  r.account_id = SyncAccountId{42};
  r.user_ids = {"u1", "u2", "fa8bf3dc-eca7-46b7-bad1-db199b62afc3"};
  r.expiration = kT0 + 55min;
  r.client_state_sha256 = std::string(64, 'a');
  r.include_resource_data = true;
  r.health = StoredSubscriptionHealth::reauthorization_failed;
  r.created_at = kT0;
  r.certificate_id = "ccteams-notifications-1";
  return r;
}

class PresenceSyncStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { open(":memory:"); }

  void open(const std::string& path) {
    store_.reset();
    sqlite_.reset();
    auto s = SqliteStore::open(path);
    ASSERT_TRUE(s) << s.error().message;
    sqlite_ = std::move(*s);
    org_ = org_or_create("A");
    other_ = org_or_create("B");
    store_ = std::make_unique<SqlitePresenceSyncStore>(sqlite_->db());
  }

  OrgId org_or_create(const std::string& name) {
    if (auto found = sqlite_->accounts().find_org_by_name(name)) return found->id;
    return sqlite_->accounts().create_org(name, kT0)->id;
  }

  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<SqlitePresenceSyncStore> store_;
  OrgId org_, other_;
};

// ---- Subscriptions

TEST_F(PresenceSyncStoreTest, SubscriptionKeepsEveryField) {
  ASSERT_TRUE(store_->put_subscription(subscription("s1", org_)));
  auto list = store_->list_subscriptions(org_);
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 1u);
  const auto& r = (*list)[0];
  const auto want = subscription("s1", org_);
  EXPECT_EQ(r.id, "s1");
  EXPECT_EQ(r.org, org_);
  EXPECT_EQ(r.account_id, SyncAccountId{42});
  EXPECT_EQ(r.user_ids, want.user_ids);
  EXPECT_EQ(r.expiration, want.expiration);
  EXPECT_EQ(r.client_state_sha256, want.client_state_sha256);
  EXPECT_TRUE(r.include_resource_data);
  EXPECT_EQ(r.health, StoredSubscriptionHealth::reauthorization_failed);
  EXPECT_EQ(r.created_at, kT0);
  EXPECT_EQ(r.certificate_id, "ccteams-notifications-1");
}

// ---- Notification keyring

TEST_F(PresenceSyncStoreTest, KeyringIsAbsentUntilSavedThenReplacedAndSurvivesAReopen) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("ccteams-keyring-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  open(path.string());
  auto none = store_->load_keyring();
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(store_->save_keyring("v1.first", kT0));
  ASSERT_TRUE(store_->save_keyring("v1.second", kT0 + 1min));
  open(path.string());
  auto back = store_->load_keyring();
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->value_or(""), "v1.second");
  store_.reset();
  sqlite_.reset();
  std::filesystem::remove(path);
  for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

TEST_F(PresenceSyncStoreTest, PutReplacesByIdAndDeleteIsIdempotent) {
  ASSERT_TRUE(store_->put_subscription(subscription("s1", org_)));
  auto renewed = subscription("s1", org_);
  renewed.expiration = kT0 + 2h;
  renewed.health = StoredSubscriptionHealth::ok;
  renewed.user_ids = {};
  renewed.include_resource_data = false;
  ASSERT_TRUE(store_->put_subscription(renewed));
  auto list = store_->list_subscriptions(org_);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].expiration, kT0 + 2h);
  EXPECT_EQ((*list)[0].health, StoredSubscriptionHealth::ok);
  EXPECT_TRUE((*list)[0].user_ids.empty());
  EXPECT_FALSE((*list)[0].include_resource_data);

  EXPECT_TRUE(store_->delete_subscription("s1"));
  EXPECT_TRUE(store_->delete_subscription("s1"));
  EXPECT_TRUE(store_->list_subscriptions(org_)->empty());
}

TEST_F(PresenceSyncStoreTest, SubscriptionsAreListedPerOrgAndAll) {
  ASSERT_TRUE(store_->put_subscription(subscription("a1", org_)));
  ASSERT_TRUE(store_->put_subscription(subscription("b1", other_)));
  auto removed = subscription("a2", org_);
  removed.health = StoredSubscriptionHealth::removed;
  removed.created_at = kT0 + 1s;
  ASSERT_TRUE(store_->put_subscription(removed));

  auto mine = store_->list_subscriptions(org_);
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].id, "a1");
  EXPECT_EQ((*mine)[1].id, "a2");
  EXPECT_EQ((*mine)[1].health, StoredSubscriptionHealth::removed);
  auto theirs = store_->list_subscriptions(other_);
  ASSERT_TRUE(theirs);
  ASSERT_EQ(theirs->size(), 1u);
  EXPECT_EQ((*theirs)[0].id, "b1");
  auto all = store_->list_all_subscriptions();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 3u);
}

TEST_F(PresenceSyncStoreTest, SubscriptionOfAnUnknownOrgIsNotFound) {
  auto r = store_->put_subscription(subscription("s1", OrgId{9999}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
}

TEST_F(PresenceSyncStoreTest, SubscriptionsGoWithTheirOrganisation) {
  ASSERT_TRUE(store_->put_subscription(subscription("s1", other_)));
  ASSERT_TRUE(append_now(*store_, entry(other_, {"u1"})));
  {
    auto conn = sqlite_->db().lock();
    auto st = conn.prepare("DELETE FROM organisations WHERE id = ?1");
    ASSERT_TRUE(st);
    st->bind_int64(1, other_.value);
    ASSERT_TRUE(st->run());
  }
  EXPECT_TRUE(store_->list_all_subscriptions()->empty());
  EXPECT_TRUE(store_->orgs_with_pending()->empty());
}

// ---- Inbox

TEST_F(PresenceSyncStoreTest, InboxEntryKeepsEveryField) {
  auto e = entry(org_, {"u1", "u2"});
  e.batch.validation_tokens = {"eyJ0eXAiOiJKV1QifQ.e30.c2ln", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"};
  ChangeNotification bare;  // only what Graph must send, every optional absent
  bare.subscription_id = "s-basic";
  bare.change_type = "updated";
  bare.resource = "communications/presences/u3";
  e.batch.notifications.push_back(bare);
  e.received_at = kT0 + 123ms;
  auto seq = append_now(*store_, e);
  ASSERT_TRUE(seq) << seq.error().message;
  EXPECT_GT(*seq, 0);

  auto pending = store_->pending(org_, 10);
  ASSERT_TRUE(pending) << pending.error().message;
  ASSERT_EQ(pending->size(), 1u);
  const auto& got = (*pending)[0];
  EXPECT_EQ(got.seq, *seq);
  EXPECT_EQ(got.org, org_);
  EXPECT_EQ(got.kind, InboxKind::change);
  EXPECT_EQ(got.received_at, kT0 + 123ms);
  EXPECT_EQ(got.batch.validation_tokens, e.batch.validation_tokens);
  // The Graph encoding is deterministic: equal text means every field came back.
  EXPECT_EQ(graph::encode_notifications(got.batch), graph::encode_notifications(e.batch));
  ASSERT_EQ(got.batch.notifications.size(), 3u);
  const auto& n = got.batch.notifications[1];
  EXPECT_EQ(n.id, "n-u2");
  EXPECT_EQ(n.subscription_expiration, kT0 + 1h);
  EXPECT_EQ(n.resource_data->odata_id, "users/u2/presence");
  EXPECT_EQ(n.encrypted_content->data_signature, "c2ln");
  EXPECT_EQ(n.encrypted_content->encryption_certificate_thumbprint,
            "07293748CC064953A3052FB978C735FB89E61C3D");
  const auto& b = got.batch.notifications[2];
  EXPECT_FALSE(b.id || b.client_state || b.tenant_id || b.resource_data || b.encrypted_content);
}

TEST_F(PresenceSyncStoreTest, LifecycleEntryKeepsItsKindAndEvent) {
  InboxEntry e;
  e.org = org_;
  e.kind = InboxKind::lifecycle;
  e.received_at = kT0;
  ChangeNotification n;
  n.subscription_id = "s1";
  n.subscription_expiration = kT0 + 10min;
  n.tenant_id = "t";
  n.client_state = "secretClientValue";
  n.lifecycle_event = LifecycleEvent::reauthorization_required;
  n.lifecycle_event_text = "reauthorizationRequired";
  e.batch.notifications.push_back(n);
  ASSERT_TRUE(append_now(*store_, e));
  auto pending = store_->pending(org_, 10);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].kind, InboxKind::lifecycle);
  EXPECT_EQ((*pending)[0].batch.notifications.at(0).lifecycle_event_text,
            "reauthorizationRequired");
  EXPECT_FALSE((*pending)[0].batch.notifications.at(0).resource.has_value());
}

TEST_F(PresenceSyncStoreTest, PendingIsOldestFirstLimitedAndPerOrg) {
  std::vector<std::int64_t> seqs;
  for (int i = 0; i < 5; ++i) {
    auto s = append_now(*store_, entry(org_, {"u" + std::to_string(i)}));
    ASSERT_TRUE(s);
    seqs.push_back(*s);
    ASSERT_TRUE(append_now(*store_, entry(other_, {"x" + std::to_string(i)})));
  }
  auto first = store_->pending(org_, 3);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*first)[i].seq, seqs[i]);
    EXPECT_EQ((*first)[i].batch.notifications.at(0).resource,
              "communications/presences/u" + std::to_string(i));
    EXPECT_EQ((*first)[i].org, org_);
  }
  EXPECT_LT(seqs[0], seqs[1]);
  auto orgs = store_->orgs_with_pending();
  ASSERT_TRUE(orgs);
  EXPECT_EQ(*orgs, (std::vector<OrgId>{org_, other_}));
}

TEST_F(PresenceSyncStoreTest, RemoveDeletesOnlyTheNamedEntriesOfThatOrg) {
  auto a = append_now(*store_, entry(org_, {"u1"}));
  auto b = append_now(*store_, entry(org_, {"u2"}));
  auto c = append_now(*store_, entry(other_, {"u3"}));
  ASSERT_TRUE(a && b && c);
  // c belongs to the other org and 999999 does not exist: both ignored.
  ASSERT_TRUE(store_->remove(org_, {*a, *c, 999999}));
  auto mine = store_->pending(org_, 10);
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].seq, *b);
  EXPECT_EQ(store_->pending(other_, 10)->size(), 1u);
  EXPECT_TRUE(store_->remove(org_, {}));
}

TEST_F(PresenceSyncStoreTest, ClearEmptiesOneOrgOnly) {
  ASSERT_TRUE(append_now(*store_, entry(org_, {"u1"})));
  ASSERT_TRUE(append_now(*store_, entry(org_, {"u2"})));
  ASSERT_TRUE(append_now(*store_, entry(other_, {"u3"})));
  ASSERT_TRUE(store_->clear(org_));
  EXPECT_TRUE(store_->pending(org_, 10)->empty());
  EXPECT_EQ(store_->pending(other_, 10)->size(), 1u);
  EXPECT_EQ(*store_->orgs_with_pending(), std::vector<OrgId>{other_});
}

TEST_F(PresenceSyncStoreTest, AppendForAnUnknownOrgFailsAlone) {
  auto r = append_now(*store_, entry(OrgId{9999}, {"u1"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_TRUE(append_now(*store_, entry(org_, {"u1"})));
}

// Runs `count` appends at once from coroutines on `threads` I/O threads, each on its own strand
// (as the HTTP server runs connections); returns their results. while_running runs on the
// calling thread once the I/O threads have started.
std::vector<Result<std::int64_t>> append_concurrently(PresenceInbox& inbox, OrgId org,
                                                      int count, int threads,
                                                      const std::function<void()>& while_running) {
  asio::io_context ioc;
  std::mutex mu;
  std::vector<Result<std::int64_t>> results;
  for (int i = 0; i < count; ++i) {
    asio::co_spawn(
        asio::make_strand(ioc),
        [&, i]() -> asio::awaitable<void> {
          // Not a braced list: GCC 12 rejects initializer lists inside coroutines.
          auto e = entry(org, std::vector<std::string>(1, "u" + std::to_string(i)));
          auto r = co_await inbox.append(std::move(e));
          std::lock_guard lock(mu);
          results.push_back(std::move(r));
        },
        asio::detached);
  }
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back([&] { ioc.run(); });
  if (while_running) while_running();
  for (auto& t : pool) t.join();
  return results;
}

// Waits (on real time: another thread must make progress) until the store has been handed
// `count` appends; fails the test after a minute rather than hanging.
void wait_submitted(const SqlitePresenceSyncStore& store, std::uint64_t count) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (store.submitted() < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_EQ(store.submitted(), count);
}

// Holds the database connection from construction until release(), on a thread of its own
// (a SqliteConnection cannot move), so that the test decides when the writer may proceed.
class DbHold {
 public:
  explicit DbHold(SqliteDb& db) {
    std::promise<void> held;
    auto is_held = held.get_future();
    thread_ = std::thread([&db, &held, released = release_.get_future()]() mutable {
      auto conn = db.lock();
      held.set_value();
      released.wait();
    });
    is_held.wait();
  }
  DbHold(const DbHold&) = delete;
  DbHold& operator=(const DbHold&) = delete;
  ~DbHold() { release(); }
  void release() {
    if (!thread_.joinable()) return;
    release_.set_value();
    thread_.join();
  }

 private:
  std::promise<void> release_;
  std::thread thread_;
};

void expect_all_stored_with_distinct_seqs(const std::vector<Result<std::int64_t>>& results,
                                          std::size_t count) {
  ASSERT_EQ(results.size(), count);
  std::set<std::int64_t> seqs;
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.error().message;
    seqs.insert(*r);
  }
  EXPECT_EQ(seqs.size(), count);
}

TEST_F(PresenceSyncStoreTest, ConcurrentAppendsShareTransactions) {
  testing::TempDir dir;
  open(dir.file("ccteams.db"));
  ASSERT_TRUE(store_->synchronous_full());
  constexpr int kCount = 200;
  // The database is held before the first append is submitted, so the group is certain however
  // the threads are scheduled: the writer takes one batch (the appends queued when it woke) and
  // blocks on the lock; everything submitted meanwhile waits and, once the lock is released,
  // goes in exactly one more transaction (kCount < max_entries_per_commit).
  DbHold held(sqlite_->db());
  auto results = append_concurrently(*store_, org_, kCount, 4, [&] {
    wait_submitted(*store_, kCount);
    held.release();
  });
  expect_all_stored_with_distinct_seqs(results, kCount);
  EXPECT_LE(store_->commits(), 2u);
  EXPECT_EQ(store_->appended(), static_cast<std::uint64_t>(kCount));
  EXPECT_EQ(store_->pending(org_, 1000)->size(), static_cast<std::size_t>(kCount));
}

// Teardown order (a heap-use-after-free under ASan before): the writer thread must not touch a
// waiter's executor once the waiter's io_context may be gone. Each round's io_context is
// destroyed the moment its run() returns, while the store and its writer live on.
TEST_F(PresenceSyncStoreTest, AnIoContextMayGoAsSoonAsItsAppendsHaveCompleted) {
  testing::TempDir dir;
  open(dir.file("ccteams.db"));
  constexpr int kRounds = 100;
  for (int round = 0; round < kRounds; ++round) {
    auto results = append_concurrently(*store_, org_, 3, 2, nullptr);
    expect_all_stored_with_distinct_seqs(results, 3);
  }
  EXPECT_EQ(store_->appended(), static_cast<std::uint64_t>(3 * kRounds));
}

// Destroying the store while appends are queued (behind a held database) and one is being
// written: every waiter completes with its stored seq, and the io_context outlives none of it.
TEST_F(PresenceSyncStoreTest, DestroyingTheStoreWithAppendsQueuedAndInFlightCompletesThemAll) {
  testing::TempDir dir;
  const auto path = dir.file("ccteams.db");
  open(path);
  constexpr int kCount = 50;
  DbHold held(sqlite_->db());
  auto results = append_concurrently(*store_, org_, kCount, 2, [&] {
    wait_submitted(*store_, kCount);
    // The writer is blocked on the held database with its first batch in flight and the rest
    // queued. Destruction starts on another thread; the lock is released once it has.
    std::thread destroyer([&] { store_.reset(); });
    std::this_thread::sleep_for(20ms);  // lets the destructor begin; correctness needs no delay
    held.release();
    destroyer.join();
  });
  expect_all_stored_with_distinct_seqs(results, kCount);
  open(path);
  EXPECT_EQ(store_->pending(org_, 1000)->size(), static_cast<std::size_t>(kCount));
}

TEST_F(PresenceSyncStoreTest, FreeRunningConcurrentAppendsTakeFewerTransactionsThanAppends) {
  testing::TempDir dir;
  open(dir.file("ccteams.db"));
  constexpr int kCount = 300;
  auto results = append_concurrently(*store_, org_, kCount, 4, nullptr);
  expect_all_stored_with_distinct_seqs(results, kCount);
  EXPECT_LT(store_->commits(), static_cast<std::uint64_t>(kCount));
  EXPECT_EQ(store_->pending(org_, 1000)->size(), static_cast<std::size_t>(kCount));
}

TEST_F(PresenceSyncStoreTest, ReopenedDatabaseStillHasThePendingEntries) {
  testing::TempDir dir;
  const auto path = dir.file("ccteams.db");
  open(path);
  std::vector<std::int64_t> seqs;
  for (int i = 0; i < 3; ++i) {
    auto s = append_now(*store_, entry(org_, {"u" + std::to_string(i)}));
    ASSERT_TRUE(s);
    seqs.push_back(*s);
  }
  ASSERT_TRUE(store_->put_subscription(subscription("s1", org_)));
  // A restart: every object goes, the file stays.
  open(path);
  auto pending = store_->pending(org_, 10);
  ASSERT_TRUE(pending) << pending.error().message;
  ASSERT_EQ(pending->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*pending)[i].seq, seqs[i]);
    EXPECT_EQ((*pending)[i].batch.notifications.at(0).encrypted_content->data_key, "a2V5");
  }
  EXPECT_EQ(store_->list_subscriptions(org_)->size(), 1u);
  // Seqs keep growing after the restart.
  auto next = append_now(*store_, entry(org_, {"u9"}));
  ASSERT_TRUE(next);
  EXPECT_GT(*next, seqs.back());
}

TEST_F(PresenceSyncStoreTest, DestroyingTheStoreWritesWhatIsQueued) {
  testing::TempDir dir;
  const auto path = dir.file("ccteams.db");
  open(path);
  asio::io_context ioc;
  std::optional<Result<std::int64_t>> out;
  {
    auto conn = sqlite_->db().lock();  // keeps the writer from finishing before destruction
    asio::co_spawn(
        ioc,
        [&, e = entry(org_, {"u"})]() mutable -> asio::awaitable<void> {
          out.emplace(co_await store_->append(std::move(e)));
        },
        asio::detached);
    ioc.run_for(50ms);  // the append is queued and waits
    EXPECT_FALSE(out.has_value());
  }
  store_.reset();  // drains the queue, then stops the writer
  ioc.restart();
  ioc.run();
  ASSERT_TRUE(out.has_value());
  EXPECT_TRUE(*out);
  open(path);
  EXPECT_EQ(store_->pending(org_, 10)->size(), 1u);
}

}  // namespace
}  // namespace ccteams::store
