#include "adapters/graph/retry_policy.hpp"

#include <gtest/gtest.h>

namespace ccteams::graph {
namespace {

using std::chrono::milliseconds;

// Wed, 24 Nov 2026 08:25:35 GMT
const Timestamp kNow = from_unix_millis(1795508735000);

struct RetryCase {
  const char* name;
  int attempt;
  int status;
  const char* retry_after;
  double random;
  bool idempotent;
  bool retry;
  std::int64_t delay_ms;
  int retry_after_seconds;
};

class DecideRetry : public ::testing::TestWithParam<RetryCase> {};

TEST_P(DecideRetry, Table) {
  const auto& c = GetParam();
  RetryConfig config;  // 4 attempts, base 500 ms, cap 20 s, Retry-After up to 60 s
  const auto d = decide_retry(config, {c.attempt, c.status, c.retry_after, kNow, c.random,
                                       c.idempotent});
  EXPECT_EQ(d.retry, c.retry);
  EXPECT_EQ(d.delay, milliseconds{c.delay_ms});
  EXPECT_EQ(d.retry_after_seconds, c.retry_after_seconds);
}

INSTANTIATE_TEST_SUITE_P(
    Policy, DecideRetry,
    ::testing::Values(
        // 429 / 503 honour Retry-After, seconds or HTTP-date.
        RetryCase{"TooManyRequestsSeconds", 1, 429, "7", 0.9, true, true, 7000, 7},
        RetryCase{"ServiceUnavailableSeconds", 2, 503, " 3 ", 0.9, true, true, 3000, 3},
        RetryCase{"HttpDate", 1, 429, "Tue, 24 Nov 2026 08:25:45 GMT", 0.5, true, true, 10000, 10},
        RetryCase{"HttpDateInThePast", 1, 429, "Tue, 24 Nov 2026 08:00:00 GMT", 0.5, true, true, 0, 0},
        RetryCase{"ThrottledNonIdempotentStillRetried", 1, 429, "2", 0.5, false, true, 2000, 2},
        // Too long to hold the call open: stop, but report it.
        RetryCase{"RetryAfterOverCap", 1, 429, "120", 0.5, true, false, 0, 120},
        // No (or unreadable) Retry-After: back off like other transient errors.
        RetryCase{"TooManyRequestsNoHeader", 1, 429, "", 0.5, true, true, 250, 0},
        RetryCase{"GarbageHeader", 2, 503, "soon", 0.5, true, true, 500, 0},
        // Exponential full jitter: random × min(20 s, 500 ms × 2^(attempt-1)).
        RetryCase{"InternalErrorFirst", 1, 500, "", 0.5, true, true, 250, 0},
        RetryCase{"BadGatewaySecond", 2, 502, "", 0.5, true, true, 500, 0},
        RetryCase{"GatewayTimeoutThird", 3, 504, "", 0.999, true, true, 1998, 0},
        RetryCase{"TransportFailure", 1, 0, "", 0.0, true, true, 0, 0},
        RetryCase{"RetryAfterIgnoredOn500", 1, 500, "30", 1.0, true, true, 500, 0},
        // Not retried.
        RetryCase{"LastAttempt", 4, 503, "1", 0.5, true, false, 0, 1},
        RetryCase{"NonIdempotent5xx", 1, 500, "", 0.5, false, false, 0, 0},
        RetryCase{"NonIdempotentTimeout", 1, 0, "", 0.5, false, false, 0, 0},
        RetryCase{"BadRequest", 1, 400, "", 0.5, true, false, 0, 0},
        RetryCase{"Unauthorized", 1, 401, "", 0.5, true, false, 0, 0},
        RetryCase{"Forbidden", 1, 403, "", 0.5, true, false, 0, 0},
        RetryCase{"NotFound", 1, 404, "", 0.5, true, false, 0, 0},
        RetryCase{"NotImplemented", 1, 501, "", 0.5, true, false, 0, 0},
        RetryCase{"Success", 1, 200, "", 0.5, true, false, 0, 0}),
    [](const auto& test) { return std::string(test.param.name); });

TEST(DecideRetry, BackoffIsCappedAtMaxDelay) {
  RetryConfig config;
  config.max_attempts = 100;
  const auto d = decide_retry(config, {40, 500, "", kNow, 0.999999, true});
  ASSERT_TRUE(d.retry);
  EXPECT_LE(d.delay, config.max_delay);
  EXPECT_GE(d.delay, milliseconds{19'999});
}

TEST(DecideRetry, JitterSpreadsDelaysOverTheWholeRange) {
  RetryConfig config;
  for (double r : {0.0, 0.25, 0.5, 0.75}) {
    const auto d = decide_retry(config, {3, 503, "", kNow, r, true});  // ceiling 2000 ms
    EXPECT_EQ(d.delay, milliseconds{static_cast<std::int64_t>(2000 * r)}) << r;
  }
}

struct RetryAfterCase {
  const char* text;
  std::optional<std::int64_t> ms;
};

class ParseRetryAfter : public ::testing::TestWithParam<RetryAfterCase> {};

TEST_P(ParseRetryAfter, Table) {
  const auto got = parse_retry_after(GetParam().text, kNow);
  if (!GetParam().ms) {
    EXPECT_FALSE(got.has_value()) << GetParam().text;
  } else {
    ASSERT_TRUE(got.has_value()) << GetParam().text;
    EXPECT_EQ(got->count(), *GetParam().ms) << GetParam().text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseRetryAfter,
    ::testing::Values(RetryAfterCase{"0", 0}, RetryAfterCase{"120", 120000},
                      RetryAfterCase{"Tue, 24 Nov 2026 08:26:35 GMT", 60000},
                      RetryAfterCase{"", std::nullopt}, RetryAfterCase{"-1", std::nullopt},
                      RetryAfterCase{"1.5", std::nullopt},
                      RetryAfterCase{"Tue, 24 Nov 2026 08:26:35 UTC", std::nullopt},
                      RetryAfterCase{"Tue, 31 Nov 2026 08:26:35 GMT", std::nullopt},
                      RetryAfterCase{"Tuesday, 24-Nov-26 08:26:35 GMT", std::nullopt}));

}  // namespace
}  // namespace ccteams::graph
