#include "app/asio_scheduler.hpp"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>

namespace ccteams {

namespace asio = boost::asio;

namespace {

// Shared by the handle and the pending wait: the timer must live until its handler ran, even
// when the handle is gone. `cancelled` closes the gap where the timer already expired and its
// handler is queued (asio's cancel cannot recall it then).
struct TimerState {
  explicit TimerState(asio::io_context& ioc) : timer(asio::make_strand(ioc)) {}
  // On its own strand: the io_context runs on several threads and a timer is not thread-safe.
  asio::steady_timer timer;
  std::atomic<bool> cancelled{false};
};

class AsioTimerHandle final : public TimerHandle {
 public:
  explicit AsioTimerHandle(std::shared_ptr<TimerState> state) : state_(std::move(state)) {}
  ~AsioTimerHandle() override { cancel(); }
  void cancel() override {
    if (state_->cancelled.exchange(true)) return;
        asio::post(state_->timer.get_executor(), [s = state_] { s->timer.cancel(); });
  }

 private:
  std::shared_ptr<TimerState> state_;
};

}  // namespace

std::unique_ptr<TimerHandle> AsioScheduler::schedule(Timestamp deadline,
                                                     std::function<void()> fn) {
  auto state = std::make_shared<TimerState>(ioc_);
  // Wall-clock deadline to a steady duration: system clock jumps must not fire RONA early.
  const auto now = std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  const auto delay = std::max(Millis{0}, deadline - now);
  asio::post(state->timer.get_executor(), [state, delay, fn = std::move(fn)]() mutable {
    if (state->cancelled) return;
    state->timer.expires_after(delay);
    state->timer.async_wait([state, fn = std::move(fn)](const boost::system::error_code& ec) {
      if (ec || state->cancelled) return;
      fn();
    });
  });
  return std::make_unique<AsioTimerHandle>(state);
}

}  // namespace ccteams
