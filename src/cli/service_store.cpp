#include "cli/service_store.hpp"

#include <spdlog/spdlog.h>

#include "adapters/pg/pg_inbox_listener.hpp"
#include "adapters/pg/pg_org_lease_store.hpp"
#include "adapters/pg/pg_store.hpp"
#include "adapters/store/sqlite_store.hpp"

namespace ccteams::cli {

Result<std::unique_ptr<ServiceStore>> ServiceStore::open(const StoreConfig& c,
                                                        const ClusterConfig& cluster) {
  std::unique_ptr<ServiceStore> out(new ServiceStore());
  if (c.driver == "postgresql") {
    auto password = read_store_password(c);
    if (!password) return std::move(password).error();
    PgStoreOptions options;
    options.conninfo = c.dsn;
    options.password = std::move(*password);
    options.connections = static_cast<std::size_t>(c.connections);
    if (cluster.enabled) {
      // A job paused inside its transaction holds its organisation's lease row: the server ends
      // its session well before the lease could lapse, so the take-over is never held up.
      options.idle_in_transaction_timeout = Millis{cluster.lease_ttl_ms / 2};
      options.notify_inbox = true;  // the owners' inbox listeners hear what this one stores
    }
    auto store = PgStore::open(options);
    if (!store) {
      return make_error(store.error().code, "store (PostgreSQL): " + store.error().message,
                        store.error().retry_after_seconds);
    }
    out->pg_ = std::move(*store);
    spdlog::info("store: PostgreSQL, schema version {}, {} connections", out->pg_->schema_version(),
                 c.connections);
    if (cluster.enabled) {
      // A take-over waits this long at most for a write holding the lease row; then it tries
      // again at the next scan instead of holding up this instance's other leases.
      const Millis lock_timeout{std::min(500, cluster.scan_every_ms / 2)};
      out->leases_ = std::make_unique<PgOrgLeaseStore>(
          PgOrgLeaseStoreOptions{options.conninfo, options.password, lock_timeout});
      out->conninfo_ = options.conninfo;
      out->password_ = options.password;
      ServiceStore* self = out.get();
      out->fenced_ = std::make_unique<FencedStore>(*out->pg_, [self] {
        return self->fence_source_ ? self->fence_source_() : std::nullopt;
      });
    }
    return out;
  }
  SqliteStoreOptions options;
  options.max_jobs_per_commit = static_cast<std::size_t>(c.max_jobs_per_commit);
  auto store = SqliteStore::open(c.path, options);
  if (!store) return std::move(store).error();
  out->sqlite_ = std::move(*store);
  return out;
}

ServiceStore::~ServiceStore() { stop(); }

Result<void> ServiceStore::claim_sole_instance() {
  if (leases_) return ok();  // several instances: organisation leases instead
  if (pg_) return pg_->claim_sole_instance();
  return ok();
}

OrgLeaseStore* ServiceStore::leases() { return leases_.get(); }
PgOrgLeaseStore* ServiceStore::pg_leases() { return leases_.get(); }

void ServiceStore::set_fence_source(FencedStore::FenceSource source) {
  fence_source_ = std::move(source);
}

std::unique_ptr<store::PgInboxListener> ServiceStore::inbox_listener(
    store::PgInboxListenerCallbacks callbacks) {
  if (!leases_) return nullptr;
  return std::make_unique<store::PgInboxListener>(
      store::PgInboxListenerOptions{conninfo_, password_}, std::move(callbacks));
}

std::uint64_t ServiceStore::fenced_jobs() const { return fenced_ ? fenced_->fenced() : 0; }

Store& ServiceStore::store() {
  if (fenced_) return *fenced_;
  if (pg_) return *pg_;
  return *sqlite_;
}

Stores& ServiceStore::stores() {
  if (pg_) return *pg_;
  return *sqlite_;
}

void ServiceStore::stop() {
  leases_.reset();  // joins the lease thread; the keeper released what it held
  if (pg_) pg_->stop();
  if (sqlite_) sqlite_->stop();
}

}  // namespace ccteams::cli
