#include "adapters/pg/pg_presence_sync_inbox.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "adapters/pg/pg_db.hpp"
#include "adapters/pg/pg_inbox_wake.hpp"
#include "adapters/pg/pg_presence_sync_sql.hpp"
#include "adapters/pg/pg_rows.hpp"
#include "adapters/store/inbox_batch_json.hpp"

namespace ccteams::store {
namespace asio = boost::asio;
namespace sql = pg_presence_sync_sql;

namespace {

std::string_view kind_name(InboxKind k) {
  return k == InboxKind::lifecycle ? "lifecycle" : "change";
}

Error no_such_org() { return make_error(Errc::not_found, "no such organisation"); }

}  // namespace

// ---- Waiters (as SqlitePresenceSyncStore's: the reasons are there) ---------------------------

struct PgPresenceInboxWriter::Waiter {
  virtual ~Waiter() = default;
  // Called once, on the writer thread, after the entry's transaction ended.
  virtual void complete(Result<std::int64_t> result) = 0;
};

// Holds the awaiting coroutine's handler and a tracked copy of its executor, so that its
// io_context keeps running while the entry waits for its commit; `work` is destroyed last, on
// the writer thread, right after the completion was posted.
template <class Handler>
struct PgPresenceInboxWriter::HandlerWaiter final : PgPresenceInboxWriter::Waiter {
  using Work =
      std::decay_t<decltype(asio::prefer(std::declval<asio::associated_executor_t<Handler>>(),
                                         asio::execution::outstanding_work.tracked))>;

  explicit HandlerWaiter(Handler h)
      : work(asio::prefer(asio::get_associated_executor(h),
                          asio::execution::outstanding_work.tracked)),
        handler(std::move(h)) {}

  void complete(Result<std::int64_t> result) override {
    asio::post(work, [h = std::move(handler), r = std::move(result)]() mutable {
      std::move(h)(std::move(r));
    });
  }

  Work work;
  Handler handler;
};

// ---- Lifetime --------------------------------------------------------------------------------

PgPresenceInboxWriter::PgPresenceInboxWriter(std::unique_ptr<PgDb> db, PgInboxWriterOptions options)
    : db_(std::move(db)), options_(options) {
  if (options_.max_entries_per_commit == 0) options_.max_entries_per_commit = 1;
  {
    auto conn = db_->lock();
    auto rows = conn.query(sql::kSelectDurability);
    durable_ = rows && !rows->empty() && rows->boolean(0, 0);
  }
  // Once per process: every store opened on such a server says the same (the test cluster
  // runs with fsync off and opens many).
  static std::atomic<bool> warned{false};
  if (!durable_ && !warned.exchange(true)) {
    spdlog::warn(
        "presence inbox: PostgreSQL does not flush every commit to disk (fsync or "
        "synchronous_commit is off); acknowledged notifications may be lost on a crash");
  }
  writer_ = std::thread([this] { writer_loop(); });
}

PgPresenceInboxWriter::~PgPresenceInboxWriter() { stop(); }

void PgPresenceInboxWriter::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
}

// ---- Appends ---------------------------------------------------------------------------------

asio::awaitable<Result<std::int64_t>> PgPresenceInboxWriter::append(InboxEntry entry) {
  Pending p;
  p.org = entry.org;
  p.kind = entry.kind;
  p.received_at = entry.received_at;
  // Encoded here, on the caller's thread: the writer thread does only SQL.
  p.body = encode_inbox_batch(entry.batch);
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable),
                                          void(Result<std::int64_t>)>(
      [this](auto handler, Pending pending) {
        pending.waiter = std::make_unique<HandlerWaiter<decltype(handler)>>(std::move(handler));
        enqueue(std::move(pending));
      },
      asio::use_awaitable, std::move(p));
}

void PgPresenceInboxWriter::enqueue(Pending pending) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(pending));
      submitted_.fetch_add(1, std::memory_order_relaxed);
      wake_.notify_one();
      return;
    }
  }
  pending.waiter->complete(make_error(Errc::unavailable, "the presence inbox is shutting down"));
}

void PgPresenceInboxWriter::writer_loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything queued was written
    std::vector<Pending> batch;
    const std::size_t n = std::min(queue_.size(), options_.max_entries_per_commit);
    batch.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    auto results = write_batch(batch);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      batch[i].waiter->complete(std::move(results[i]));
      batch[i].waiter.reset();
    }
    lock.lock();
  }
}

std::vector<Result<std::int64_t>> PgPresenceInboxWriter::write_batch(
    const std::vector<Pending>& batch) {
  auto fail_all = [&](const Error& e) {
    return std::vector<Result<std::int64_t>>(batch.size(), Result<std::int64_t>(e));
  };
  std::vector<std::int64_t> orgs, received;
  std::vector<std::string_view> kinds, bodies;
  for (const auto& p : batch) {
    orgs.push_back(p.org.value);
    received.push_back(to_unix_millis(p.received_at));
    kinds.push_back(kind_name(p.kind));
    bodies.push_back(p.body);
  }
  const std::string org_param = pg_int_array(orgs), kind_param = pg_text_array(kinds),
                    received_param = pg_int_array(received), body_param = pg_text_array(bodies);
  constexpr int kMaxAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    auto conn = db_->lock();  // the outermost lock makes a lost connection again
    db_->clear_flags();
    auto tx = conn.begin();
    if (!tx) {
      // Nothing ran: a connection found dead here is made again once.
      if (db_->lost() && attempt == 1) continue;
      return fail_all(tx.error());
    }
    // One statement: no savepoint of its own (a failure ends the transaction, which is rolled
    // back as tx goes).
    auto rows = conn.query_unguarded(sql::kInsertInboxEntries,
                                     {org_param, kind_param, received_param, body_param});
    if (!rows) {
      // An organisation removed between the statement's check and its insert (a foreign-key
      // conflict), or a deadlock: nothing lasted, and the next run leaves that entry out.
      const bool again = rows.error().code == Errc::conflict || db_->must_retry();
      if (again && attempt < kMaxAttempts) continue;
      return fail_all(rows.error());
    }
    std::vector<Result<std::int64_t>> results(batch.size(), Result<std::int64_t>(no_such_org()));
    std::uint64_t stored = 0;
    std::vector<OrgId> woken;
    for (int r = 0; r < rows->size(); ++r) {
      const auto n = rows->int64(r, 0);
      if (n < 1 || n > static_cast<std::int64_t>(batch.size())) continue;
      results[static_cast<std::size_t>(n - 1)] = rows->int64(r, 1);
      woken.push_back(batch[static_cast<std::size_t>(n - 1)].org);
      ++stored;
    }
    // The owners' wake-up, in the same transaction: one NOTIFY per batch (not per entry: a
    // notifying commit holds a cluster-wide lock), delivered only if the entries commit.
    bool notified = true;
    if (!options_.notify) woken.clear();
    for (const auto& payload : inbox_wake_payloads(std::move(woken))) {
      auto wake = conn.query_unguarded(sql::kNotifyInbox, {payload});
      if (!wake) {
        if (db_->must_retry() && attempt < kMaxAttempts) {
          notified = false;
          break;
        }
        return fail_all(wake.error());
      }
    }
    if (!notified) continue;
    // Only a COMMIT that returned makes the entries acknowledged; a lost connection here leaves
    // the outcome unknown, and the callers are told unavailable (Graph delivers again).
    if (auto c = tx->commit(); !c) return fail_all(c.error());
    commits_.fetch_add(1, std::memory_order_relaxed);
    appended_.fetch_add(stored, std::memory_order_relaxed);
    return results;
  }
}

}  // namespace ccteams::store
