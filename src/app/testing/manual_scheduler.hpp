#pragma once
// A Scheduler that runs nothing until the test says the time has come (STYLE §15).

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "app/ports/scheduler.hpp"

namespace ccteams::testing {

// The test schedulers' handle: cancelling sets a flag the scheduler checks before running.
class FlagTimerHandle final : public TimerHandle {
 public:
  explicit FlagTimerHandle(std::shared_ptr<std::atomic<bool>> c) : c_(std::move(c)) {}
  ~FlagTimerHandle() override { cancel(); }
  void cancel() override { *c_ = true; }

 private:
  std::shared_ptr<std::atomic<bool>> c_;
};

class ManualScheduler final : public Scheduler {
 public:
  std::unique_ptr<TimerHandle> schedule(Timestamp deadline, std::function<void()> fn) override {
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    std::lock_guard lock(mu_);
    entries_.push_back({deadline, std::move(fn), cancelled});
    return std::make_unique<FlagTimerHandle>(cancelled);
  }
  // Runs every live timer due at now (outside the lock, so they may schedule); returns how many.
  int run_due(Timestamp now) {
    std::vector<Entry> due;
    {
      std::lock_guard lock(mu_);
      std::erase_if(entries_, [&](Entry& e) {
        if (*e.cancelled) return true;
        if (e.deadline > now) return false;
        due.push_back(std::move(e));
        return true;
      });
    }
    int ran = 0;
    for (auto& e : due) {
      if (*e.cancelled) continue;
      e.fn();
      ++ran;
    }
    return ran;
  }
  // Live timers waiting.
  std::size_t pending() {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const auto& e : entries_) n += *e.cancelled ? 0 : 1;
    return n;
  }

 private:
  struct Entry {
    Timestamp deadline;
    std::function<void()> fn;
    std::shared_ptr<std::atomic<bool>> cancelled;
  };
  std::mutex mu_;
  std::vector<Entry> entries_;
};

}  // namespace ccteams::testing
