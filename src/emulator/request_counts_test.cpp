// The emulator's per-client request counts (GET /_emulator/requests): outcomes by status, and
// requests that arrived while a 429's Retry-After given to the same client and endpoint ran.
#include "emulator/request_counts.hpp"

#include <gtest/gtest.h>

#include "emulator/encoding.hpp"

namespace ccteams::emulator {
namespace {

constexpr Timestamp kT0 = Timestamp(Millis(1'800'000'000'000));

struct OutcomeCase {
  int status;
  std::uint64_t RequestTally::*field;
};

class RequestOutcome : public ::testing::TestWithParam<OutcomeCase> {};

TEST_P(RequestOutcome, CountsEachStatusUnderItsOutcome) {
  RequestCounts c;
  c.record("app", "graph", GetParam().status, 0, kT0);
  const RequestTally* t = c.find("app", "graph");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->requests, 1u);
  EXPECT_EQ(t->*GetParam().field, 1u);
  EXPECT_EQ(t->ok + t->throttled + t->unavailable + t->unauthorized + t->other_errors, 1u);
}

INSTANTIATE_TEST_SUITE_P(Statuses, RequestOutcome,
                         ::testing::Values(OutcomeCase{200, &RequestTally::ok},
                                           OutcomeCase{204, &RequestTally::ok},
                                           OutcomeCase{429, &RequestTally::throttled},
                                           OutcomeCase{503, &RequestTally::unavailable},
                                           OutcomeCase{500, &RequestTally::unavailable},
                                           OutcomeCase{401, &RequestTally::unauthorized},
                                           OutcomeCase{403, &RequestTally::unauthorized},
                                           OutcomeCase{400, &RequestTally::other_errors},
                                           OutcomeCase{404, &RequestTally::other_errors}));

TEST(RequestCounts, CountsRequestsBeforeRetryAfterElapsedPerClientAndEndpoint) {
  RequestCounts c;
  c.record("app", "graph", 429, 2, kT0);
  c.record("app", "graph", 429, 2, kT0 + Millis(1999));  // early; extends to +3999
  c.record("app", "token", 200, 0, kT0 + Millis(500));   // another endpoint: not early
  c.record("other", "graph", 200, 0, kT0 + Millis(500));  // another client: not early
  c.record("app", "graph", 200, 0, kT0 + Millis(3000));  // early (the second Retry-After)
  c.record("app", "graph", 200, 0, kT0 + Millis(3999));  // on time
  c.record("app", "graph", 503, 60, kT0 + Millis(4000));  // a 503's Retry-After: its own
  c.record("app", "graph", 200, 0, kT0 + Millis(4001));   // not early
  EXPECT_EQ(c.find("app", "graph")->before_retry_after, 2u);
  EXPECT_EQ(c.find("app", "graph")->requests, 6u);
  // Two 429s (one early too), one early 200, the 503.
  EXPECT_EQ(c.find("app", "graph")->wasted, 4u);
  EXPECT_EQ(c.find("app", "token")->before_retry_after, 0u);
  EXPECT_EQ(c.find("other", "graph")->before_retry_after, 0u);
  const auto j = c.to_json();
  EXPECT_EQ(j.at("value").as_array().size(), 3u);
  c.reset();
  EXPECT_EQ(c.find("app", "graph"), nullptr);
}

TEST(RequestCounts, ReadsTheClientIdOfABearerTokenWithoutVerifyingIt) {
  const std::string payload = base64url_encode(R"({"appid":"a-1","tid":"t"})");
  EXPECT_EQ(unverified_client_id("Bearer x." + payload + ".sig"), "a-1");
  const std::string delegated = base64url_encode(R"({"azp":"a-2"})");
  EXPECT_EQ(unverified_client_id("Bearer x." + delegated + ".sig"), "a-2");
  EXPECT_EQ(unverified_client_id(""), "");
  EXPECT_EQ(unverified_client_id("Bearer nodots"), "");
  EXPECT_EQ(unverified_client_id("Bearer x.%%%.y"), "");
  EXPECT_EQ(unverified_client_id("Bearer x." + base64url_encode("[1]") + ".y"), "");
}

}  // namespace
}  // namespace ccteams::emulator
