#pragma once
// Simulated time for unit tests (docs/architecture.md, "Time"): one object is both the Clock
// and the Scheduler, and time moves only when the test says so. advance() runs every timer due
// in deadline order, with now() at each timer's deadline while it runs; run_for() also runs
// the io_context's ready work between timers, so coroutines waiting on an Alarm go on at the
// simulated instant they were due. An hour of presence sync runs in milliseconds, the same
// way every time.
//
// Thread-safety: schedule(), now() and cancel may be called from any thread; advance() and
// run_for() from one test thread.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "app/ports/clock.hpp"
#include "app/ports/scheduler.hpp"

namespace ccteams::testing {

// The handle schedule() returns: cancelling sets a flag the timer's entry is checked against.
class FlagTimerHandle final : public TimerHandle {
 public:
  explicit FlagTimerHandle(std::shared_ptr<std::atomic<bool>> c) : c_(std::move(c)) {}
  ~FlagTimerHandle() override { cancel(); }
  void cancel() override { *c_ = true; }

 private:
  std::shared_ptr<std::atomic<bool>> c_;
};

class SimulatedTime final : public Clock, public Scheduler {
 public:
  explicit SimulatedTime(Timestamp start) : now_(start) {}

  Timestamp now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }

  std::unique_ptr<TimerHandle> schedule(Timestamp deadline, std::function<void()> fn) override {
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    std::lock_guard lock(mu_);
    // Same deadline: in the order scheduled (the sequence number breaks ties).
    timers_.emplace(Key{deadline, next_seq_++}, Entry{std::move(fn), cancelled});
    return std::make_unique<FlagTimerHandle>(cancelled);
  }

  // The earliest live timer's deadline.
  std::optional<Timestamp> next_deadline() {
    std::lock_guard lock(mu_);
    drop_cancelled();
    if (timers_.empty()) return std::nullopt;
    return timers_.begin()->first.deadline;
  }

  std::size_t pending() {
    std::lock_guard lock(mu_);
    drop_cancelled();
    return timers_.size();
  }

  // Moves time to `until`, running each timer due on the way (those they schedule too).
  void advance_to(Timestamp until) {
    while (run_next(until)) {
    }
    std::lock_guard lock(mu_);
    if (until > now_) now_ = until;
  }
  void advance(Millis d) { advance_to(now() + d); }

  // advance_to(now() + d), running io's ready handlers before time moves and after each timer
  // (io must not be run by another thread meanwhile).
  void run_for(boost::asio::io_context& io, Millis d) {
    const Timestamp until = now() + d;
    drain(io);
    while (run_next(until)) drain(io);
    {
      std::lock_guard lock(mu_);
      if (until > now_) now_ = until;
    }
    drain(io);
  }

  // Runs io's ready handlers until none is left (time does not move).
  static void drain(boost::asio::io_context& io) {
    io.restart();
    while (io.poll() > 0) io.restart();
  }

 private:
  struct Key {
    Timestamp deadline;
    std::uint64_t seq;
    bool operator<(const Key& o) const {
      return deadline != o.deadline ? deadline < o.deadline : seq < o.seq;
    }
  };
  struct Entry {
    std::function<void()> fn;
    std::shared_ptr<std::atomic<bool>> cancelled;
  };

  void drop_cancelled() {
    std::erase_if(timers_, [](const auto& kv) { return kv.second.cancelled->load(); });
  }

  // Runs the earliest live timer due by `until` (outside the lock); false when there is none.
  bool run_next(Timestamp until) {
    Entry e;
    {
      std::lock_guard lock(mu_);
      drop_cancelled();
      if (timers_.empty() || timers_.begin()->first.deadline > until) return false;
      auto it = timers_.begin();
      if (it->first.deadline > now_) now_ = it->first.deadline;
      e = std::move(it->second);
      timers_.erase(it);
    }
    if (!*e.cancelled) e.fn();
    return true;
  }

  mutable std::mutex mu_;
  Timestamp now_;
  std::uint64_t next_seq_ = 0;
  std::map<Key, Entry> timers_;
};

}  // namespace ccteams::testing
