#include "adapters/pg/pg_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "adapters/pg/pg_account_store.hpp"
#include "adapters/pg/pg_connector_store.hpp"
#include "adapters/pg/pg_contact_center_store.hpp"
#include "adapters/pg/pg_db.hpp"
#include "adapters/pg/pg_directory_store.hpp"
#include "adapters/pg/pg_lease_sql.hpp"
#include "adapters/pg/pg_migrations.hpp"
#include "adapters/pg/pg_presence_sync_inbox.hpp"
#include "adapters/pg/pg_presence_sync_store.hpp"
#include "adapters/pg/pg_rows.hpp"
#include "adapters/pg/pg_sync_account_store.hpp"
#include "app/ports/org_lease_store.hpp"

namespace ccteams {
namespace {

namespace asio = boost::asio;

// SERIALIZABLE: a job's reads and the writes they decide are atomic with respect to every other
// job, as they are on SQLite's single writer, while jobs of several workers run at once. The
// price is a rerun on 40001/40P01 (docs/postgresql.md, "Transactions").
constexpr std::string_view kBeginJob = "BEGIN ISOLATION LEVEL SERIALIZABLE";
// A read job decides no write: one snapshot, taken when it starts, is all it needs. REPEATABLE
// READ gives exactly that, and a read-only transaction never fails with 40001 there.
constexpr std::string_view kBeginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
constexpr std::string_view kPing = "SELECT 1";
// Any constant of our own (the migrations' lock is another): held by the one serving instance.
constexpr std::string_view kClaimSoleInstance = "SELECT pg_try_advisory_lock(7263304945127356)";

Error stopped_error() {
  return make_error(Errc::unavailable, "the service is shutting down; try again shortly", 1);
}

// Waits a little, more after each rerun, so that two jobs that keep colliding stop colliding.
void back_off(int attempt) {
  thread_local std::minstd_rand random{std::random_device{}()};
  const int ceiling_ms = std::min(50, 1 << std::min(attempt, 6));
  std::uniform_int_distribution<int> pick(0, ceiling_ms);
  std::this_thread::sleep_for(std::chrono::milliseconds(pick(random)));
}

// The session settings of every connection of the store (idle_in_transaction_timeout).
std::string session_setup(const PgStoreOptions& options) {
  if (options.idle_in_transaction_timeout.count() <= 0) return {};
  return "SET idle_in_transaction_session_timeout = " +
         std::to_string(options.idle_in_transaction_timeout.count());
}

std::unique_ptr<store::PgDb> worker_db(const PgStoreOptions& options) {
  auto db = store::PgDb::deferred(options.conninfo, options.password);
  (void)db->set_session_setup(session_setup(options));  // not connected: cannot fail
  return db;
}

}  // namespace

// One connection and the stores on it. A worker is used by one thread at a time.
struct PgStore::Worker final : Stores, LeaseFenceCheck {
  Worker(std::unique_ptr<store::PgDb> connection, store::PgPresenceInboxWriter& inbox_writer)
      : db(std::move(connection)),
        account_store(*db),
        connector_store(*db),
        contact_center_store(*db),
        directory_store(*db),
        presence_store(*db, inbox_writer),
        sync_account_store(*db) {}

  AccountStore& accounts() override { return account_store; }
  ConnectorStore& connectors() override { return connector_store; }
  ContactCenterStore& contact_center() override { return contact_center_store; }
  DirectoryStore& directory() override { return directory_store; }
  PresenceSubscriptionStore& subscriptions() override { return presence_store; }
  PresenceInbox& inbox() override { return presence_store; }
  NotificationKeyStore& notification_keys() override { return presence_store; }
  SyncAccountStore& sync_accounts() override { return sync_account_store; }

  // LeaseFenceCheck
  Result<void> check_fence(const LeaseFence& fence) override {
    auto conn = db->lock();
    auto rows = conn.query(store::kCheckFence, {fence.org.value, fence.owner, fence.token});
    if (!rows) return std::move(rows).error();
    if (!rows->empty()) return ok();
    return make_error(Errc::conflict,
                      "fenced: this instance does not hold organisation " +
                          std::to_string(fence.org.value) +
                          "'s lease (another instance owns it, or took it over); nothing was "
                          "written: try again on the instance that owns it");
  }

  std::unique_ptr<store::PgDb> db;
  store::PgAccountStore account_store;
  store::PgConnectorStore connector_store;
  store::PgContactCenterStore contact_center_store;
  store::PgDirectoryStore directory_store;
  store::PgPresenceSyncStore presence_store;
  store::PgSyncAccountStore sync_account_store;
};

// The worker threads and their connections. As many workers as threads, and a thread holds at
// most one worker at a time, so a thread always finds a free one.
struct PgStore::Pool {
  explicit Pool(std::size_t n) : threads(n) {}
  asio::thread_pool threads;
  std::mutex mu;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<Worker*> free;  // guarded by mu
  std::once_flag stopped_once;
  std::atomic<bool> stopped{false};
  std::atomic<std::uint64_t> retries{0};
};

namespace {
// The worker the current pool thread runs a job on (ping uses its connection).
thread_local Stores* tls_current = nullptr;
}  // namespace

PgStore::PgStore(const PgStoreOptions& options, int schema_version)
    : conninfo_(options.conninfo),
      password_(options.password),
      schema_version_(schema_version),
      max_attempts_(std::max(options.max_attempts, 1)),
      jobs_on_caller_(options.jobs_on_caller),
      inbox_writer_(std::make_unique<store::PgPresenceInboxWriter>(
          worker_db(options), store::PgInboxWriterOptions{.notify = options.notify_inbox})),
      pool_(std::make_unique<Pool>(std::max<std::size_t>(options.connections, 1))) {
  const std::size_t n = std::max<std::size_t>(options.connections, 1);
  for (std::size_t i = 0; i < n; ++i) {
    pool_->workers.push_back(std::make_unique<Worker>(worker_db(options), *inbox_writer_));
    pool_->free.push_back(pool_->workers.back().get());
  }
}

PgStore::~PgStore() { stop(); }

void PgStore::stop() {
  std::call_once(pool_->stopped_once, [this] {
    pool_->stopped = true;
    pool_->threads.join();  // runs what is queued, then the threads end
    inbox_writer_->stop();  // writes the appends queued, then its thread ends
  });
}

std::uint64_t PgStore::retries() const { return pool_->retries; }

Result<void> PgStore::claim_sole_instance() {
  if (sole_instance_) return ok();
  auto db = store::PgDb::open(conninfo_, password_);
  if (!db) return std::move(db).error();
  bool claimed = false;
  {
    auto conn = (*db)->lock();
    auto rows = conn.query(kClaimSoleInstance);
    if (!rows) return std::move(rows).error();
    claimed = !rows->empty() && rows->boolean(0, 0);
  }
  if (!claimed) {
    return make_error(Errc::conflict,
                      "another ccteams serve is using this PostgreSQL database: one instance per "
                      "database for now (several instances need leases, a later part of issue "
                      "16; docs/postgresql.md)");
  }
  sole_instance_ = std::move(*db);
  return ok();
}

Result<std::unique_ptr<PgStore>> PgStore::open(const PgStoreOptions& options) {
  auto db = store::PgDb::open(options.conninfo, options.password);
  if (!db) return std::move(db).error();
  auto migrations = options.migrations.empty() ? store::pg_migrations() : options.migrations;
  auto version = store::apply_pg_migrations(**db, migrations);
  if (!version) return std::move(version).error();
  if (auto r = (*db)->set_session_setup(session_setup(options)); !r) return std::move(r).error();
  std::unique_ptr<PgStore> opened(new PgStore(options, *version));
  opened->direct_ = std::make_unique<Worker>(std::move(*db), *opened->inbox_writer_);
  return opened;
}

AccountStore& PgStore::accounts() { return direct_->accounts(); }
ConnectorStore& PgStore::connectors() { return direct_->connectors(); }
ContactCenterStore& PgStore::contact_center() { return direct_->contact_center(); }
DirectoryStore& PgStore::directory() { return direct_->directory(); }
PresenceSubscriptionStore& PgStore::subscriptions() { return direct_->subscriptions(); }
PresenceInbox& PgStore::inbox() { return direct_->inbox(); }
NotificationKeyStore& PgStore::notification_keys() { return direct_->notification_keys(); }
SyncAccountStore& PgStore::sync_accounts() { return direct_->sync_accounts(); }

asio::awaitable<void> PgStore::run_job(Job job) { co_await on_pool(std::move(job), false); }

asio::awaitable<void> PgStore::read_job(Job job) { co_await on_pool(std::move(job), true); }

asio::awaitable<void> PgStore::on_pool(Job job, bool read_only) {
  if (jobs_on_caller_) {
    auto caller = co_await asio::this_coro::executor;
    co_await asio::post(caller, asio::use_awaitable);
    execute_on(*direct_, job, read_only);
    co_return;
  }
  if (pool_->stopped) {
    if (job.fail) {
      job.fail(stopped_error());
    } else {
      execute_on(*direct_, job, read_only);  // cannot be told: done here, on the caller's thread
    }
    co_return;
  }
  // co_spawn's completion resumes the caller through its own executor (its strand, if any).
  // Locals, not temporaries of the co_await expression (GCC 12 may destroy those twice).
  auto work = [this, &job, read_only]() -> asio::awaitable<void> {
    execute(job, read_only);
    co_return;
  };
  auto op = asio::co_spawn(pool_->threads, work, asio::use_awaitable);
  co_await std::move(op);
}

void PgStore::post(std::function<void(Stores&)> job) {
  if (jobs_on_caller_) {
    Job posted{std::move(job), {}};
    execute_on(*direct_, posted, false);  // the caller's own thread: a test's timer or io_context
    return;
  }
  if (pool_->stopped) return;
  asio::post(pool_->threads, [this, job = std::move(job)]() mutable {
    Job posted{std::move(job), {}};
    execute(posted, false);
  });
}

// ---- pool threads ----

void PgStore::execute(Job& job, bool read_only) {
  Worker* worker = nullptr;
  {
    std::lock_guard lock(pool_->mu);
    worker = pool_->free.back();
    pool_->free.pop_back();
  }
  execute_on(*worker, job, read_only);
  std::lock_guard lock(pool_->mu);
  pool_->free.push_back(worker);
}

// One job, one transaction. A rerun starts from scratch: the job computes its result from the
// store only, and the last run's result is the one its caller gets (store.hpp).
void PgStore::execute_on(Worker& worker, Job& job, bool read_only) {
  auto answer = [&job](const Error& e) {
    if (job.fail) {
      job.fail(e);
    } else {
      spdlog::error("store: a job that cannot be told its writes failed lost them: {}", e.message);
    }
  };
  store::PgDb& db = *worker.db;
  for (int attempt = 1;; ++attempt) {
    auto conn = db.lock();  // the outermost lock makes a lost connection again
    db.clear_flags();
    auto began = conn.begin(read_only ? kBeginRead : kBeginJob);
    if (!began) {
      // Nothing of the job ran yet: a connection found dead here is made again once.
      if ((db.lost() && attempt == 1) || (db.must_retry() && attempt < max_attempts_)) continue;
      if (job.fail) {
        answer(began.error());
      } else {
        job.work(worker);  // each call reports the trouble itself
      }
      return;
    }
    std::optional<store::PgTransaction> tx(std::move(*began));
    tls_current = &worker;
    job.work(worker);
    tls_current = nullptr;
    if (db.must_retry() && attempt < max_attempts_) {
      pool_->retries.fetch_add(1, std::memory_order_relaxed);
      tx.reset();  // rolls back
      back_off(attempt);
      continue;
    }
    if (db.lost()) {
      answer(
          make_error(Errc::unavailable, "the database connection was lost; try again shortly", 1));
      return;
    }
    auto done = tx->commit();
    if (done) return;
    if (db.must_retry() && attempt < max_attempts_) {
      pool_->retries.fetch_add(1, std::memory_order_relaxed);
      back_off(attempt);
      continue;
    }
    answer(done.error());
    return;
  }
}

Result<void> PgStore::ping_on_executor() {
  auto* on = static_cast<Worker*>(tls_current != nullptr ? tls_current : direct_.get());
  auto conn = on->db->lock();
  return store::pg_done(conn.query(kPing));
}

}  // namespace ccteams
