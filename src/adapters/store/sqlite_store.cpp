#include "adapters/store/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "adapters/store/sqlite_account_store.hpp"
#include "adapters/store/sqlite_connector_store.hpp"
#include "adapters/store/sqlite_contact_center_store.hpp"
#include "adapters/store/sqlite_directory_store.hpp"
#include "adapters/store/sqlite_sync_account_store.hpp"

namespace ccteams {
namespace {

namespace asio = boost::asio;

constexpr std::string_view kPing = "SELECT 1";

bool in_memory(const std::string& path) { return path == ":memory:" || path.empty(); }

Error stopped_error() {
  return make_error(Errc::unavailable, "the service is shutting down; try again shortly", 1);
}

}  // namespace

struct SqliteStore::Domain {
  explicit Domain(store::SqliteDb& db)
      : accounts(db), connectors(db), contact_center(db), directory(db), sync_accounts(db) {}
  store::SqliteAccountStore accounts;
  store::SqliteConnectorStore connectors;
  store::SqliteContactCenterStore contact_center;
  store::SqliteDirectoryStore directory;
  store::SqliteSyncAccountStore sync_accounts;
};

// The stores a Store::read job sees: the domain stores on the read-only connection. The presence
// sync store keeps one instance, on the writer's connection (its inbox has a writer thread of its
// own); a read of it from here takes that connection's mutex like any other caller.
struct SqliteStore::Reader final : Stores {
  Reader(std::unique_ptr<store::SqliteDb> reading, store::SqlitePresenceSyncStore& shared)
      : db(std::move(reading)), domain(*db), presence(shared) {}
  AccountStore& accounts() override { return domain.accounts; }
  ConnectorStore& connectors() override { return domain.connectors; }
  ContactCenterStore& contact_center() override { return domain.contact_center; }
  DirectoryStore& directory() override { return domain.directory; }
  PresenceSubscriptionStore& subscriptions() override { return presence; }
  PresenceInbox& inbox() override { return presence; }
  NotificationKeyStore& notification_keys() override { return presence; }
  SyncAccountStore& sync_accounts() override { return domain.sync_accounts; }

  std::unique_ptr<store::SqliteDb> db;
  Domain domain;
  store::SqlitePresenceSyncStore& presence;
  asio::thread_pool thread{1};
};

// A job waiting for the writer. `posted`: nobody awaits it (upkeep); it shares commits, and a
// failed commit is logged for it (the job logs only its own result).
struct SqliteStore::Queued {
  Job job;
  bool posted = false;
  bool groupable() const { return posted || job.fail != nullptr; }
};

// The writer: an io_context on one thread. Everything below `thread` is touched only there.
struct SqliteStore::Executor {
  asio::io_context writer{1};
  asio::executor_work_guard<asio::io_context::executor_type> keep{writer.get_executor()};
  std::thread thread;
  std::once_flag stopped_once;
  std::atomic<bool> stopped{false};
  std::atomic<std::uint64_t> group_commits{0};
  std::atomic<std::uint64_t> grouped_jobs{0};

  std::vector<Queued> pending;  // arrived since the last flush
  // What the pending jobs' callers wait on; cancelled once their jobs are committed.
  std::shared_ptr<asio::steady_timer> committed;
  bool flush_posted = false;
};

SqliteStore::SqliteStore(std::unique_ptr<store::SqliteDb> db,
                         std::unique_ptr<store::SqliteDb> reader_db, int schema_version,
                         const SqliteStoreOptions& options)
    : db_(std::move(db)),
      schema_version_(schema_version),
      domain_(std::make_unique<Domain>(*db_)),
      presence_(std::make_unique<store::SqlitePresenceSyncStore>(*db_, options.presence)),
      reader_(reader_db ? std::make_unique<Reader>(std::move(reader_db), *presence_) : nullptr),
      jobs_on_caller_(options.jobs_on_caller),
      max_jobs_per_commit_(std::max<std::size_t>(options.max_jobs_per_commit, 1)),
      executor_(std::make_unique<Executor>()) {
  executor_->thread = std::thread([this] { executor_->writer.run(); });
}

SqliteStore::~SqliteStore() { stop(); }

void SqliteStore::stop() {
  std::call_once(executor_->stopped_once, [this] {
    executor_->stopped = true;
    executor_->keep.reset();
    executor_->thread.join();  // runs what is queued, then the thread ends
    if (reader_) reader_->thread.join();
    presence_->stop();
  });
}

std::uint64_t SqliteStore::group_commits() const { return executor_->group_commits; }
std::uint64_t SqliteStore::grouped_jobs() const { return executor_->grouped_jobs; }

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       const SqliteStoreOptions& options) {
  auto db = store::SqliteDb::open(path, options.db);
  if (!db) return std::move(db).error();
  auto version = store::apply_migrations(**db, options.migrations);
  if (!version) return std::move(version).error();
  std::unique_ptr<store::SqliteDb> reader;
  // A private in-memory database cannot be opened twice; tests on simulated time run every job
  // on their own thread.
  if (options.reader && !options.jobs_on_caller && !in_memory(path)) {
    store::SqliteOptions reading = options.db;
    reading.read_only = true;
    auto opened = store::SqliteDb::open(path, reading);
    if (!opened) return std::move(opened).error();
    reader = std::move(*opened);
  }
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(std::move(*db), std::move(reader), *version, options));
}

AccountStore& SqliteStore::accounts() { return domain_->accounts; }
ConnectorStore& SqliteStore::connectors() { return domain_->connectors; }
ContactCenterStore& SqliteStore::contact_center() { return domain_->contact_center; }
DirectoryStore& SqliteStore::directory() { return domain_->directory; }
PresenceSubscriptionStore& SqliteStore::subscriptions() { return *presence_; }
PresenceInbox& SqliteStore::inbox() { return *presence_; }
NotificationKeyStore& SqliteStore::notification_keys() { return *presence_; }
SyncAccountStore& SqliteStore::sync_accounts() { return domain_->sync_accounts; }

asio::awaitable<void> SqliteStore::run_job(Job job) {
  if (jobs_on_caller_) {
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    job.work(*this);
    co_return;
  }
  if (executor_->stopped) {
    if (job.fail) {
      job.fail(stopped_error());
    } else {
      job.work(*this);  // cannot be told: done here, on the connection that is still open
    }
    co_return;
  }
  // co_spawn's completion resumes the caller through its own executor (its strand, if any).
  // Locals, not temporaries of the co_await expression (GCC 12 may destroy those twice).
  auto work = [this, &job]() -> asio::awaitable<void> { co_await enter(std::move(job)); };
  auto on_store = asio::co_spawn(executor_->writer, work, asio::use_awaitable);
  co_await std::move(on_store);
}

asio::awaitable<void> SqliteStore::read_job(Job job) {
  if (!reader_) {
    co_await run_job(std::move(job));
    co_return;
  }
  if (executor_->stopped) {
    if (job.fail) {
      job.fail(stopped_error());
    } else {
      job.work(*reader_);
    }
    co_return;
  }
  auto work = [this, &job]() -> asio::awaitable<void> {
    job.work(*reader_);
    co_return;
  };
  auto on_reader = asio::co_spawn(reader_->thread.get_executor(), work, asio::use_awaitable);
  co_await std::move(on_reader);
}

void SqliteStore::post(std::function<void(Stores&)> job) {
  if (jobs_on_caller_) {
    job(*this);  // the caller's own thread: a test's timer or its io_context
    return;
  }
  asio::post(executor_->writer, [this, job = std::move(job)]() mutable {
    queue(Queued{Job{std::move(job), {}}, true});
  });
}

// ---- the writer's thread ----

asio::awaitable<void> SqliteStore::enter(Job job) {
  Executor& ex = *executor_;
  if (!ex.committed) {
    ex.committed = std::make_shared<asio::steady_timer>(
        ex.writer, std::chrono::steady_clock::time_point::max());
  }
  auto committed = ex.committed;
  queue(Queued{std::move(job), false});
  boost::system::error_code cancelled;  // the flush cancels the wait: that is the signal
  co_await committed->async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
}

void SqliteStore::queue(Queued q) {
  Executor& ex = *executor_;
  ex.pending.push_back(std::move(q));
  if (ex.flush_posted) return;
  // After whatever else is queued already: those jobs join this flush.
  ex.flush_posted = true;
  asio::post(ex.writer, [this] { flush(); });
}

void SqliteStore::flush() {
  Executor& ex = *executor_;
  ex.flush_posted = false;
  std::vector<Queued> batch = std::move(ex.pending);
  ex.pending.clear();
  auto committed = std::move(ex.committed);
  ex.committed.reset();
  std::span<Queued> rest(batch);
  while (!rest.empty()) {
    if (!rest.front().groupable()) {
      rest.front().job.work(*this);  // alone, in its own transactions, as it wrote them
      rest = rest.subspan(1);
      continue;
    }
    std::size_t n = 1;
    while (n < rest.size() && n < max_jobs_per_commit_ && rest[n].groupable()) ++n;
    run_together(rest.first(n));
    rest = rest.subspan(n);
  }
  if (committed) committed->cancel();  // every caller of this batch resumes
}

// Jobs in one transaction: each job's own transactions are savepoints in it. Only the COMMIT
// makes any of them last; when it fails, or SQLite rolls the transaction back on its own (an I/O
// error, a full disk), each job of it is answered with the failure.
void SqliteStore::run_together(std::span<Queued> jobs) {
  auto fail = [](std::span<Queued> undone, const Error& why) {
    spdlog::error(
        "store: a transaction of {} jobs was rolled back ({}); each is answered with "
        "the failure",
        undone.size(), why.message);
    const Error answer =
        make_error(Errc::unavailable, "the database could not store this; try again shortly", 1);
    for (auto& q : undone) {
      if (q.job.fail) q.job.fail(answer);
    }
  };
  if (jobs.size() == 1) {
    jobs.front().job.work(*this);
    return;
  }
  auto conn = db_->lock();  // held to the COMMIT: the jobs lock it again on this thread
  std::optional<store::SqliteTransaction> tx;
  auto open = [&conn, &tx]() -> Result<void> {
    auto began = conn.begin();
    if (!began) return std::move(began).error();
    tx.emplace(std::move(*began));
    return ok();
  };
  std::size_t first = 0;  // the first job of the open transaction
  if (auto r = open(); !r) {
    // Not even BEGIN: each job alone meets the same trouble and reports it itself.
    for (auto& q : jobs) q.job.work(*this);
    return;
  }
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    jobs[k].job.work(*this);
    if (conn.in_transaction()) continue;
    tx.reset();
    fail(jobs.subspan(first, k + 1 - first),
         make_error(Errc::internal, "SQLite rolled the transaction back"));
    first = k + 1;
    if (first == jobs.size()) return;
    if (auto r = open(); !r) {
      for (auto& q : jobs.subspan(first)) q.job.work(*this);
      return;
    }
  }
  auto done = tx->commit();
  if (!done) {
    tx.reset();  // rolls back what is left
    fail(jobs.subspan(first), done.error());
    return;
  }
  executor_->group_commits.fetch_add(1, std::memory_order_relaxed);
  executor_->grouped_jobs.fetch_add(jobs.size() - first, std::memory_order_relaxed);
}

Result<void> SqliteStore::ping_on_executor() {
  auto conn = db_->lock();
  auto st = conn.prepare(kPing);
  if (!st) return std::move(st).error();
  return st->run();
}

}  // namespace ccteams
