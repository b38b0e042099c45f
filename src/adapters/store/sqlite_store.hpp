#pragma once
// The embedded store: every port on one SQLite database file (WAL journal). This header is all
// that wiring code needs; SQLite's own headers stay inside adapters/store.
//
// Its own executor, never the I/O threads:
//  * the writer: one thread and the one read-write connection. Store::run jobs queued together
//    share one transaction (group commit): each job's own transactions become savepoints in it,
//    and every caller resumes after its COMMIT, or with the failure when it fails. A job whose
//    result cannot carry an error runs alone (store.hpp).
//  * a reader: one thread and a read-only connection for Store::read jobs (WAL lets it read
//    while the writer writes). A private in-memory database has no reader: reads go to the
//    writer.
//  * the presence inbox's appends have their own writer thread with group commit
//    (sqlite_presence_sync_store.hpp).

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "adapters/store/sqlite_db.hpp"
#include "adapters/store/sqlite_migrations.hpp"
#include "adapters/store/sqlite_presence_sync_store.hpp"
#include "app/ports/store.hpp"

namespace ccteams {

struct SqliteStoreOptions {
  store::SqliteOptions db;
  // The schema to bring the database to. Production uses the built-in list, which the stores
  // need in full; tests inject shorter or broken lists to exercise the migration runner.
  std::span<const store::Migration> migrations = store::sqlite_migrations();
  store::PresenceSyncStoreOptions presence;
  // Where Store::run jobs run: the store's own thread (production), or on the awaiting
  // coroutine's own executor after a post — for tests on simulated time, where everything must
  // run on the test's io_context so that "nothing more is ready" means it.
  bool jobs_on_caller = false;
  // Store::run jobs that share one commit, at most (queued jobs beyond go in the next one).
  std::size_t max_jobs_per_commit = 64;
  // A read-only connection on its own thread for Store::read (false: reads go to the writer).
  bool reader = true;
};

// The Store port, and also Stores itself: the synchronous side on the calling thread, for the
// store's own tests, commands that run before the service serves (`ccteams user add`, the
// doctor), and wiring code. Services reach the stores only through run().
// Thread-safety: every method may be called from any thread (the stores share one connection
// guarded by SqliteDb's mutex).
class SqliteStore final : public Store, public Stores {
 public:
  // Opens the database at path (":memory:" for a private in-memory one; the parent directory
  // must exist) and applies the missing migrations. Errors: those of SqliteDb::open and
  // store::apply_migrations, among them conflict when the database's schema is newer than
  // this binary knows (the database is then left untouched).
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   const SqliteStoreOptions& options = {});
  // stop(), then the store goes.
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Runs the jobs already queued, writes the appends already queued, and joins the threads;
  // later run() jobs and appends fail (unavailable; a job that cannot carry an error runs on
  // the caller's thread). Call it once the I/O threads have stopped and before the io_context
  // of any awaiting coroutine is destroyed. Idempotent.
  void stop();

  // Transactions the writer committed that held more than one job; jobs they held.
  std::uint64_t group_commits() const;
  std::uint64_t grouped_jobs() const;

  // Store
  void post(std::function<void(Stores&)> job) override;
  int schema_version() const override { return schema_version_; }

  // Stores
  AccountStore& accounts() override;
  ConnectorStore& connectors() override;
  ContactCenterStore& contact_center() override;
  DirectoryStore& directory() override;
  PresenceSubscriptionStore& subscriptions() override;
  PresenceInbox& inbox() override;
  NotificationKeyStore& notification_keys() override;
  SyncAccountStore& sync_accounts() override;

  // The shared connection, for further SQLite-backed code in adapters/store. Never null.
  store::SqliteDb& db() { return *db_; }
  // The presence-sync store itself (its keyring, its counters). Never null, owned by this.
  store::SqlitePresenceSyncStore& presence_sync() { return *presence_; }

 protected:
  boost::asio::awaitable<void> run_job(Job job) override;
  boost::asio::awaitable<void> read_job(Job job) override;
  Result<void> ping_on_executor() override;

 private:
  struct Domain;
  struct Reader;
  struct Executor;
  struct Queued;
  SqliteStore(std::unique_ptr<store::SqliteDb> db, std::unique_ptr<store::SqliteDb> reader_db,
              int schema_version, const SqliteStoreOptions& options);

  // On the writer's thread.
  boost::asio::awaitable<void> enter(Job job);
  void queue(Queued q);
  void flush();
  void run_together(std::span<Queued> jobs);

  std::unique_ptr<store::SqliteDb> db_;  // declared first: the stores below refer to it
  int schema_version_;
  std::unique_ptr<Domain> domain_;
  std::unique_ptr<store::SqlitePresenceSyncStore> presence_;
  std::unique_ptr<Reader> reader_;  // null: no reader connection
  bool jobs_on_caller_;
  std::size_t max_jobs_per_commit_;
  std::unique_ptr<Executor> executor_;  // declared last: stopped and joined first
};

}  // namespace ccteams
