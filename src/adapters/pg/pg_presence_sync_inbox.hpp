#pragma once
// The presence inbox's writer on PostgreSQL: group commit for PresenceInbox::append, the twin
// of SqlitePresenceSyncStore's writer (sqlite_presence_sync_store.hpp).
//
// append() does not write: it queues the entry and suspends. One thread owned by the writer,
// with a connection of its own, takes everything queued, inserts it with ONE multi-row INSERT
// in one transaction, commits, and only once COMMIT returned resumes each waiting coroutine
// (posted to that coroutine's own executor) with its seq, or with the failure. While a commit
// waits for its WAL flush, new appends pile up and go together into the next transaction, so
// the cost of a flush is shared by every request that arrived meanwhile, with no timer and no
// added delay when the inbox is idle. Nothing is acknowledged before it is durable.
//
// Durability: a COMMIT returns after the WAL flush unless the server runs with fsync off or the
// session with synchronous_commit off; the constructor reads both and logs a warning (once per
// process) when an acknowledged entry could be lost on a crash (durable() says which).
//
// Thread-safety: every method may be called from any thread. append() completes on the awaiting
// coroutine's executor.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/ports/presence_sync_store.hpp"

namespace ccteams::store {

class PgDb;

struct PgInboxWriterOptions {
  // At most this many entries per transaction; a larger backlog takes several.
  std::size_t max_entries_per_commit = 512;
  // Each transaction also NOTIFYs the organisations it stored entries for, in the same
  // transaction (pg_inbox_wake.hpp): on with several instances.
  bool notify = false;
};

class PgPresenceInboxWriter {
 public:
  // db: the writer's own connection (made on first use), to a migrated database. Starts the
  // writer thread.
  explicit PgPresenceInboxWriter(std::unique_ptr<PgDb> db, PgInboxWriterOptions options = {});
  // stop(), then the writer goes.
  ~PgPresenceInboxWriter();
  PgPresenceInboxWriter(const PgPresenceInboxWriter&) = delete;
  PgPresenceInboxWriter& operator=(const PgPresenceInboxWriter&) = delete;

  // Writes what is still queued (its waiters are completed), then stops and joins the thread;
  // appends that arrive after stop began complete with Errc::unavailable. Call it before the
  // io_context of any awaiting coroutine is destroyed. Idempotent.
  void stop();

  // PresenceInbox::append. Errors: not_found when the organisation does not exist (only that
  // entry fails; the others of its transaction are stored); unavailable when the transaction
  // could not be committed or its outcome is unknown (the connection was lost under it: the
  // webhook answers 503 and Graph delivers again); none of its entries is then acknowledged.
  boost::asio::awaitable<Result<std::int64_t>> append(InboxEntry entry);

  // Transactions committed (with N concurrent appends this grows by far less than N).
  std::uint64_t commits() const { return commits_.load(std::memory_order_relaxed); }
  // Appends handed to the writer so far (queued, being written, or done).
  std::uint64_t submitted() const { return submitted_.load(std::memory_order_relaxed); }
  // Entries appended and committed.
  std::uint64_t appended() const { return appended_.load(std::memory_order_relaxed); }
  // True when a COMMIT returns only after its WAL flush (fsync on, synchronous_commit not off).
  bool durable() const { return durable_; }

 private:
  struct Waiter;  // one suspended append (.cpp)
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

  std::unique_ptr<PgDb> db_;
  PgInboxWriterOptions options_;
  bool durable_ = false;
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
