#pragma once
// Time as the emulator keeps and writes it: its own, shared with nobody (DESIGN.md: the emulator
// is Microsoft's side and shares no code with ours, so that a misreading of Graph's date format
// cannot hide in both).
//
// Thread-safety: pure functions.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ccteams::emulator {

// Milliseconds since the Unix epoch, UTC: the emulator's one notion of an instant.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;
using Millis = std::chrono::milliseconds;

// "2026-11-24T08:25:35.123Z": UTC with milliseconds, as the emulator writes every DateTimeOffset
// (expirationDateTime, lastModifiedDateTime, subscriptionExpirationDateTime…).
std::string format_iso8601(Timestamp t);

// An RFC 3339 date-time as a client sends it: "2026-11-24T08:25:35Z", 'T', 't' or ' ' between
// date and time, any number of fractional digits (kept to the millisecond, truncated), and "Z"
// or a "+hh:mm" / "-hh:mm" offset; no zone at all is taken as UTC (a leap second :60 is
// accepted). nullopt for anything else, a date that does not exist included.
std::optional<Timestamp> parse_iso8601(std::string_view text);

inline std::int64_t to_unix_millis(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp from_unix_millis(std::int64_t ms) { return Timestamp{Millis{ms}}; }

}  // namespace ccteams::emulator
