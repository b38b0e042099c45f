#pragma once
// A Scheduler whose timers fire only when the test says so (run_due), never inline in
// schedule(): simulated time for app-layer tests. Thread-safety: one thread.

#include <functional>
#include <memory>
#include <vector>

#include "app/ports/scheduler.hpp"

namespace ccteams::testing {

class ManualScheduler final : public Scheduler {
 public:
  std::unique_ptr<TimerHandle> schedule(Timestamp deadline, std::function<void()> fn) override {
    auto cancelled = std::make_shared<bool>(false);
    entries_.push_back({deadline, std::move(fn), cancelled});
    return std::make_unique<Handle>(cancelled);
  }
  // Runs every live timer due at now (those scheduled meanwhile wait for the next call);
  // returns how many ran.
  int run_due(Timestamp now) {
    std::vector<Entry> due;
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (*it->cancelled) {
        it = entries_.erase(it);
      } else if (it->deadline <= now) {
        due.push_back(std::move(*it));
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& e : due) {
      if (!*e.cancelled) e.fn();
    }
    return static_cast<int>(due.size());
  }
  // Live timers waiting.
  std::size_t pending() const {
    std::size_t n = 0;
    for (const auto& e : entries_) n += *e.cancelled ? 0 : 1;
    return n;
  }

 private:
  struct Entry {
    Timestamp deadline;
    std::function<void()> fn;
    std::shared_ptr<bool> cancelled;
  };
  class Handle final : public TimerHandle {
   public:
    explicit Handle(std::shared_ptr<bool> c) : c_(std::move(c)) {}
    ~Handle() override { cancel(); }
    void cancel() override { *c_ = true; }

   private:
    std::shared_ptr<bool> c_;
  };
  std::vector<Entry> entries_;
};

}  // namespace ccteams::testing
