// The presence-sync store on every backend (SQLite and PostgreSQL): every field of
// subscriptions and inbox entries survives a round trip; the inbox is per organisation and
// oldest first; concurrent appends are committed by group commit (few transactions, distinct
// seqs), and a reopened store still holds what was appended before (a restart loses nothing
// acknowledged).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "adapters/graph/graph_json.hpp"
#include "adapters/store/sqlite_presence_sync_store.hpp"
#include "adapters/store/store_backends_test_support.hpp"

namespace ccteams::store {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::StoreBackend;

const Timestamp kT0 = from_unix_millis(1'790'000'000'000);

Result<std::int64_t> append_now(PresenceInbox& inbox, InboxEntry entry) {
  asio::io_context ioc;
  std::optional<Result<std::int64_t>> out;
  asio::co_spawn(
      ioc, [&]() -> asio::awaitable<void> { out.emplace(co_await inbox.append(std::move(entry))); },
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

class PresenceSyncStoreTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override { reopen(); }

  // Opens the backend's store (on the same storage after the first time): a restart.
  void reopen() {
    backend_.close();
    ASSERT_EQ(backend_.open(), "");
    org_ = org_or_create("A");
    other_ = org_or_create("B");
    subscriptions_ = &backend_.stores().subscriptions();
    inbox_ = &backend_.stores().inbox();
    keys_ = &backend_.stores().notification_keys();
  }

  OrgId org_or_create(const std::string& name) {
    auto& accounts = backend_.stores().accounts();
    if (auto found = accounts.find_org_by_name(name)) return found->id;
    return accounts.create_org(name, kT0)->id;
  }

  testing::BackendStore backend_{GetParam()};
  PresenceSubscriptionStore* subscriptions_ = nullptr;
  PresenceInbox* inbox_ = nullptr;
  NotificationKeyStore* keys_ = nullptr;
  OrgId org_, other_;
};

// ---- Subscriptions

TEST_P(PresenceSyncStoreTest, SubscriptionKeepsEveryField) {
  ASSERT_TRUE(subscriptions_->put_subscription(subscription("s1", org_)));
  auto list = subscriptions_->list_subscriptions(org_);
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

TEST_P(PresenceSyncStoreTest, KeyringIsAbsentUntilSavedThenReplacedAndSurvivesAReopen) {
  auto none = keys_->load_keyring();
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(keys_->save_keyring("v1.first", kT0));
  ASSERT_TRUE(keys_->save_keyring("v1.second", kT0 + 1min));
  reopen();
  auto back = keys_->load_keyring();
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->value_or(""), "v1.second");
  EXPECT_EQ(backend_.query_int("SELECT COUNT(*) FROM notification_keyring"), 1);
}

TEST_P(PresenceSyncStoreTest, PutReplacesByIdAndDeleteIsIdempotent) {
  ASSERT_TRUE(subscriptions_->put_subscription(subscription("s1", org_)));
  auto renewed = subscription("s1", org_);
  renewed.expiration = kT0 + 2h;
  renewed.health = StoredSubscriptionHealth::ok;
  renewed.user_ids = {};
  renewed.include_resource_data = false;
  ASSERT_TRUE(subscriptions_->put_subscription(renewed));
  auto list = subscriptions_->list_subscriptions(org_);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].expiration, kT0 + 2h);
  EXPECT_EQ((*list)[0].health, StoredSubscriptionHealth::ok);
  EXPECT_TRUE((*list)[0].user_ids.empty());
  EXPECT_FALSE((*list)[0].include_resource_data);

  EXPECT_TRUE(subscriptions_->delete_subscription("s1"));
  EXPECT_TRUE(subscriptions_->delete_subscription("s1"));
  EXPECT_TRUE(subscriptions_->list_subscriptions(org_)->empty());
}

TEST_P(PresenceSyncStoreTest, SubscriptionsAreListedPerOrgAndAll) {
  ASSERT_TRUE(subscriptions_->put_subscription(subscription("a1", org_)));
  ASSERT_TRUE(subscriptions_->put_subscription(subscription("b1", other_)));
  auto removed = subscription("a2", org_);
  removed.health = StoredSubscriptionHealth::removed;
  removed.created_at = kT0 + 1s;
  ASSERT_TRUE(subscriptions_->put_subscription(removed));

  auto mine = subscriptions_->list_subscriptions(org_);
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].id, "a1");
  EXPECT_EQ((*mine)[1].id, "a2");
  EXPECT_EQ((*mine)[1].health, StoredSubscriptionHealth::removed);
  auto theirs = subscriptions_->list_subscriptions(other_);
  ASSERT_TRUE(theirs);
  ASSERT_EQ(theirs->size(), 1u);
  EXPECT_EQ((*theirs)[0].id, "b1");
  auto all = subscriptions_->list_all_subscriptions();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 3u);
}

TEST_P(PresenceSyncStoreTest, SubscriptionOfAnUnknownOrgIsNotFound) {
  auto r = subscriptions_->put_subscription(subscription("s1", OrgId{9999}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
}

TEST_P(PresenceSyncStoreTest, SubscriptionsGoWithTheirOrganisation) {
  ASSERT_TRUE(subscriptions_->put_subscription(subscription("s1", other_)));
  ASSERT_TRUE(append_now(*inbox_, entry(other_, {"u1"})));
  ASSERT_EQ(backend_.exec("DELETE FROM organisations WHERE id = " + std::to_string(other_.value)),
            "");
  EXPECT_TRUE(subscriptions_->list_all_subscriptions()->empty());
  EXPECT_TRUE(inbox_->orgs_with_pending()->empty());
}

// ---- Inbox

TEST_P(PresenceSyncStoreTest, InboxEntryKeepsEveryField) {
  auto e = entry(org_, {"u1", "u2"});
  e.batch.validation_tokens = {"eyJ0eXAiOiJKV1QifQ.e30.c2ln", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"};
  ChangeNotification bare;  // only what Graph must send, every optional absent
  bare.subscription_id = "s-basic";
  bare.change_type = "updated";
  bare.resource = "communications/presences/u3";
  e.batch.notifications.push_back(bare);
  e.received_at = kT0 + 123ms;
  auto seq = append_now(*inbox_, e);
  ASSERT_TRUE(seq) << seq.error().message;
  EXPECT_GT(*seq, 0);

  auto pending = inbox_->pending(org_, 10);
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

TEST_P(PresenceSyncStoreTest, LifecycleEntryKeepsItsKindAndEvent) {
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
  ASSERT_TRUE(append_now(*inbox_, e));
  auto pending = inbox_->pending(org_, 10);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].kind, InboxKind::lifecycle);
  EXPECT_EQ((*pending)[0].batch.notifications.at(0).lifecycle_event_text,
            "reauthorizationRequired");
  EXPECT_FALSE((*pending)[0].batch.notifications.at(0).resource.has_value());
}

TEST_P(PresenceSyncStoreTest, PendingIsOldestFirstLimitedAndPerOrg) {
  std::vector<std::int64_t> seqs;
  for (int i = 0; i < 5; ++i) {
    auto s = append_now(*inbox_, entry(org_, {"u" + std::to_string(i)}));
    ASSERT_TRUE(s);
    seqs.push_back(*s);
    ASSERT_TRUE(append_now(*inbox_, entry(other_, {"x" + std::to_string(i)})));
  }
  auto first = inbox_->pending(org_, 3);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*first)[i].seq, seqs[i]);
    EXPECT_EQ((*first)[i].batch.notifications.at(0).resource,
              "communications/presences/u" + std::to_string(i));
    EXPECT_EQ((*first)[i].org, org_);
  }
  EXPECT_LT(seqs[0], seqs[1]);
  auto orgs = inbox_->orgs_with_pending();
  ASSERT_TRUE(orgs);
  EXPECT_EQ(*orgs, (std::vector<OrgId>{org_, other_}));
}

TEST_P(PresenceSyncStoreTest, RemoveDeletesOnlyTheNamedEntriesOfThatOrg) {
  auto a = append_now(*inbox_, entry(org_, {"u1"}));
  auto b = append_now(*inbox_, entry(org_, {"u2"}));
  auto c = append_now(*inbox_, entry(other_, {"u3"}));
  ASSERT_TRUE(a && b && c);
  // c belongs to the other org and 999999 does not exist: both ignored.
  ASSERT_TRUE(inbox_->remove(org_, {*a, *c, 999999}));
  auto mine = inbox_->pending(org_, 10);
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].seq, *b);
  EXPECT_EQ(inbox_->pending(other_, 10)->size(), 1u);
  EXPECT_TRUE(inbox_->remove(org_, {}));
}

TEST_P(PresenceSyncStoreTest, ClearEmptiesOneOrgOnly) {
  ASSERT_TRUE(append_now(*inbox_, entry(org_, {"u1"})));
  ASSERT_TRUE(append_now(*inbox_, entry(org_, {"u2"})));
  ASSERT_TRUE(append_now(*inbox_, entry(other_, {"u3"})));
  ASSERT_TRUE(inbox_->clear(org_));
  EXPECT_TRUE(inbox_->pending(org_, 10)->empty());
  EXPECT_EQ(inbox_->pending(other_, 10)->size(), 1u);
  EXPECT_EQ(*inbox_->orgs_with_pending(), std::vector<OrgId>{other_});
}

TEST_P(PresenceSyncStoreTest, AppendForAnUnknownOrgFailsAlone) {
  auto r = append_now(*inbox_, entry(OrgId{9999}, {"u1"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_TRUE(append_now(*inbox_, entry(org_, {"u1"})));
}

// Runs `count` appends at once from coroutines on `threads` I/O threads, each on its own strand
// (as the HTTP server runs connections); returns their results. while_running runs on the
// calling thread once the I/O threads have started.
std::vector<Result<std::int64_t>> append_concurrently(PresenceInbox& inbox, OrgId org, int count,
                                                      int threads,
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
void wait_submitted(testing::BackendStore& backend, std::uint64_t count) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (backend.inbox_submitted() < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_EQ(backend.inbox_submitted(), count);
}

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

TEST_P(PresenceSyncStoreTest, ConcurrentAppendsShareTransactions) {
  // SQLite: every commit is fsync'ed (WAL, synchronous FULL). The PostgreSQL test cluster runs
  // with fsync off (its data is thrown away), so durability is not asked of it here.
  if (auto* sqlite = backend_.sqlite()) {
    ASSERT_TRUE(sqlite->presence_sync().synchronous_full());
  }
  constexpr int kCount = 200;
  // The writer is held before the first append is submitted, so the group is certain however
  // the threads are scheduled: the writer takes one batch (the appends queued when it woke) and
  // blocks on the hold; everything submitted meanwhile waits and, once the hold is released,
  // goes in exactly one more transaction (kCount < max_entries_per_commit).
  auto held = backend_.hold_inbox();
  auto results = append_concurrently(*inbox_, org_, kCount, 4, [&] {
    wait_submitted(backend_, kCount);
    held->release();
  });
  expect_all_stored_with_distinct_seqs(results, kCount);
  EXPECT_LE(backend_.inbox_commits(), 2u);
  EXPECT_EQ(backend_.inbox_appended(), static_cast<std::uint64_t>(kCount));
  EXPECT_EQ(inbox_->pending(org_, 1000)->size(), static_cast<std::size_t>(kCount));
}

// Teardown order (a heap-use-after-free under ASan before): the writer thread must not touch a
// waiter's executor once the waiter's io_context may be gone. Each round's io_context is
// destroyed the moment its run() returns, while the store and its writer live on.
TEST_P(PresenceSyncStoreTest, AnIoContextMayGoAsSoonAsItsAppendsHaveCompleted) {
  constexpr int kRounds = 100;
  for (int round = 0; round < kRounds; ++round) {
    auto results = append_concurrently(*inbox_, org_, 3, 2, nullptr);
    expect_all_stored_with_distinct_seqs(results, 3);
  }
  EXPECT_EQ(backend_.inbox_appended(), static_cast<std::uint64_t>(3 * kRounds));
}

// Destroying the store while appends are queued (behind a held writer) and one is being
// written: every waiter completes with its stored seq, and the io_context outlives none of it.
TEST_P(PresenceSyncStoreTest, DestroyingTheStoreWithAppendsQueuedAndInFlightCompletesThemAll) {
  constexpr int kCount = 50;
  auto held = backend_.hold_inbox();
  auto results = append_concurrently(*inbox_, org_, kCount, 2, [&] {
    wait_submitted(backend_, kCount);
    // The writer is blocked on the hold with its first batch in flight and the rest queued.
    // Destruction starts on another thread; the hold is released once it has.
    std::thread destroyer([&] { backend_.close(); });
    std::this_thread::sleep_for(20ms);  // lets the destructor begin; correctness needs no delay
    held->release();
    destroyer.join();
  });
  expect_all_stored_with_distinct_seqs(results, kCount);
  reopen();
  EXPECT_EQ(inbox_->pending(org_, 1000)->size(), static_cast<std::size_t>(kCount));
}

TEST_P(PresenceSyncStoreTest, FreeRunningConcurrentAppendsTakeFewerTransactionsThanAppends) {
  constexpr int kCount = 300;
  auto results = append_concurrently(*inbox_, org_, kCount, 4, nullptr);
  expect_all_stored_with_distinct_seqs(results, kCount);
  EXPECT_LT(backend_.inbox_commits(), static_cast<std::uint64_t>(kCount));
  EXPECT_EQ(inbox_->pending(org_, 1000)->size(), static_cast<std::size_t>(kCount));
}

TEST_P(PresenceSyncStoreTest, ReopenedStoreStillHasThePendingEntries) {
  std::vector<std::int64_t> seqs;
  for (int i = 0; i < 3; ++i) {
    auto s = append_now(*inbox_, entry(org_, {"u" + std::to_string(i)}));
    ASSERT_TRUE(s);
    seqs.push_back(*s);
  }
  ASSERT_TRUE(subscriptions_->put_subscription(subscription("s1", org_)));
  // A restart: every object goes, the storage stays.
  reopen();
  auto pending = inbox_->pending(org_, 10);
  ASSERT_TRUE(pending) << pending.error().message;
  ASSERT_EQ(pending->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*pending)[i].seq, seqs[i]);
    EXPECT_EQ((*pending)[i].batch.notifications.at(0).encrypted_content->data_key, "a2V5");
  }
  EXPECT_EQ(subscriptions_->list_subscriptions(org_)->size(), 1u);
  // Seqs keep growing after the restart.
  auto next = append_now(*inbox_, entry(org_, {"u9"}));
  ASSERT_TRUE(next);
  EXPECT_GT(*next, seqs.back());
}

TEST_P(PresenceSyncStoreTest, DestroyingTheStoreWritesWhatIsQueued) {
  asio::io_context ioc;
  std::optional<Result<std::int64_t>> out;
  {
    auto held = backend_.hold_inbox();  // keeps the writer from finishing before destruction
    asio::co_spawn(
        ioc,
        [&, e = entry(org_, {"u"})]() mutable -> asio::awaitable<void> {
          out.emplace(co_await inbox_->append(std::move(e)));
        },
        asio::detached);
    ioc.run_for(50ms);  // the append is queued and waits
    EXPECT_FALSE(out.has_value());
  }
  backend_.close();  // drains the queue, then stops the writer
  ioc.restart();
  ioc.run();
  ASSERT_TRUE(out.has_value());
  EXPECT_TRUE(*out);
  reopen();
  EXPECT_EQ(inbox_->pending(org_, 10)->size(), 1u);
}

// An entry of an organisation that does not exist, written together with others: only it fails.
TEST_P(PresenceSyncStoreTest, AnUnknownOrgInABatchFailsOnlyItsOwnEntry) {
  asio::io_context ioc;
  std::vector<std::optional<Result<std::int64_t>>> out(3);
  std::vector<InboxEntry> entries{entry(org_, {"u1"}), entry(OrgId{9999}, {"u2"}),
                                  entry(other_, {"u3"})};
  {
    auto held = backend_.hold_inbox();
    for (std::size_t i = 0; i < entries.size(); ++i) {
      auto append_one = [&, i]() -> asio::awaitable<void> {
        out[i].emplace(co_await inbox_->append(std::move(entries[i])));
      };
      asio::co_spawn(ioc, append_one, asio::detached);
    }
    ioc.run_for(50ms);  // all three queued behind the hold
  }
  ioc.restart();
  ioc.run();
  ASSERT_TRUE(out[0] && out[1] && out[2]);
  EXPECT_TRUE(*out[0]);
  ASSERT_FALSE(*out[1]);
  EXPECT_EQ(out[1]->error().code, Errc::not_found);
  EXPECT_TRUE(*out[2]);
  EXPECT_EQ(inbox_->pending(org_, 10)->size(), 1u);
  EXPECT_EQ(inbox_->pending(other_, 10)->size(), 1u);
}

// Bodies pass through the batch insert's array parameter unchanged, whatever they hold.
TEST_P(PresenceSyncStoreTest, AppendKeepsQuotesBackslashesAndBracesInTheBody) {
  auto e = entry(org_, {"u1"});
  e.batch.notifications[0].client_state = R"(a"b\c{d},e\\"f)";
  e.batch.validation_tokens = {"x,y", "{}", "\"", "\\"};
  ASSERT_TRUE(append_now(*inbox_, e));
  auto pending = inbox_->pending(org_, 10);
  ASSERT_TRUE(pending) << pending.error().message;
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].batch.notifications.at(0).client_state, R"(a"b\c{d},e\\"f)");
  EXPECT_EQ((*pending)[0].batch.validation_tokens, e.batch.validation_tokens);
}

INSTANTIATE_TEST_SUITE_P(Backends, PresenceSyncStoreTest, testing::kAllBackends,
                         testing::backend_name);

}  // namespace
}  // namespace ccteams::store
