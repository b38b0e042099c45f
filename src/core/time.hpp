#pragma once
// Time in the core is a value passed in (STYLE.md §2): never read a clock here.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ccteams {

using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;
using Millis = std::chrono::milliseconds;

// "2026-11-24T08:25:35.123Z" (UTC, millisecond precision), as the API and Graph use.
std::string format_iso8601(Timestamp t);

// Parses RFC 3339 / ISO-8601 UTC timestamps as Graph sends them: "2026-11-24T08:25:35Z",
// with 0-7 fractional digits, "Z" or a numeric offset. nullopt when malformed.
std::optional<Timestamp> parse_iso8601(std::string_view text);

inline std::int64_t to_unix_millis(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp from_unix_millis(std::int64_t ms) { return Timestamp{Millis{ms}}; }

}  // namespace ccteams
