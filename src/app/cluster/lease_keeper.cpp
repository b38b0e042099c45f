#include "app/cluster/lease_keeper.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>

namespace ccteams {

namespace asio = boost::asio;

LeaseKeeper::LeaseKeeper(asio::any_io_executor strand, OrgLeaseStore& store, const Clock& clock,
                         Scheduler& scheduler, const Clock& scheduler_clock, std::string owner,
                         LeaseTimings timings, Callbacks callbacks)
    : strand_(strand),
      store_(store),
      clock_(clock),
      scheduler_clock_(scheduler_clock),
      owner_(std::move(owner)),
      timings_(timings),
      callbacks_(std::move(callbacks)),
      alarm_(strand, scheduler) {}

LeaseKeeper::~LeaseKeeper() = default;

std::string LeaseKeeper::random_owner_id() {
  std::random_device device;
  const std::uint64_t r = (std::uint64_t{device()} << 32) ^ device();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx-%d", static_cast<unsigned long long>(r),
                static_cast<int>(::getpid()));
  return buf;
}

void LeaseKeeper::stop() { alarm_.stop(); }

std::optional<LeaseFence> LeaseKeeper::fence(OrgId org) const {
  const Timestamp now = clock_.now();
  std::lock_guard lock(mu_);
  auto it = held_.find(org);
  if (it == held_.end() || now >= it->second.local_deadline) return std::nullopt;
  return LeaseFence{org, owner_, it->second.token};
}

std::vector<LeaseFence> LeaseKeeper::owned() const {
  std::lock_guard lock(mu_);
  std::vector<LeaseFence> out;
  for (const auto& [org, held] : held_) out.push_back(LeaseFence{org, owner_, held.token});
  return out;
}

LeaseKeeperStats LeaseKeeper::stats() const {
  std::lock_guard lock(mu_);
  LeaseKeeperStats out = stats_;
  out.owned = held_.size();
  return out;
}

std::optional<Timestamp> LeaseKeeper::earliest_deadline() const {
  std::lock_guard lock(mu_);
  std::optional<Timestamp> out;
  for (const auto& [org, held] : held_) {
    if (!out || held.local_deadline < *out) out = held.local_deadline;
  }
  return out;
}

void LeaseKeeper::drop(OrgId org) {
  {
    std::lock_guard lock(mu_);
    if (held_.erase(org) == 0) return;
    ++stats_.lost;
  }
  if (callbacks_.lost) callbacks_.lost(org);
}

void LeaseKeeper::expire(Timestamp now) {
  std::vector<OrgId> past;
  {
    std::lock_guard lock(mu_);
    for (const auto& [org, held] : held_) {
      if (now >= held.local_deadline) past.push_back(org);
    }
  }
  for (OrgId org : past) {
    spdlog::warn(
        "cluster: organisation {}: lease not renewed in time; this instance stops acting "
        "for it",
        org.value);
    drop(org);
  }
}

asio::awaitable<void> LeaseKeeper::run() {
  Timestamp next_scan = clock_.now();
  Timestamp next_renew = next_scan + timings_.renew_every;
  for (;;) {
    Timestamp now = clock_.now();
    expire(now);
    if (now >= next_renew) {
      co_await renew_all();
      next_renew = now + timings_.renew_every;
      now = clock_.now();
      expire(now);
    }
    if (now >= next_scan) {
      co_await scan();
      next_scan = now + timings_.scan_every;
    }
    if (callbacks_.changed) callbacks_.changed(stats());
    Timestamp wake = std::min(next_renew, next_scan);
    if (auto deadline = earliest_deadline(); deadline && *deadline < wake) wake = *deadline;
    // The scheduler's deadlines are on its own clock: wait as long as our clock says.
    auto woke = co_await alarm_.wait_until(scheduler_clock_.now() + (wake - clock_.now()));
    if (woke == Alarm::Woke::stopped) break;
  }
  co_await release_all();
  if (callbacks_.changed) callbacks_.changed(stats());
}

asio::awaitable<void> LeaseKeeper::renew_all() {
  std::vector<HeldLease> held;
  {
    std::lock_guard lock(mu_);
    for (const auto& [org, h] : held_) held.push_back(HeldLease{org, h.token});
  }
  if (held.empty()) co_return;
  // The local deadline counts from the SEND time: the database's deadline is later.
  const Timestamp sent = clock_.now();
  auto op = store_.renew(owner_, held, timings_.ttl);
  auto renewed = co_await std::move(op);
  if (!renewed) {
    std::lock_guard lock(mu_);
    ++stats_.renew_failures;
    spdlog::warn("cluster: renewing {} organisation lease(s) failed: {}", held.size(),
                 renewed.error().message);
    co_return;  // still ours until the local deadline; the next round tries again
  }
  std::vector<OrgId> moved;
  {
    std::lock_guard lock(mu_);
    for (const HeldLease& h : held) {
      auto it = held_.find(h.org);
      if (it == held_.end() || it->second.token != h.token) continue;
      const bool kept = std::any_of(renewed->begin(), renewed->end(), [&](const OrgLease& l) {
        return l.org == h.org && l.token == h.token;
      });
      if (kept) {
        it->second.local_deadline = sent + timings_.ttl - timings_.margin;
      } else {
        moved.push_back(h.org);
      }
    }
  }
  for (OrgId org : moved) {
    spdlog::warn("cluster: organisation {}: its lease moved to another instance", org.value);
    drop(org);
  }
}

asio::awaitable<void> LeaseKeeper::scan() {
  auto beat_op = store_.heartbeat(owner_, timings_.ttl);
  auto view = co_await std::move(beat_op);
  if (!view) {
    std::lock_guard lock(mu_);
    ++stats_.scan_failures;
    spdlog::warn("cluster: the instance heartbeat failed: {}", view.error().message);
    co_return;
  }
  const std::size_t live = std::max<std::size_t>(view->live_instances, 1);
  const std::size_t share = (view->organisations + live - 1) / live;
  std::vector<LeaseFence> excess;
  {
    std::lock_guard lock(mu_);
    stats_.live_instances = live;
    stats_.fair_share = share;
    // The highest ids: the same ones every scan, so nothing moves back and forth.
    for (auto it = held_.rbegin(); it != held_.rend() && held_.size() - excess.size() > share &&
                                   excess.size() < kMaxReleasesPerScan;
         ++it) {
      excess.push_back(LeaseFence{it->first, owner_, it->second.token});
    }
    stats_.released += excess.size();
  }
  if (!excess.empty()) {
    spdlog::info("cluster: {} live instance(s), {} organisation(s): handing {} over ({} is "
                 "this instance's share)",
                 live, view->organisations, excess.size(), share);
    auto release_op = release(std::move(excess));
    co_await std::move(release_op);
    co_return;
  }
  auto op = store_.claimable();
  auto claimable = co_await std::move(op);
  if (!claimable) {
    std::lock_guard lock(mu_);
    ++stats_.scan_failures;
    spdlog::warn("cluster: looking for free organisation leases failed: {}",
                 claimable.error().message);
    co_return;
  }
  for (OrgId org : *claimable) {
    {
      std::lock_guard lock(mu_);
      if (held_.size() >= share) break;  // the others take the rest
      if (held_.contains(org)) continue;
    }
    const Timestamp sent = clock_.now();
    auto acquire_op = store_.acquire(org, owner_, timings_.ttl);
    auto granted = co_await std::move(acquire_op);
    if (!granted) {
      std::lock_guard lock(mu_);
      ++stats_.scan_failures;
      spdlog::info("cluster: organisation {}: taking its lease failed: {}", org.value,
                   granted.error().message);
      continue;
    }
    if (!*granted) continue;  // another instance was quicker
    const LeaseFence fence{org, owner_, (*granted)->token};
    {
      std::lock_guard lock(mu_);
      held_[org] = Held{fence.token, sent + timings_.ttl - timings_.margin};
      ++stats_.gained;
    }
    spdlog::info("cluster: organisation {}: this instance owns it now (token {})", org.value,
                 fence.token);
    if (callbacks_.gained) callbacks_.gained(fence);
  }
}

asio::awaitable<void> LeaseKeeper::release_all() {
  auto release_op = release(owned());
  co_await std::move(release_op);
  auto op = store_.leave(owner_);
  auto left = co_await std::move(op);
  if (!left) {
    spdlog::warn("cluster: leaving the cluster failed ({}); the others count this instance "
                 "for {} ms more",
                 left.error().message, timings_.ttl.count());
  }
}

asio::awaitable<void> LeaseKeeper::release(std::vector<LeaseFence> fences) {
  for (const LeaseFence& fence : fences) {
    drop(fence.org);  // stop acting first, then let the others take it
    auto op = store_.release(fence);
    auto released = co_await std::move(op);
    if (!released) {
      spdlog::warn("cluster: organisation {}: releasing its lease failed ({}); it lapses in {} ms",
                   fence.org.value, released.error().message, timings_.ttl.count());
    }
  }
}

}  // namespace ccteams
