#include "adapters/store/sqlite_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>

#include "adapters/store/sqlite_account_store.hpp"
#include "adapters/store/sqlite_connector_store.hpp"
#include "adapters/store/sqlite_contact_center_store.hpp"
#include "adapters/store/sqlite_directory_store.hpp"
#include "adapters/store/sqlite_sync_account_store.hpp"

namespace ccteams {
namespace {

namespace asio = boost::asio;

constexpr std::string_view kPing = "SELECT 1";

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

// One thread: the connection is one, so a second would only wait for its mutex.
struct SqliteStore::Executor {
  asio::thread_pool pool{1};
  std::once_flag stopped;
};

SqliteStore::SqliteStore(std::unique_ptr<store::SqliteDb> db, int schema_version,
                         const SqliteStoreOptions& options)
    : db_(std::move(db)),
      schema_version_(schema_version),
      domain_(std::make_unique<Domain>(*db_)),
      presence_(std::make_unique<store::SqlitePresenceSyncStore>(*db_, options.presence)),
      jobs_on_caller_(options.jobs_on_caller),
      executor_(std::make_unique<Executor>()) {}

SqliteStore::~SqliteStore() { stop(); }

void SqliteStore::stop() {
  std::call_once(executor_->stopped, [this] {
    executor_->pool.join();  // runs what is queued, then the thread ends
    presence_->stop();
  });
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       const SqliteStoreOptions& options) {
  auto db = store::SqliteDb::open(path, options.db);
  if (!db) return std::move(db).error();
  auto version = store::apply_migrations(**db, options.migrations);
  if (!version) return std::move(version).error();
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*db), *version, options));
}

AccountStore& SqliteStore::accounts() { return domain_->accounts; }
ConnectorStore& SqliteStore::connectors() { return domain_->connectors; }
ContactCenterStore& SqliteStore::contact_center() { return domain_->contact_center; }
DirectoryStore& SqliteStore::directory() { return domain_->directory; }
PresenceSubscriptionStore& SqliteStore::subscriptions() { return *presence_; }
PresenceInbox& SqliteStore::inbox() { return *presence_; }
NotificationKeyStore& SqliteStore::notification_keys() { return *presence_; }
SyncAccountStore& SqliteStore::sync_accounts() { return domain_->sync_accounts; }

asio::awaitable<void> SqliteStore::run_job(std::function<void(Stores&)> job) {
  if (jobs_on_caller_) {
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    job(*this);
    co_return;
  }
  // co_spawn's completion resumes the caller through its own executor (its strand, if any).
  // Locals, not temporaries of the co_await expression (GCC 12 may destroy those twice).
  auto work = [this, &job]() -> asio::awaitable<void> {
    job(*this);
    co_return;
  };
  auto on_store = asio::co_spawn(executor_->pool.get_executor(), work, asio::use_awaitable);
  co_await std::move(on_store);
}

void SqliteStore::post(std::function<void(Stores&)> job) {
  if (jobs_on_caller_) {
    job(*this);  // the caller's own thread: a test's timer or its io_context
    return;
  }
  asio::post(executor_->pool, [this, job = std::move(job)] { job(*this); });
}

Result<void> SqliteStore::ping_on_executor() {
  auto conn = db_->lock();
  auto st = conn.prepare(kPing);
  if (!st) return std::move(st).error();
  return st->run();
}

}  // namespace ccteams
