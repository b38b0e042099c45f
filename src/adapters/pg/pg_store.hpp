#pragma once
// The Store port on PostgreSQL 15 (docs/postgresql.md). This header is all wiring code needs;
// libpq's headers stay inside adapters/pg.
//
// A bounded pool off the I/O threads: `connections` worker threads, each owning one libpq
// connection on which it makes blocking calls. A Store::run job takes a free worker and runs
// in one SERIALIZABLE transaction there; a serialization failure or deadlock (SQLSTATE 40001,
// 40P01) rolls it back and runs the whole job again (store.hpp: a job may run more than once).
// A failed COMMIT answers the job with the failure (Job::fail). Store::read jobs run in a
// READ ONLY transaction on any worker. A lost connection is made again by the next job; a job
// whose connection is lost under it answers unavailable.
//
// Each worker's Stores is also a LeaseFenceCheck (app/ports/org_lease_store.hpp): a job run
// through FencedStore locks its organisation's lease row first, in the job's transaction.
//
// Every store of the port. The presence inbox's appends go to one writer with a connection of
// its own and group commit (pg_presence_sync_inbox.hpp), whichever worker's inbox() takes them.

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "adapters/store/sqlite_migrations.hpp"  // store::Migration
#include "app/ports/store.hpp"
#include "core/time.hpp"

namespace ccteams {
namespace store {
class PgDb;
class PgPresenceInboxWriter;
}  // namespace store

struct PgStoreOptions {
  // A libpq connection string or URI ("host=/run/postgresql dbname=ccteams user=ccteams").
  // It may carry the password; it is never logged.
  std::string conninfo;
  // The password, when not in conninfo (from [store] password_env or password_file).
  std::string password;
  // Worker threads, one connection each: the most jobs that run at once.
  std::size_t connections = 4;
  // Runs of one job, at most, when serialization failures keep rolling it back.
  int max_attempts = 10;
  // Runs every job on the synchronous side's connection, on the awaiting coroutine's own
  // executor after a post (a posted job at once, on the caller's thread), as SqliteStore's
  // option of that name: for tests on simulated time, where everything must run on the test's
  // io_context so that "nothing more is ready" means it. Still one transaction per job.
  bool jobs_on_caller = false;
  // The schema to bring the database to (tests inject others); empty: the built-in list.
  std::span<const store::Migration> migrations;
  // PostgreSQL's idle_in_transaction_session_timeout on every connection of the store; 0: off.
  // With organisation leases it must stay below the lease TTL: a job paused inside its
  // transaction (SIGSTOP, a long GC-like stall) holds the lease row's guard lock and would
  // block the take-over for as long as it is paused; the server ends its session instead.
  Millis idle_in_transaction_timeout{0};
  // Several instances ([cluster]): the inbox writer's transactions NOTIFY the organisations they
  // stored entries for (pg_inbox_wake.hpp), which the owners' inbox listeners hear. Off for one
  // instance: nobody listens, and a notifying commit takes a cluster-wide lock.
  bool notify_inbox = false;
};

// The Store port, and also Stores itself: the synchronous side on a connection of its own (for
// the store's tests and commands that run before the service serves), each call in its own
// transaction. Services reach the stores only through run() and read().
// Thread-safety: every method may be called from any thread.
class PgStore final : public Store, public Stores {
 public:
  // Connects, applies the missing migrations, and starts the workers (their connections are
  // made by their first job). Errors: unavailable when the database cannot be reached, those
  // of store::apply_pg_migrations (conflict when the schema is newer than this binary knows).
  static Result<std::unique_ptr<PgStore>> open(const PgStoreOptions& options);
  ~PgStore() override;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  // Runs the jobs already queued and joins the workers; later jobs fail (unavailable) or, when
  // they cannot carry an error, run on the caller's thread on the synchronous side. Idempotent.
  void stop();

  // Job runs that a serialization failure or deadlock rolled back (and ran again or failed).
  std::uint64_t retries() const;
  // One ccteams serve per database until instances share one through leases (issue 16, a later
  // part): takes a session advisory lock on a connection of its own, held until the store goes
  // (or that connection is lost). Errors: conflict when another instance holds it (the message
  // says so), unavailable when the database cannot be reached. Idempotent.
  Result<void> claim_sole_instance();

  // The presence inbox's writer (its group-commit counters). Never null, owned by this.
  store::PgPresenceInboxWriter& inbox_writer() { return *inbox_writer_; }

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

 protected:
  boost::asio::awaitable<void> run_job(Job job) override;
  boost::asio::awaitable<void> read_job(Job job) override;
  Result<void> ping_on_executor() override;

 private:
  struct Worker;
  struct Pool;
  PgStore(const PgStoreOptions& options, int schema_version);

  boost::asio::awaitable<void> on_pool(Job job, bool read_only);
  // On a pool thread: one job, to its end (commit, or failure answered).
  void execute(Job& job, bool read_only);
  void execute_on(Worker& worker, Job& job, bool read_only);

  std::string conninfo_;
  std::string password_;
  int schema_version_;
  int max_attempts_;
  bool jobs_on_caller_;
  // Before the workers, whose inboxes hand it their appends: destroyed after them.
  std::unique_ptr<store::PgPresenceInboxWriter> inbox_writer_;
  std::unique_ptr<Worker> direct_;  // the synchronous side
  std::unique_ptr<store::PgDb> sole_instance_;  // the connection holding claim_sole_instance()
  std::unique_ptr<Pool> pool_;      // declared last: stopped and joined first
};

}  // namespace ccteams
