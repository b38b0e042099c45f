#pragma once
// Teams presence as Graph reports it (graph-protocol.md §3.1), the connector's presence mapping
// (DESIGN.md, presence sync rules) and the sequenceNumber ordering rule. Pure values.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"

namespace ccteams {

// Graph's availability values. `other` keeps a value we do not know (Graph adds values over
// time); its raw text stays in Presence::raw_availability.
enum class Availability : std::uint8_t {
  available, available_idle, away, be_right_back, busy, busy_idle, do_not_disturb, offline,
  presence_unknown, other,
};

// Graph's activity values, plus `focusing` (seen on the wire as DoNotDisturb/Focusing although
// the documented list omits it). `other` keeps an unknown value's raw text.
enum class Activity : std::uint8_t {
  available, away, be_right_back, busy, do_not_disturb, in_a_call, in_a_conference_call, inactive,
  in_a_meeting, offline, off_work, out_of_office, presence_unknown, presenting,
  urgent_interruptions_only, focusing, other,
};

// Case-insensitive ("inACall", "InACall", "INACALL" all parse); unknown text gives `other`.
Availability parse_availability(std::string_view text);
Activity parse_activity(std::string_view text);
// Graph's PascalCase spelling ("DoNotDisturb", "InACall"); `other` gives "Other".
std::string_view availability_name(Availability a);
std::string_view activity_name(Activity a);
// Strict parses for configuration input (the mapping): nullopt for unknown values.
std::optional<Availability> parse_known_availability(std::string_view text);
std::optional<Activity> parse_known_activity(std::string_view text);

// One (availability, activity) pair. raw_* hold the original text only for `other` values, so
// an unknown value survives a round trip and two different unknown values do not compare equal.
struct Presence {
  Availability availability = Availability::presence_unknown;
  Activity activity = Activity::presence_unknown;
  std::string raw_availability;  // non-empty only when availability == other
  std::string raw_activity;      // non-empty only when activity == other

  friend bool operator==(const Presence&, const Presence&) = default;
};

// Builds a Presence from Graph's strings (any case, unknown values tolerated).
Presence parse_presence(std::string_view availability, std::string_view activity);
Presence make_presence(Availability availability, Activity activity);
// The Graph spelling of each half; `other` values give their raw text back.
std::string format_availability(const Presence& p);
std::string format_activity(const Presence& p);
// "Busy/InACall", for logs and messages.
std::string to_string(const Presence& p);

// Whether a Teams availability says "not now" to a caller: Busy, BusyIdle and DoNotDisturb.
// A consult or transfer to such an expert warns the agent first.
bool is_busy(Availability a);

// The presence our own app session sets while the agent is Reserved or Engaged
// (DESIGN.md outbound: setPresence Busy/InACall).
inline Presence own_session_presence() {
  return make_presence(Availability::busy, Activity::in_a_call);
}

// One mapping rule: a Teams presence that idles an available agent with the given idle code.
// No activity means "any activity of this availability".
struct PresenceMappingRule {
  Availability availability = Availability::do_not_disturb;
  std::optional<Activity> activity;
  IdleCodeId idle_code;

  friend bool operator==(const PresenceMappingRule&, const PresenceMappingRule&) = default;
};

// The connector's mapping (admin-editable). Lookup: a rule naming both availability and activity
// beats a rule naming the availability only; among equally specific rules the first wins
// (validate() refuses duplicates, so that only matters for unvalidated data).
class PresenceMapping {
 public:
  PresenceMapping() = default;
  explicit PresenceMapping(std::vector<PresenceMappingRule> rules) : rules_(std::move(rules)) {}

  // The idle code for this presence, or nullopt when the presence is unmapped.
  std::optional<IdleCodeId> lookup(const Presence& p) const;

  // invalid_input when a rule uses an `other` value or two rules have the same
  // (availability, activity) key; the message names the offending rule index.
  Result<void> validate() const;

  const std::vector<PresenceMappingRule>& rules() const { return rules_; }
  friend bool operator==(const PresenceMapping&, const PresenceMapping&) = default;

 private:
  std::vector<PresenceMappingRule> rules_;
};

// The idle codes the default mapping points at (they are ordinary, org-owned codes).
struct DefaultMappingCodes {
  IdleCodeId do_not_disturb;         // DoNotDisturb, any activity
  IdleCodeId in_a_call;              // Busy/InACall
  IdleCodeId in_a_conference_call;   // Busy/InAConferenceCall
  IdleCodeId presenting;             // DoNotDisturb/Presenting
};
// DESIGN.md defaults: DoNotDisturb (any), Busy/InACall, Busy/InAConferenceCall,
// DoNotDisturb/Presenting.
PresenceMapping default_presence_mapping(const DefaultMappingCodes& codes);

// Graph's sequenceNumber is a "lexicographically sortable" version stamp of one user's presence.
enum class SequenceVerdict : std::uint8_t {
  apply,      // newer than the last one seen, or ordering unknown (either stamp empty)
  stale,      // older than the last one seen: drop it
  duplicate,  // the same stamp again: drop it, nothing changes
};
// Compares an incoming stamp with the last applied one (empty = unknown). Plain byte-wise
// comparison, as documented; a longer stamp sharing a prefix sorts after the shorter one.
SequenceVerdict compare_sequence(std::string_view last_seen, std::string_view incoming);
std::string_view sequence_verdict_name(SequenceVerdict v);  // "apply", "stale", "duplicate"

}  // namespace ccteams
