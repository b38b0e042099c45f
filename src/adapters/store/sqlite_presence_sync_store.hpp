#pragma once
// PresenceSubscriptionStore and PresenceInbox on SQLite (schema: migrations/v8_presence_sync.hpp).
//
// Group commit. append() does not write: it queues the entry and suspends. One writer thread
// owned by this store takes everything queued, inserts it in ONE transaction, commits, and only
// then resumes each waiting coroutine (posted to that coroutine's own executor) with its seq.
// While the writer waits for a commit's fsync, new appends pile up and go together into the
// next transaction, so under load the cost of a sync is shared by every request that arrived
// meanwhile, with no timer and no added delay when the store is idle.
//
// Durability. The writer uses the shared SqliteDb connection (one writer per database file;
// a second connection would only contend through file locks). That connection runs in WAL mode
// with SqliteOptions::synchronous, FULL by default: each COMMIT returns after the WAL was
// fsync'ed, so an appended entry survives a process crash, an OS crash and a power loss. If the
// database were opened with NORMAL, a commit would survive a process crash but the last commits
// could be lost on power loss; the constructor logs a warning in that case, and
// synchronous_full() says which mode is in force.
//
// Thread-safety: every method may be called from any thread. append() completes on the
// awaiting coroutine's executor; the other calls are synchronous and each is atomic.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/ports/presence_sync_store.hpp"

namespace ccteams::store {

class SqliteDb;

struct PresenceSyncStoreOptions {
  // At most this many entries per transaction; a larger backlog takes several.
  std::size_t max_entries_per_commit = 512;
};

class SqlitePresenceSyncStore final : public PresenceSubscriptionStore,
                                      public PresenceInbox,
                                      public NotificationKeyStore {
 public:
  // db must outlive this store and be migrated to version 8 or later. Starts the writer thread.
  explicit SqlitePresenceSyncStore(SqliteDb& db, PresenceSyncStoreOptions options = {});
  // stop(), then the store goes.
  ~SqlitePresenceSyncStore() override;
  // Writes what is still queued (its waiters are completed), then stops and joins the writer;
  // appends that arrive after stop began complete with Errc::unavailable. Call it before the
  // io_context of any awaiting coroutine is stopped and destroyed: until it returns, the writer
  // may still be handing a completion to a coroutine's executor. Idempotent; call it from one
  // thread at a time.
  void stop();
  SqlitePresenceSyncStore(const SqlitePresenceSyncStore&) = delete;
  SqlitePresenceSyncStore& operator=(const SqlitePresenceSyncStore&) = delete;

  // PresenceSubscriptionStore. put_subscription: not_found when the organisation does not exist.
  Result<void> put_subscription(const PresenceSubscriptionRecord& record) override;
  Result<void> delete_subscription(const std::string& id) override;
  Result<std::vector<PresenceSubscriptionRecord>> list_subscriptions(OrgId org) override;
  Result<std::vector<PresenceSubscriptionRecord>> list_all_subscriptions() override;

  // PresenceInbox. append errors: not_found when the organisation does not exist (only that
  // entry fails; the others of its transaction are stored); unavailable or internal when the
  // transaction could not be committed (then none of its entries is stored). An entry whose body
  // can no longer be decoded (never written by this code) is returned by pending() with an empty
  // batch and logged, so that processing can remove it; the bulk-read channel repairs presence.
  boost::asio::awaitable<Result<std::int64_t>> append(InboxEntry entry) override;
  Result<std::vector<InboxEntry>> pending(OrgId org, std::size_t limit) override;
  Result<std::vector<OrgId>> orgs_with_pending() override;
  Result<void> remove(OrgId org, const std::vector<std::int64_t>& seqs) override;
  Result<void> clear(OrgId org) override;

  // The service's notification keyring, sealed (NotificationKeyring::seal): nullopt before the
  // first save. save_keyring replaces it in one statement, so a crash leaves the old or the new.
  Result<std::optional<std::string>> load_keyring() override;
  Result<void> save_keyring(const std::string& sealed, Timestamp at) override;

  // Transactions the writer has committed (for tests and metrics): with N concurrent appends
  // this grows by far less than N.
  std::uint64_t commits() const { return commits_.load(std::memory_order_relaxed); }
  // Appends handed to the writer so far (queued, being written, or done).
  std::uint64_t submitted() const { return submitted_.load(std::memory_order_relaxed); }
  // Entries appended and committed.
  std::uint64_t appended() const { return appended_.load(std::memory_order_relaxed); }
  // True when commits are fsync'ed (PRAGMA synchronous FULL or EXTRA) on the connection.
  bool synchronous_full() const { return synchronous_full_; }

 private:
  // One suspended append; complete() posts its result to the waiter's executor (.cpp).
  struct Waiter;
  template <class Handler>
  struct HandlerWaiter;
  struct Pending {
    OrgId org;
    InboxKind kind = InboxKind::change;
    Timestamp received_at{};
    std::string body;
    std::unique_ptr<Waiter> waiter;
  };

  void enqueue(Pending pending);
  void writer_loop();
  // Inserts batch in one transaction and commits; one result per entry.
  std::vector<Result<std::int64_t>> write_batch(const std::vector<Pending>& batch);

  SqliteDb& db_;
  PresenceSyncStoreOptions options_;
  bool synchronous_full_ = false;
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> appended_{0};
  std::atomic<std::uint64_t> submitted_{0};

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;  // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  std::thread writer_;         // last: started once everything above exists
};

}  // namespace ccteams::store
