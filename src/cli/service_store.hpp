#pragma once
// The runtime's store factory: the store `ccteams serve` runs on, chosen by [store] driver
// (SQLite, the embedded default of `ccteams demo` too, or PostgreSQL: docs/postgresql.md).
// Wiring code sees the Store and Stores ports only.

#include <memory>
#include <string>

#include "app/cluster/fenced_store.hpp"
#include "app/ports/org_lease_store.hpp"
#include "app/ports/store.hpp"
#include "cli/config.hpp"
#include "core/result.hpp"

namespace ccteams {
namespace store {
class PgInboxListener;
struct PgInboxListenerCallbacks;
}  // namespace store
class PgOrgLeaseStore;
class PgStore;
class SqliteStore;
}  // namespace ccteams

namespace ccteams::cli {

// Thread-safety: store() and stores() as the ports say; open, claim_sole_instance and stop from
// one thread (the runtime's).
class ServiceStore {
 public:
  // Opens the configured store and applies its migrations. PostgreSQL: the password is read
  // from store.password_env or store.password_file here (never logged). Errors: those of the
  // store's open (unavailable: the database cannot be reached; conflict: its schema is newer
  // than this binary), invalid_input when the password cannot be read.
  // With cluster.enabled (PostgreSQL only, checked with the configuration): the organisation
  // lease store, idle_in_transaction_session_timeout at half the lease TTL on every connection,
  // and store() fences every job through set_fence_source's source.
  static Result<std::unique_ptr<ServiceStore>> open(const StoreConfig& config,
                                                    const ClusterConfig& cluster = {});
  ~ServiceStore();
  ServiceStore(const ServiceStore&) = delete;
  ServiceStore& operator=(const ServiceStore&) = delete;

  // Before serving: one ccteams serve per PostgreSQL database until several instances share one
  // through leases (issue 16, a later part). PostgreSQL: takes a lock that a second instance
  // cannot take (conflict, naming the reason); SQLite: nothing to do (one file, one writer).
  Result<void> claim_sole_instance();

  // The organisation leases; null unless cluster.enabled.
  OrgLeaseStore* leases();
  // The same, as PostgreSQL's (the internal channel's owner lookup and advertised URL).
  PgOrgLeaseStore* pg_leases();
  // Where store() asks for the fence of each job (FencedStore); set once, before serving.
  // Without one (or without cluster.enabled) nothing is fenced.
  void set_fence_source(FencedStore::FenceSource source);
  // With cluster.enabled: a listener for the presence inbox's wake-ups on a connection of its
  // own (adapters/pg/pg_inbox_listener.hpp), started now; null otherwise. The caller owns it
  // and must stop it before what its callbacks reach goes.
  std::unique_ptr<store::PgInboxListener> inbox_listener(store::PgInboxListenerCallbacks callbacks);
  // Jobs refused because their organisation's lease had moved (0 unless cluster.enabled).
  std::uint64_t fenced_jobs() const;

  Store& store();
  Stores& stores();
  // Runs what is queued and stops the store's threads (SqliteStore::stop, PgStore::stop).
  void stop();

 private:
  ServiceStore() = default;
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<PgStore> pg_;
  std::unique_ptr<PgOrgLeaseStore> leases_;
  std::string conninfo_, password_;  // with cluster.enabled: the inbox listener's (never logged)
  FencedStore::FenceSource fence_source_;
  std::unique_ptr<FencedStore> fenced_;  // over pg_, with cluster.enabled
};

}  // namespace ccteams::cli
