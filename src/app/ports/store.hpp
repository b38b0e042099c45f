#pragma once
// The persistence port. Implemented by adapters/store (SQLite) and adapters/pg (PostgreSQL, in
// progress: docs/postgresql.md); app code sees only these interfaces, never a SQL dialect or a
// driver type.
//
// Storage never runs on an I/O thread (docs/architecture.md, "Storage"). The domain stores
// (`Stores`: accounts, connectors, the contact center, the directory, presence sync, sync
// accounts) are reached only through `Store::run`, which runs a piece of store work on the
// store's own executor and resumes the awaiting coroutine on its own executor with the result:
//
//   auto user = co_await store.run([&](Stores& s) { return s.accounts().get_user(org, id); });
//
// One `run` is one hop to the store's thread: calls that belong together (a read and the write
// it decides) go in one job. The job must not throw and must not wait for anything but the
// store; it may touch only what its caller keeps alive across the co_await (the caller is
// suspended meanwhile, so references to its locals are safe).
//
// A job may run more than once. A store with several connections (PostgreSQL) runs each job in
// one serializable transaction and, when the database rolls it back for a conflict with another
// job, runs the whole job again; only the last run's writes last and only its result is
// returned. So a job computes its result from the store and its inputs only: it must not move
// out of, or change, what it captured (copy instead of std::move), and anything it does besides
// store calls (a log line, a counter) may happen once per run.
//
// Group commit: the store may commit the writes of several queued jobs together, and resumes
// each caller only once that commit is on disk. When it fails, every job in it is answered
// with the failure instead of what it returned. So only a job that returns `Result<T>` (which
// can carry the failure) shares a commit; any other job runs alone.
//
// `read` is for a job that only reads: the store may run it on a reader connection, beside
// the writer, where it sees what committed jobs wrote and never waits for a commit's disk sync.
//
// The presence inbox's `append` is awaitable on its own (group commit on the inbox's writer).

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "app/ports/account_store.hpp"
#include "app/ports/connector_store.hpp"
#include "app/ports/contact_center_store.hpp"
#include "app/ports/directory_store.hpp"
#include "app/ports/presence_sync_store.hpp"
#include "app/ports/sync_account_store.hpp"
#include "core/result.hpp"

namespace ccteams {

// Every domain store. Valid only inside a Store::run job, on the store's executor.
class Stores {
 public:
  virtual ~Stores() = default;
  virtual AccountStore& accounts() = 0;
  virtual ConnectorStore& connectors() = 0;
  virtual ContactCenterStore& contact_center() = 0;
  virtual DirectoryStore& directory() = 0;
  virtual PresenceSubscriptionStore& subscriptions() = 0;
  virtual PresenceInbox& inbox() = 0;
  virtual NotificationKeyStore& notification_keys() = 0;
  virtual SyncAccountStore& sync_accounts() = 0;
};

namespace store_detail {
template <class R>
inline constexpr bool can_fail = false;
template <class T>
inline constexpr bool can_fail<Result<T>> = true;
}  // namespace store_detail

// Thread-safety: run(), read() and ping() from any coroutine on any executor, concurrently.
// A job submitted after another one's run() returned sees its writes. Jobs submitted at the
// same time are atomic with respect to each other but may run in any order (SQLite runs them
// in the order they were submitted; PostgreSQL runs several at once).
class Store {
 public:
  virtual ~Store() = default;

  // Runs fn(stores) on the store's executor and returns what it returned, once its writes are
  // committed (a failed group commit returns the failure instead: see above).
  template <class Fn>
  boost::asio::awaitable<std::invoke_result_t<Fn&, Stores&>> run(Fn fn) {
    co_return co_await submit<false>(std::move(fn));
  }

  // Runs fn(stores), which only reads, on a reader connection when the store has one (on the
  // writer otherwise). Its reads see every job whose run() returned before read() was called.
  // A write in it fails.
  template <class Fn>
  boost::asio::awaitable<std::invoke_result_t<Fn&, Stores&>> read(Fn fn) {
    co_return co_await submit<true>(std::move(fn));
  }

  // Runs job on the store's executor without waiting for it (upkeep a timer starts, whose
  // outcome the job itself logs). Jobs posted after the store stopped are dropped.
  virtual void post(std::function<void(Stores&)> job) = 0;

  // Cheap liveness probe for /readyz: ok when the database answers.
  boost::asio::awaitable<Result<void>> ping();
  // The schema version the database is at after migrations.
  virtual int schema_version() const = 0;

 protected:
  // One piece of store work. `fail`, when set, replaces what the work returned with an error
  // (its writes did not last: the group commit they were part of failed); a job without it
  // cannot share a commit.
  struct Job {
    std::function<void(Stores&)> work;
    std::function<void(Error)> fail;
  };
  // Runs job on the store's executor; resumes the caller on its own executor once it returned
  // and its writes are committed (or failed).
  virtual boost::asio::awaitable<void> run_job(Job job) = 0;
  // A job that only reads. By default the writer runs it like any other.
  virtual boost::asio::awaitable<void> read_job(Job job) { co_await run_job(std::move(job)); }
  // The probe itself, run on the store's executor.
  virtual Result<void> ping_on_executor() = 0;

 private:
  // The operation, a local of the caller (GCC 12 mishandles some temporaries of co_await).
  template <bool kRead>
  boost::asio::awaitable<void> job_op(Job job) {
    if constexpr (kRead) return read_job(std::move(job));
    return run_job(std::move(job));
  }
  template <bool kRead, class Fn>
  boost::asio::awaitable<std::invoke_result_t<Fn&, Stores&>> submit(Fn fn) {
    using R = std::invoke_result_t<Fn&, Stores&>;
    if constexpr (std::is_void_v<R>) {
      Job job{[&fn](Stores& s) { fn(s); }, {}};
      auto op = job_op<kRead>(std::move(job));
      co_await std::move(op);
    } else {
      std::optional<R> out;
      Job job{[&fn, &out](Stores& s) { out.emplace(fn(s)); }, {}};
      if constexpr (store_detail::can_fail<R>) {
        job.fail = [&out](Error e) { out.emplace(std::move(e)); };
      }
      auto op = job_op<kRead>(std::move(job));
      co_await std::move(op);
      co_return std::move(*out);
    }
  }
};

inline boost::asio::awaitable<Result<void>> Store::ping() {
  co_return co_await run([this](Stores&) { return ping_on_executor(); });
}

}  // namespace ccteams
