#pragma once
// The one periodic loop of ccteams: runs a step, waits `interval` on the Scheduler's time (an
// Alarm), again, until stop(). Every periodic loop uses it: the directory's scheduled sync,
// the connector's health check, the sign-in clean-up, the ops gauges and the emulator host's
// tick; unit tests drive it on SimulatedTime.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>

#include "app/ports/clock.hpp"
#include "app/ports/scheduler.hpp"

namespace ccteams {

class Periodic {
 public:
  using Step = std::function<boost::asio::awaitable<void>()>;
  enum class First : std::uint8_t { now, after_interval };
  // Every reference must outlive the loop. name: a literal, for the log.
  Periodic(boost::asio::any_io_executor ex, Scheduler& scheduler, const Clock& clock,
           Millis interval, Step step, const char* name);
  ~Periodic();
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

  // Starts the loop (once); `before` runs first when given (e.g. resuming interrupted work).
  void start(First first, Step before = {});
  // Ends the loop: the step under way finishes, no other starts. Idempotent; any thread.
  void stop();
  // Runs the next step at once instead of at the end of the interval. Any thread.
  void poke();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace ccteams
