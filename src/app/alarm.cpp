#include "app/alarm.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ccteams {

namespace asio = boost::asio;

// `signal` is never given a time of its own: it is the strand's way to suspend a coroutine, and
// cancel() is how the Scheduler's callback, wake() and stop() resume it. `generation` tells a
// late callback of an earlier wait from the current one.
struct Alarm::State {
  State(asio::any_io_executor ex, Scheduler& s) : strand(std::move(ex)), signal(strand), scheduler(s) {
    signal.expires_at(asio::steady_timer::time_point::max());
  }
  asio::any_io_executor strand;
  asio::steady_timer signal;
  Scheduler& scheduler;
  std::uint64_t generation = 0;
  bool woken = false;
  bool stopped = false;
  bool deadline_reached = false;
};

Alarm::Alarm(asio::any_io_executor strand, Scheduler& scheduler)
    : state_(std::make_shared<State>(std::move(strand), scheduler)) {}

Alarm::~Alarm() = default;

asio::awaitable<Alarm::Woke> Alarm::wait_until(Timestamp deadline) {
  auto st = state_;
  if (st->stopped) co_return Woke::stopped;
  if (st->woken) {
    st->woken = false;
    co_return Woke::woken;
  }
  const std::uint64_t generation = ++st->generation;
  st->deadline_reached = false;
  std::weak_ptr<State> weak = st;
  auto handle = st->scheduler.schedule(deadline, [weak, generation] {
    auto s = weak.lock();
    if (!s) return;
    asio::post(s->strand, [s, generation] {
      if (s->generation != generation) return;
      s->deadline_reached = true;
      s->signal.cancel();
    });
  });
  st->signal.expires_at(asio::steady_timer::time_point::max());
  boost::system::error_code ec;
  co_await st->signal.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  handle.reset();
  ++st->generation;  // a callback still queued for this wait is ignored
  if (st->stopped) co_return Woke::stopped;
  if (st->woken) {
    st->woken = false;
    co_return Woke::woken;
  }
  co_return st->deadline_reached ? Woke::deadline : Woke::woken;
}

void Alarm::wake() {
  asio::post(state_->strand, [s = state_] {
    s->woken = true;
    s->signal.cancel();
  });
}

void Alarm::stop() {
  asio::post(state_->strand, [s = state_] {
    s->stopped = true;
    s->signal.cancel();
  });
}

}  // namespace ccteams
