#pragma once
// The OrgLeaseStore port on PostgreSQL (app/ports/org_lease_store.hpp; docs/postgresql.md,
// "Leases and fencing"): tables org_leases (migration 9) and cluster_instances (10), one thread with one connection of its
// own, so that renewals never queue behind application jobs in the store's pool, and no
// blocking call runs on an I/O thread. libpq stays in the .cpp.

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "app/ports/org_lease_store.hpp"
#include "core/time.hpp"

namespace ccteams {

struct PgOrgLeaseStoreOptions {
  std::string conninfo;  // as PgStoreOptions: never logged
  std::string password;
  // lock_timeout of the lease connection: a take-over that meets a write still holding the
  // lease row's guard gives up after this (unavailable) and tries again at the next scan,
  // instead of stalling every other lease of this instance behind it.
  Millis lock_timeout{500};
};

// Thread-safety: every method from any coroutine; calls run one at a time on the lease thread
// and resume the caller on its own executor.
class PgOrgLeaseStore final : public OrgLeaseStore {
 public:
  // Connects lazily (the first call): never fails here.
  explicit PgOrgLeaseStore(const PgOrgLeaseStoreOptions& options);
  ~PgOrgLeaseStore() override;
  PgOrgLeaseStore(const PgOrgLeaseStore&) = delete;
  PgOrgLeaseStore& operator=(const PgOrgLeaseStore&) = delete;

  // OrgLeaseStore
  boost::asio::awaitable<Result<std::vector<OrgId>>> claimable() override;
  boost::asio::awaitable<Result<std::optional<OrgLease>>> acquire(OrgId org, std::string owner,
                                                                  Millis ttl) override;
  boost::asio::awaitable<Result<std::vector<OrgLease>>> renew(std::string owner,
                                                              std::vector<HeldLease> held,
                                                              Millis ttl) override;
  boost::asio::awaitable<Result<void>> release(LeaseFence fence) override;
  boost::asio::awaitable<Result<std::vector<OrgLease>>> list() override;
  boost::asio::awaitable<Result<ClusterView>> heartbeat(std::string owner, Millis ttl) override;
  boost::asio::awaitable<Result<void>> leave(std::string owner) override;

  // ---- the internal channel (docs/postgresql.md, "Any instance serves any request") ----
  // The URL this instance's heartbeats advertise for forwarded requests, from the next
  // heartbeat on ('' until called: nothing is forwarded here). Any thread.
  void advertise(std::string internal_url);
  // The internal URL of org's live lease holder, unless that is not_owner (the asking
  // instance); nullopt when nobody else holds a live lease or the holder advertises none.
  // Errors: unavailable when the database cannot be reached.
  boost::asio::awaitable<Result<std::optional<std::string>>> owner_url(OrgId org,
                                                                      std::string not_owner);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccteams
