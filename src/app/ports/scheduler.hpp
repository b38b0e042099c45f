#pragma once
// Timers for app services (RONA, wrap-up), as a port so that tests drive time by hand
// (STYLE.md §2). The production implementation runs on the io_context (app/asio_scheduler).

#include <functional>
#include <memory>

#include "core/time.hpp"

namespace ccteams {

// Cancels on destruction. Thread-safety: cancel() and the destructor may run on any thread.
class TimerHandle {
 public:
  virtual ~TimerHandle() = default;
  // After cancel() returns the callback will not start; one already running finishes.
  virtual void cancel() = 0;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Runs fn once at (or soon after) deadline on one of the scheduler's threads, never inline.
  // A deadline in the past fires as soon as possible. Callbacks must tolerate running late
  // (re-check the state they act on).
  virtual std::unique_ptr<TimerHandle> schedule(Timestamp deadline, std::function<void()> fn) = 0;
};

}  // namespace ccteams
