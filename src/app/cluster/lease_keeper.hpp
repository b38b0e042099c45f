#pragma once
// Keeps this instance's organisation leases (docs/postgresql.md, "Leases and fencing"): every
// `scan_every` it heart-beats (OrgLeaseStore::heartbeat: live instances I, organisations O) and
// takes organisations whose lease is free or expired, up to its fair share ceil(O / I); every
// `renew_every` it renews those it holds in one statement, and it reports each organisation it
// gains and loses. Holding more than the fair share (an instance joined), it releases the
// excess, at most kMaxReleasesPerScan a scan, highest organisation ids first: the others take
// them at their next scan ("Spreading organisations"). It stops acting for an organisation on its own, without waiting for the database,
// once the local deadline passes: the clock's time when the last successful renewal (or the
// grant) was SENT, plus the TTL, minus a margin. The database's deadline is later than that (the
// statement reached it after it was sent), so this instance has stopped before another one can
// take the organisation over; what a paused instance still tries to write is fenced by the
// database.
//
// Time comes from the Clock and Scheduler ports: production passes a monotonic clock
// (monotonic_clock.hpp) for the deadlines, and the AsioScheduler with the wall clock its
// deadlines are on (a wait is translated from one to the other, so a wall-clock step moves no
// local deadline); unit tests pass SimulatedTime for all three.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/alarm.hpp"
#include "app/cluster/lease_timings.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/org_lease_store.hpp"
#include "app/ports/scheduler.hpp"

namespace ccteams {

struct LeaseKeeperStats {
  std::size_t owned = 0;
  std::uint64_t gained = 0;
  std::uint64_t lost = 0;
  std::uint64_t renew_failures = 0;  // renewals the database did not answer
  std::uint64_t scan_failures = 0;
  std::uint64_t released = 0;       // leases handed over to get down to the fair share
  std::size_t live_instances = 0;   // at the last scan (0 before the first)
  std::size_t fair_share = 0;       // ceil(organisations / live instances) at the last scan
};

// Thread-safety: run() on one executor (its strand); stop(), fence(), owned() and stats() from
// any thread. The callbacks run on run()'s executor, one at a time.
class LeaseKeeper {
 public:
  struct Callbacks {
    std::function<void(const LeaseFence&)> gained;  // the organisation is ours from now on
    std::function<void(OrgId)> lost;                // stop acting for it at once
    // After every renewal and scan round (metrics); may be empty.
    std::function<void(const LeaseKeeperStats&)> changed;
  };

  // Every reference must outlive this. clock: the local deadlines' time; scheduler_clock: the
  // time scheduler's deadlines are on. owner: this process's id (random_owner_id()).
  LeaseKeeper(boost::asio::any_io_executor strand, OrgLeaseStore& store, const Clock& clock,
              Scheduler& scheduler, const Clock& scheduler_clock, std::string owner,
              LeaseTimings timings, Callbacks callbacks);
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // A per-process random id ("<16 hex digits>-<pid>"): a restarted instance is a new owner.
  static std::string random_owner_id();

  // Releases per scan at most when over the fair share: hand-overs stay few and gradual.
  static constexpr std::size_t kMaxReleasesPerScan = 4;

  // The keeper's loop: co_spawn it on the strand given to the constructor. It returns after
  // stop(), once every lease it held was released (a graceful hand-over: another instance may
  // take them at its next scan) and reported lost, and this instance left the cluster.
  boost::asio::awaitable<void> run();
  // Ends run() (see there). Idempotent.
  void stop();

  // The fence of org while this instance holds its lease and its local deadline has not
  // passed; nullopt otherwise.
  std::optional<LeaseFence> fence(OrgId org) const;
  std::vector<LeaseFence> owned() const;
  LeaseKeeperStats stats() const;
  const std::string& owner() const { return owner_; }

 private:
  struct Held {
    std::int64_t token = 0;
    Timestamp local_deadline;
  };

  boost::asio::awaitable<void> renew_all();
  boost::asio::awaitable<void> scan();
  boost::asio::awaitable<void> release_all();
  // Stops acting for each of fences, then releases its lease.
  boost::asio::awaitable<void> release(std::vector<LeaseFence> fences);
  // Reports lost, on the strand, every lease whose local deadline is at or before now.
  void expire(Timestamp now);
  void drop(OrgId org);
  std::optional<Timestamp> earliest_deadline() const;

  boost::asio::any_io_executor strand_;
  OrgLeaseStore& store_;
  const Clock& clock_;
  const Clock& scheduler_clock_;
  std::string owner_;
  LeaseTimings timings_;
  Callbacks callbacks_;
  Alarm alarm_;

  mutable std::mutex mu_;  // guards held_ and stats_ (fence() is called from anywhere)
  std::map<OrgId, Held> held_;
  LeaseKeeperStats stats_;
};

}  // namespace ccteams
