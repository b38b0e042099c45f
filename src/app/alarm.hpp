#pragma once
// A coroutine's wait until a deadline or a wake-up, with time from the Scheduler port: the same
// code waits on the io_context's clock in production and on SimulatedTime in unit tests
// (docs/architecture.md, "Time"). Asio's timer types stay in alarm.cpp.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>

#include "app/ports/scheduler.hpp"
#include "core/time.hpp"

namespace ccteams {

// Belongs to one strand (an organisation's actor): wait_until() and stop() run there; wake()
// may be called from any thread.
class Alarm {
 public:
  Alarm(boost::asio::any_io_executor strand, Scheduler& scheduler);
  ~Alarm();
  Alarm(const Alarm&) = delete;
  Alarm& operator=(const Alarm&) = delete;

  enum class Woke : std::uint8_t { deadline, woken, stopped };
  // Suspends until the Scheduler's time reaches deadline, wake() is called, or stop(). A wake()
  // that came while nothing waited ends the next wait at once (it is not lost).
  boost::asio::awaitable<Woke> wait_until(Timestamp deadline);
  void wake();
  // Ends the current wait and every later one at once (a loop that sees `stopped` returns).
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace ccteams
