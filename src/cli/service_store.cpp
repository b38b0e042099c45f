#include "cli/service_store.hpp"

#include <spdlog/spdlog.h>

#include "adapters/pg/pg_store.hpp"
#include "adapters/store/sqlite_store.hpp"

namespace ccteams::cli {

Result<std::unique_ptr<ServiceStore>> ServiceStore::open(const StoreConfig& c) {
  std::unique_ptr<ServiceStore> out(new ServiceStore());
  if (c.driver == "postgresql") {
    auto password = read_store_password(c);
    if (!password) return std::move(password).error();
    PgStoreOptions options;
    options.conninfo = c.dsn;
    options.password = std::move(*password);
    options.connections = static_cast<std::size_t>(c.connections);
    auto store = PgStore::open(options);
    if (!store) {
      return make_error(store.error().code, "store (PostgreSQL): " + store.error().message,
                        store.error().retry_after_seconds);
    }
    out->pg_ = std::move(*store);
    spdlog::info("store: PostgreSQL, schema version {}, {} connections", out->pg_->schema_version(),
                 c.connections);
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
  if (pg_) return pg_->claim_sole_instance();
  return ok();
}

Store& ServiceStore::store() {
  if (pg_) return *pg_;
  return *sqlite_;
}

Stores& ServiceStore::stores() {
  if (pg_) return *pg_;
  return *sqlite_;
}

void ServiceStore::stop() {
  if (pg_) pg_->stop();
  if (sqlite_) sqlite_->stop();
}

}  // namespace ccteams::cli
