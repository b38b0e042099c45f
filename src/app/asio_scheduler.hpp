#pragma once
// The Scheduler port on an io_context (asio steady_timer per schedule()). Asio stays in the
// .cpp; the io_context is only declared here.

#include "app/ports/scheduler.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace ccteams {

// Callbacks run on the io_context's threads. The io_context must outlive every handle; when it
// is stopped and destroyed, callbacks not yet run are dropped without running.
// Thread-safety: schedule() may be called from any thread.
class AsioScheduler final : public Scheduler {
 public:
  explicit AsioScheduler(boost::asio::io_context& ioc) : ioc_(ioc) {}
  std::unique_ptr<TimerHandle> schedule(Timestamp deadline, std::function<void()> fn) override;

 private:
  boost::asio::io_context& ioc_;
};

}  // namespace ccteams
