#pragma once
// The PasswordWorkers port on a small dedicated thread pool with a bounded queue.

#include <atomic>
#include <cstddef>
#include <memory>

#include "app/ports/password_workers.hpp"

namespace ccteams {

class Counter;

struct WorkerPoolOptions {
  int threads = 2;         // worker threads (each Argon2id job uses one core and its memory)
  std::size_t queue = 32;  // jobs that may wait for a worker; beyond: rate_limited at once
  int retry_after_seconds = 1;
  Counter* refused = nullptr;  // not owned; counts jobs refused because the queue was full
};

// Thread-safety: run() from any thread; the destructor waits for running jobs and drops queued
// ones (their coroutines are never resumed: destroy the pool only after the io_contexts that
// await it have stopped).
class BoundedWorkerPool final : public PasswordWorkers {
 public:
  explicit BoundedWorkerPool(WorkerPoolOptions options);
  ~BoundedWorkerPool() override;
  BoundedWorkerPool(const BoundedWorkerPool&) = delete;
  BoundedWorkerPool& operator=(const BoundedWorkerPool&) = delete;

  // PasswordWorkers
  boost::asio::awaitable<Result<void>> run(std::function<void()> job) override;

  // Jobs running or queued now.
  std::size_t in_flight() const { return in_flight_.load(); }

 private:
  struct Impl;
  WorkerPoolOptions options_;
  std::atomic<std::size_t> in_flight_{0};
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccteams
