#include "app/bounded_worker_pool.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "app/metrics.hpp"

namespace ccteams {

namespace asio = boost::asio;

struct BoundedWorkerPool::Impl {
  explicit Impl(int threads) : pool(static_cast<std::size_t>(threads)) {}
  asio::thread_pool pool;
};

BoundedWorkerPool::BoundedWorkerPool(WorkerPoolOptions options)
    : options_(options), impl_(std::make_unique<Impl>(std::max(1, options.threads))) {}

BoundedWorkerPool::~BoundedWorkerPool() {
  impl_->pool.stop();
  impl_->pool.join();
}

asio::awaitable<Result<void>> BoundedWorkerPool::run(std::function<void()> job) {
  const std::size_t capacity =
      static_cast<std::size_t>(std::max(1, options_.threads)) + options_.queue;
  // Counted before queuing so that concurrent callers cannot all slip past the bound.
  if (in_flight_.fetch_add(1) >= capacity) {
    in_flight_.fetch_sub(1);
    if (options_.refused != nullptr) options_.refused->inc();
    co_return make_error(Errc::rate_limited,
                         "the server is busy checking passwords; try again in a moment",
                         std::max(1, options_.retry_after_seconds));
  }
  struct Release {
    std::atomic<std::size_t>& n;
    ~Release() { n.fetch_sub(1); }
  } release{in_flight_};
  // co_spawn's completion resumes this coroutine through its own executor, so the caller is
  // back on its strand when the job is done.
  // Locals, not temporaries of the co_await expression (GCC 12 may destroy those twice).
  auto work = [&job]() -> asio::awaitable<void> {
    job();
    co_return;
  };
  auto on_pool = asio::co_spawn(impl_->pool.get_executor(), work, asio::use_awaitable);
  co_await std::move(on_pool);
  co_return ok();
}

}  // namespace ccteams
