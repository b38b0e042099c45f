#include "core/login_throttle.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ccteams {
namespace {

using namespace std::chrono_literals;

TEST(LoginThrottle, WaitStartsAfterSomeFailuresGrowsAndIsCapped) {
  struct Case {
    int failures;
    int delay_after;
    Millis expected;
  };
  const std::vector<Case> cases = {
      {0, 5, 0ms},    {4, 5, 0ms},     {5, 5, 1000ms},   {6, 5, 2000ms},     {7, 5, 4000ms},
      {8, 5, 8000ms}, {9, 5, 16000ms}, {10, 5, 30000ms}, {1000, 5, 30000ms}, {1, 1, 1000ms},
      {0, 1, 0ms},    {2, 1, 2000ms},  {1, 0, 1000ms},   {0, 0, 0ms},        {3, -1, 4000ms},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(required_login_wait(c.failures, c.delay_after, 1s, 30s), c.expected)
        << c.failures << " failures, delay after " << c.delay_after;
  }
}

TEST(LoginThrottle, NoDelayConfiguredMeansNoWait) {
  EXPECT_EQ(required_login_wait(50, 1, 0ms, 30s), 0ms);
}

TEST(LoginThrottle, RetryAfterRoundsUpToWholeSeconds) {
  EXPECT_EQ(retry_after_seconds(1ms), 1);
  EXPECT_EQ(retry_after_seconds(1000ms), 1);
  EXPECT_EQ(retry_after_seconds(1001ms), 2);
  EXPECT_EQ(retry_after_seconds(0ms), 1);
}

}  // namespace
}  // namespace ccteams
