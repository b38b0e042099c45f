#include "app/periodic.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>

#include "app/alarm.hpp"
#include "app/log_escaped.hpp"

namespace ccteams {

namespace asio = boost::asio;

struct Periodic::State {
  State(asio::any_io_executor ex, Scheduler& s, const Clock& c, Millis i, Step st, const char* n)
      : strand(asio::make_strand(std::move(ex))), alarm(strand, s), clock(c), interval(i),
        step(std::move(st)), name(n) {}
  asio::strand<asio::any_io_executor> strand;
  Alarm alarm;
  const Clock& clock;
  Millis interval;
  Step step;
  const char* name;
  bool started = false;
};

Periodic::Periodic(asio::any_io_executor ex, Scheduler& scheduler, const Clock& clock,
                   Millis interval, Step step, const char* name)
    : state_(std::make_shared<State>(std::move(ex), scheduler, clock, interval, std::move(step),
                                     name)) {}

Periodic::~Periodic() { stop(); }

void Periodic::start(First first, Step before) {
  if (state_->started) return;
  state_->started = true;
  asio::co_spawn(
      state_->strand,
      [st = state_, first, before = std::move(before)]() -> asio::awaitable<void> {
        if (before) co_await before();
        bool run = first == First::now;
        for (;;) {
          if (run) co_await st->step();
          run = true;
          const auto woke = co_await st->alarm.wait_until(st->clock.now() + st->interval);
          if (woke == Alarm::Woke::stopped) break;
        }
      },
      LogEscaped{state_->name});
}

void Periodic::stop() { state_->alarm.stop(); }

void Periodic::poke() { state_->alarm.wake(); }

}  // namespace ccteams
