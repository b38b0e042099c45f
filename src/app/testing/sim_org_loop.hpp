#pragma once
// A presence::OrgLoop for component tests: one strand on a test io_context, time from
// SimulatedTime, and the same loop shape as the organisation's coordinator (presence/org_sync):
// each round calls `step(now, sooner)` then waits with an Alarm until the soonest time asked
// for (or a second) or a wake(). run_for() moves simulated time, running what falls due.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <optional>
#include <vector>

#include "app/alarm.hpp"
#include "app/log_escaped.hpp"
#include "app/presence/org_loop.hpp"
#include "app/testing/simulated_time.hpp"

namespace ccteams::testing {

class SimOrgLoop final : public presence::OrgLoop {
 public:
  using Sooner = std::function<void(Timestamp)>;
  using Step = std::function<void(Timestamp, const Sooner&)>;
  // A round that awaits (as org_sync's does: the watch set's recomputation asks the contact
  // center).
  using AsyncStep = std::function<boost::asio::awaitable<void>(Timestamp, const Sooner&)>;

  explicit SimOrgLoop(SimulatedTime& time)
      : time_(time), strand_(boost::asio::make_strand(io_)), alarm_(strand_, time) {}
  ~SimOrgLoop() override {
    alarm_.stop();
    SimulatedTime::drain(io_);
  }

  // Starts the loop calling step each round.
  void drive(Step step) {
    drive_async([step = std::move(step)](Timestamp t,
                                         const Sooner& sooner) -> boost::asio::awaitable<void> {
      step(t, sooner);
      co_return;
    });
  }
  void drive_async(AsyncStep step) {
    step_ = std::move(step);
    boost::asio::co_spawn(strand_, loop(), LogEscaped{"test org loop"});
    SimulatedTime::drain(io_);
  }
  void run_for(Millis d) { time_.run_for(io_, d); }
  // Runs fn on the strand now (as a hook would post it) and the work it makes ready.
  void on_strand(std::function<void()> fn) {
    boost::asio::post(strand_, std::move(fn));
    SimulatedTime::drain(io_);
  }

  std::vector<GraphError> authorization_reports;
  bool is_running = true;

  // presence::OrgLoop
  Timestamp now() const override { return time_.now(); }
  bool running() const override { return is_running; }
  void wake() override { alarm_.wake(); }
  void spawn(boost::asio::awaitable<void> work, const char* what) override {
    boost::asio::co_spawn(strand_, std::move(work), LogEscaped{what});
  }
  void report_authorization(const GraphError& e) override { authorization_reports.push_back(e); }

 private:
  boost::asio::awaitable<void> loop() {
    for (;;) {
      const Timestamp t = time_.now();
      std::optional<Timestamp> next;
      const Sooner sooner = [&next](Timestamp at) {
        if (!next || at < *next) next = at;
      };
      co_await step_(t, sooner);
      const Timestamp until = std::max(next.value_or(t + Millis{1'000}), t + Millis{1});
      if (co_await alarm_.wait_until(until) == Alarm::Woke::stopped) co_return;
    }
  }

  SimulatedTime& time_;
  boost::asio::io_context io_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  Alarm alarm_;
  AsyncStep step_;
};

}  // namespace ccteams::testing
