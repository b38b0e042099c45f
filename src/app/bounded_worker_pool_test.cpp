#include "app/bounded_worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "app/metrics.hpp"

namespace ccteams {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Polls until condition holds (returns at once when it does) or 30 s have passed.
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = SteadyClock::now() + 30s;
  while (SteadyClock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::yield();
  }
  return condition();
}

enum Outcome : int { pending = 0, done = 1, refused = 2, other = 3 };

struct PoolFixture : ::testing::Test {
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> guard{ioc.get_executor()};
  std::thread runner{[this] { ioc.run(); }};
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();

  ~PoolFixture() override {
    guard.reset();
    runner.join();
  }
  // Runs job on pool from a coroutine on ioc; *outcome tells how run() ended.
  void submit(PasswordWorkers& pool, std::function<void()> job, std::atomic<int>* outcome) {
    asio::co_spawn(
        ioc,
        [&pool, job = std::move(job), outcome]() mutable -> asio::awaitable<void> {
          auto r = co_await pool.run(std::move(job));
          outcome->store(r ? done : r.error().code == Errc::rate_limited ? refused : other);
        },
        asio::detached);
  }
};

TEST_F(PoolFixture, RefusesAtOnceWhenWorkersAndQueueAreFullThenAcceptsAgain) {
  Metrics metrics;
  Counter& refused_total = metrics.counter("t_refused", "test");
  BoundedWorkerPool pool({1, 1, 2, &refused_total});
  std::atomic<int> started{0};
  std::atomic<int> a{pending}, b{pending}, c{pending}, d{pending};
  auto blocking = [&] {
    started.fetch_add(1);
    released.wait();
  };
  submit(pool, blocking, &a);  // runs on the one worker
  ASSERT_TRUE(eventually([&] { return started.load() == 1; }));
  submit(pool, blocking, &b);  // waits in the queue
  ASSERT_TRUE(eventually([&] { return pool.in_flight() == 2; }));
  submit(
      pool, [] {}, &c);  // no room: refused without waiting for anyone
  ASSERT_TRUE(eventually([&] { return c.load() != pending; }));
  EXPECT_EQ(c.load(), refused);
  EXPECT_EQ(refused_total.value(), 1u);
  EXPECT_EQ(a.load(), pending);
  EXPECT_EQ(b.load(), pending);

  release.set_value();
  ASSERT_TRUE(eventually([&] { return a.load() == done && b.load() == done; }));
  EXPECT_EQ(started.load(), 2);
  EXPECT_EQ(pool.in_flight(), 0u);
  submit(
      pool, [] {}, &d);
  ASSERT_TRUE(eventually([&] { return d.load() != pending; }));
  EXPECT_EQ(d.load(), done);
}

TEST_F(PoolFixture, JobsRunOnAWorkerAndTheCallerResumesOnItsOwnThread) {
  BoundedWorkerPool pool({2, 4});
  std::promise<std::pair<std::thread::id, std::thread::id>> seen;  // job, resumed
  std::thread::id io_thread;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        io_thread = std::this_thread::get_id();
        std::thread::id job_thread;
        auto r = co_await pool.run([&] { job_thread = std::this_thread::get_id(); });
        EXPECT_TRUE(r);
        seen.set_value({job_thread, std::this_thread::get_id()});
      },
      asio::detached);
  auto f = seen.get_future();
  ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
  auto [job_thread, resumed] = f.get();
  EXPECT_NE(job_thread, io_thread);
  EXPECT_NE(job_thread, std::thread::id{});
  EXPECT_EQ(resumed, io_thread);
  release.set_value();
}

}  // namespace
}  // namespace ccteams
