#pragma once
// The one place organisation writes are fenced (docs/postgresql.md, "Leases and fencing"): a
// Store that hands every job to an inner store, and first asks its FenceSource, on the caller's
// thread, for the fence of the work being submitted. With a fence, the job's own transaction
// starts with the store's LeaseFenceCheck (PostgreSQL: the lease row locked FOR SHARE) and runs
// the job only if the lease is still that fence's; otherwise the job is answered
// `conflict` ("fenced: ...") and nothing of it is written. A store whose Stores cannot check
// fences (SQLite: one instance, no leases) runs every job as it is.
//
// Which fence: serve's cluster wiring gives the fence of the organisation whose strand submits
// the job (every live write of an organisation runs on its strand: docs/architecture.md,
// "Actors"), so one decorator covers every store and every service without a change to them.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>

#include "app/ports/org_lease_store.hpp"
#include "app/ports/store.hpp"

namespace ccteams {

// Thread-safety: as Store; the FenceSource is called on the submitting thread, concurrently.
class FencedStore final : public Store {
 public:
  // The fence of the work running on the calling thread now, or nullopt (not organisation work).
  using FenceSource = std::function<std::optional<LeaseFence>()>;

  // inner must outlive this; it does the work.
  FencedStore(Store& inner, FenceSource source);

  // Jobs refused because their fence no longer held.
  std::uint64_t fenced() const { return fenced_.load(std::memory_order_relaxed); }

  // Store
  void post(std::function<void(Stores&)> job) override;
  int schema_version() const override { return inner_.schema_version(); }

 protected:
  boost::asio::awaitable<void> run_job(Job job) override;
  // Reads are not fenced: they change nothing.
  boost::asio::awaitable<void> read_job(Job job) override;
  // Reached only inside a job of the inner store, whose transaction began: the database
  // answered.
  Result<void> ping_on_executor() override { return ok(); }

 private:
  Result<void> check(Stores& stores, const std::optional<LeaseFence>& fence);

  Store& inner_;
  FenceSource source_;
  std::atomic<std::uint64_t> fenced_{0};
};

}  // namespace ccteams
