#include "emulator/graph_time.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace ccteams::emulator {
namespace {

std::optional<std::int64_t> millis_of(std::string_view text) {
  const auto t = parse_iso8601(text);
  if (!t) return std::nullopt;
  return to_unix_millis(*t);
}

TEST(GraphTime, ReadsWhatClientsSend) {
  EXPECT_EQ(millis_of("2026-11-24T08:25:35Z"), 1795508735000);
  EXPECT_EQ(millis_of("2026-11-24t08:25:35z"), 1795508735000);
  EXPECT_EQ(millis_of("2026-11-24 08:25:35Z"), 1795508735000);
  EXPECT_EQ(millis_of("2026-11-24T08:25:35.9876543Z"), 1795508735987);  // Graph's 7 digits
  EXPECT_EQ(millis_of("2026-11-24T08:25:35.25Z"), 1795508735250);
  EXPECT_EQ(millis_of("2026-11-24T10:55:35+02:30"), 1795508735000);
  EXPECT_EQ(millis_of("2026-11-24T03:25:35-05:00"), 1795508735000);
  EXPECT_EQ(millis_of("2026-11-24T08:25:35"), 1795508735000);  // no zone: UTC
  EXPECT_EQ(millis_of("1970-01-01T00:00:00.000Z"), 0);
}

TEST(GraphTime, RefusesWhatIsNotADateTime) {
  for (const char* bad : {"", "2026-11-24", "2026-11-24T08:25", "2026-13-01T00:00:00Z",
                          "2026-02-29T00:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T08:25:35.Z",
                          "2026-11-24T08:25:35+0100", "2026-11-24T08:25:35Z ", "26-11-24T08:25:35Z",
                          "2026-11-24T08:25:35ZZ", "2026-11-24T08:25:3aZ"}) {
    EXPECT_EQ(millis_of(bad), std::nullopt) << bad;
  }
}

TEST(GraphTime, WritesUtcWithMilliseconds) {
  EXPECT_EQ(format_iso8601(from_unix_millis(1795508735007)), "2026-11-24T08:25:35.007Z");
  EXPECT_EQ(format_iso8601(from_unix_millis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso8601(from_unix_millis(253402300799999)), "9999-12-31T23:59:59.999Z");
  for (std::int64_t ms : {0LL, 1LL, 951782400000LL, 1795508735123LL}) {
    EXPECT_EQ(millis_of(format_iso8601(from_unix_millis(ms))), ms);
  }
}

}  // namespace
}  // namespace ccteams::emulator
