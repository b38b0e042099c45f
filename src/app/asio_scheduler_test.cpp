#include "app/asio_scheduler.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

namespace ccteams {
namespace {

Timestamp wall_now() {
  return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
}

TEST(AsioScheduler, FiresAtTheDeadlineAndNotAfterCancel) {
  boost::asio::io_context ioc;
  auto work = boost::asio::make_work_guard(ioc);
  std::thread t1([&] { ioc.run(); });
  std::thread t2([&] { ioc.run(); });
  AsioScheduler scheduler(ioc);
  std::atomic<int> fired{0}, cancelled_fired{0};
  const auto start = std::chrono::steady_clock::now();
  std::atomic<std::int64_t> elapsed_ms{-1};
  auto keep = scheduler.schedule(wall_now() + Millis{30}, [&] {
    elapsed_ms = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start).count();
    ++fired;
  });
  auto gone = scheduler.schedule(wall_now() + Millis{10}, [&] { ++cancelled_fired; });
  gone->cancel();
  auto dropped = scheduler.schedule(wall_now() + Millis{10}, [&] { ++cancelled_fired; });
  dropped.reset();  // destroying the handle cancels too
  auto past = scheduler.schedule(wall_now() - Millis{1000}, [&] { ++fired; });
  // Up to 30 s for two timers of at most 30 ms: a loaded machine may be slow, never wrong.
  for (int i = 0; i < 6000 && fired < 2; ++i) std::this_thread::sleep_for(Millis{5});
  std::this_thread::sleep_for(Millis{20});
  work.reset();
  ioc.stop();
  t1.join();
  t2.join();
  EXPECT_EQ(fired, 2);
  EXPECT_EQ(cancelled_fired, 0);
  EXPECT_GE(elapsed_ms, 29);
}

}  // namespace
}  // namespace ccteams
