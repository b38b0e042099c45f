#pragma once
// The persistence port. Implemented by adapters/store (SQLite now, PostgreSQL later); app code
// sees only these interfaces, never a SQL dialect or a driver type.
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

// Thread-safety: run() and ping() from any coroutine on any executor, concurrently; jobs run in
// the order they were submitted.
class Store {
 public:
  virtual ~Store() = default;

  // Runs fn(stores) on the store's executor and returns what it returned.
  template <class Fn>
  boost::asio::awaitable<std::invoke_result_t<Fn&, Stores&>> run(Fn fn) {
    using R = std::invoke_result_t<Fn&, Stores&>;
    if constexpr (std::is_void_v<R>) {
      std::function<void(Stores&)> job = [&fn](Stores& s) { fn(s); };
      co_await run_job(std::move(job));
    } else {
      std::optional<R> out;
      std::function<void(Stores&)> job = [&fn, &out](Stores& s) { out.emplace(fn(s)); };
      co_await run_job(std::move(job));
      co_return std::move(*out);
    }
  }

  // Runs job on the store's executor without waiting for it (upkeep a timer starts, whose
  // outcome the job itself logs). Jobs posted after the store stopped are dropped.
  virtual void post(std::function<void(Stores&)> job) = 0;

  // Cheap liveness probe for /readyz: ok when the database answers.
  boost::asio::awaitable<Result<void>> ping();
  // The schema version the database is at after migrations.
  virtual int schema_version() const = 0;

 protected:
  // Runs job on the store's executor; resumes the caller on its own executor when it returned.
  virtual boost::asio::awaitable<void> run_job(std::function<void(Stores&)> job) = 0;
  // The probe itself, run on the store's executor.
  virtual Result<void> ping_on_executor() = 0;
};

inline boost::asio::awaitable<Result<void>> Store::ping() {
  co_return co_await run([this](Stores&) { return ping_on_executor(); });
}

}  // namespace ccteams
