#pragma once
// Where slow password work (Argon2id hashing and verification) runs: never on an I/O thread,
// where one hash would hold up every connection that thread serves.

#include <boost/asio/awaitable.hpp>
#include <functional>

#include "core/result.hpp"

namespace ccteams {

// Thread-safety: run may be called from any coroutine on any executor, concurrently.
class PasswordWorkers {
 public:
  virtual ~PasswordWorkers() = default;
  // Runs job on a worker thread (never on the caller's) and resumes the awaiting coroutine on
  // its own executor once job has returned. job must not throw.
  // Errors: rate_limited (retry_after_seconds > 0) at once, without running job, when every
  // worker is busy and the queue is full: a flood is refused instead of queued without bound.
  virtual boost::asio::awaitable<Result<void>> run(std::function<void()> job) = 0;
};

}  // namespace ccteams
