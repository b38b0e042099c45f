#include "core/time.hpp"

#include <gtest/gtest.h>

namespace ccteams {
namespace {

struct ParseCase {
  const char* text;
  std::optional<std::int64_t> unix_ms;
};

class ParseIso8601 : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseIso8601, Table) {
  const auto r = parse_iso8601(GetParam().text);
  if (!GetParam().unix_ms) {
    EXPECT_FALSE(r.has_value()) << GetParam().text;
  } else {
    ASSERT_TRUE(r.has_value()) << GetParam().text;
    EXPECT_EQ(to_unix_millis(*r), *GetParam().unix_ms) << GetParam().text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Graph, ParseIso8601,
    ::testing::Values(ParseCase{"1970-01-01T00:00:00Z", 0},
                      ParseCase{"2026-11-24T08:25:35Z", 1795508735000},
                      ParseCase{"2026-11-24T08:25:35.1234567Z", 1795508735123},  // Graph's 7 digits
                      ParseCase{"2026-11-24T08:25:35.5Z", 1795508735500},
                      ParseCase{"2026-11-24T09:25:35+01:00", 1795508735000},
                      ParseCase{"2026-11-24T08:25:35", 1795508735000},  // no zone: taken as UTC
                      ParseCase{"9999-12-31T23:59:59.9999999", 253402300799999},
                      ParseCase{"2026-02-30T00:00:00Z", std::nullopt},
                      ParseCase{"2026-11-24 08:25", std::nullopt},
                      ParseCase{"2026-11-24T08:25:35.Z", std::nullopt},
                      ParseCase{"2026-11-24T08:25:35Zjunk", std::nullopt},
                      ParseCase{"", std::nullopt}));

TEST(FormatIso8601, MillisecondsAndZ) {
  EXPECT_EQ(format_iso8601(from_unix_millis(1795508735123)), "2026-11-24T08:25:35.123Z");
  EXPECT_EQ(format_iso8601(from_unix_millis(0)), "1970-01-01T00:00:00.000Z");
}

TEST(FormatIso8601, RoundTrips) {
  for (std::int64_t ms : {0LL, 1LL, 999LL, 1795508735123LL, 253402300799999LL}) {
    EXPECT_EQ(to_unix_millis(*parse_iso8601(format_iso8601(from_unix_millis(ms)))), ms);
  }
}

}  // namespace
}  // namespace ccteams
