#pragma once
// Organisation leases with fencing tokens (issue 16; docs/postgresql.md, "Leases and fencing").
// Several `ccteams serve` instances share one PostgreSQL database; each organisation is owned
// by at most one of them at a time. The owner holds the organisation's lease: an owner id (one
// random id per process), a token that grows with every new grant, and a deadline on the
// database's clock. Every write an owner makes for the organisation carries its fence (org,
// owner, token), which the store checks in the write's own transaction: after a take-over the
// old owner's writes are refused, even one that was paused past its lease.
//
// Implemented by adapters/pg (PgOrgLeaseStore); unit tests use a fake. SQLite serves one
// instance and has no leases.

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

// What a write for an organisation carries: it lasts only while the lease is still (owner,
// token).
struct LeaseFence {
  OrgId org;
  std::string owner;
  std::int64_t token = 0;
  friend bool operator==(const LeaseFence&, const LeaseFence&) = default;
};

struct OrgLease {
  OrgId org;
  std::string owner;
  std::int64_t token = 0;
  Timestamp expires_at;  // the database's clock, informative only: never compared locally
};

// One lease to renew: the token it was granted with.
struct HeldLease {
  OrgId org;
  std::int64_t token = 0;
};

// What an instance's heartbeat learns (spreading: docs/postgresql.md, "Spreading organisations").
struct ClusterView {
  std::size_t live_instances = 1;  // heart-beaten within the TTL, the caller included
  std::size_t organisations = 0;   // that exist (each wants a lease)
};

// Every call is one short statement in its own transaction, on a connection of the lease
// store's own (renewals never queue behind application jobs). Errors: unavailable when the
// database cannot be reached or a lock was not granted in time (try again next round).
// Thread-safety: any coroutine, any executor; calls may overlap.
class OrgLeaseStore {
 public:
  virtual ~OrgLeaseStore() = default;

  // Organisations whose lease is free: none yet, or expired (or released).
  virtual boost::asio::awaitable<Result<std::vector<OrgId>>> claimable() = 0;

  // Takes org's lease for ttl when it is free, expired or already owner's. A new grant (free,
  // expired, or another owner's) gets the next token; owner's own live lease keeps its token
  // and is extended. nullopt: another owner holds it, or the organisation does not exist.
  virtual boost::asio::awaitable<Result<std::optional<OrgLease>>> acquire(OrgId org,
                                                                          std::string owner,
                                                                          Millis ttl) = 0;

  // Extends, by ttl from now, each held lease still (owner, token); returns those it extended
  // with their new deadline (database clock). One missing from the answer was lost.
  virtual boost::asio::awaitable<Result<std::vector<OrgLease>>> renew(std::string owner,
                                                                      std::vector<HeldLease> held,
                                                                      Millis ttl) = 0;

  // A graceful hand-over: the lease expires now if it is still fence's (nothing otherwise), so
  // another instance may take it at its next scan.
  virtual boost::asio::awaitable<Result<void>> release(LeaseFence fence) = 0;

  // Every lease, ordered by organisation.
  virtual boost::asio::awaitable<Result<std::vector<OrgLease>>> list() = 0;

  // Records owner as alive now (the database's clock) and answers the instances alive within
  // ttl, owner included, and the organisations there are.
  virtual boost::asio::awaitable<Result<ClusterView>> heartbeat(std::string owner, Millis ttl) = 0;
  // owner stops (a graceful hand-over): the others stop counting it at once.
  virtual boost::asio::awaitable<Result<void>> leave(std::string owner) = 0;
};

// Implemented by a store's per-job Stores whose transactions can check a fence (PostgreSQL):
// FencedStore (app/cluster/fenced_store.hpp) calls it first in each write job of an organisation.
class LeaseFenceCheck {
 public:
  virtual ~LeaseFenceCheck() = default;
  // Locks org's lease row against a take-over until the current transaction ends, if the lease
  // is still (owner, token). Errors: conflict ("fenced: ...") when the lease moved on; those of
  // the store otherwise.
  virtual Result<void> check_fence(const LeaseFence& fence) = 0;
};

}  // namespace ccteams
