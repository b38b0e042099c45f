#include "core/presence.hpp"

#include <array>
#include <cstddef>
#include <utility>

namespace ccteams {
namespace {

constexpr std::array<std::pair<Availability, std::string_view>, 9> kAvailabilityNames{{
    {Availability::available, "Available"},
    {Availability::available_idle, "AvailableIdle"},
    {Availability::away, "Away"},
    {Availability::be_right_back, "BeRightBack"},
    {Availability::busy, "Busy"},
    {Availability::busy_idle, "BusyIdle"},
    {Availability::do_not_disturb, "DoNotDisturb"},
    {Availability::offline, "Offline"},
    {Availability::presence_unknown, "PresenceUnknown"},
}};

constexpr std::array<std::pair<Activity, std::string_view>, 16> kActivityNames{{
    {Activity::available, "Available"},
    {Activity::away, "Away"},
    {Activity::be_right_back, "BeRightBack"},
    {Activity::busy, "Busy"},
    {Activity::do_not_disturb, "DoNotDisturb"},
    {Activity::in_a_call, "InACall"},
    {Activity::in_a_conference_call, "InAConferenceCall"},
    {Activity::inactive, "Inactive"},
    {Activity::in_a_meeting, "InAMeeting"},
    {Activity::offline, "Offline"},
    {Activity::off_work, "OffWork"},
    {Activity::out_of_office, "OutOfOffice"},
    {Activity::presence_unknown, "PresenceUnknown"},
    {Activity::presenting, "Presenting"},
    {Activity::urgent_interruptions_only, "UrgentInterruptionsOnly"},
    {Activity::focusing, "Focusing"},
}};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

template <class E, std::size_t N>
std::optional<E> find_name(const std::array<std::pair<E, std::string_view>, N>& table,
                           std::string_view text) {
  for (const auto& [value, name] : table) {
    if (iequals(name, text)) return value;
  }
  return std::nullopt;
}

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "Other";
}

}  // namespace

std::optional<Availability> parse_known_availability(std::string_view text) {
  return find_name(kAvailabilityNames, text);
}
std::optional<Activity> parse_known_activity(std::string_view text) {
  return find_name(kActivityNames, text);
}
Availability parse_availability(std::string_view text) {
  return parse_known_availability(text).value_or(Availability::other);
}
Activity parse_activity(std::string_view text) {
  return parse_known_activity(text).value_or(Activity::other);
}
std::string_view availability_name(Availability a) { return name_of(kAvailabilityNames, a); }
std::string_view activity_name(Activity a) { return name_of(kActivityNames, a); }

Presence parse_presence(std::string_view availability, std::string_view activity) {
  Presence p;
  p.availability = parse_availability(availability);
  p.activity = parse_activity(activity);
  if (p.availability == Availability::other) p.raw_availability = std::string(availability);
  if (p.activity == Activity::other) p.raw_activity = std::string(activity);
  return p;
}

Presence make_presence(Availability availability, Activity activity) {
  Presence p;
  p.availability = availability;
  p.activity = activity;
  return p;
}

std::string format_availability(const Presence& p) {
  if (p.availability == Availability::other) return p.raw_availability;
  return std::string(availability_name(p.availability));
}
std::string format_activity(const Presence& p) {
  if (p.activity == Activity::other) return p.raw_activity;
  return std::string(activity_name(p.activity));
}
std::string to_string(const Presence& p) {
  return format_availability(p) + "/" + format_activity(p);
}

bool is_busy(Availability a) {
  return a == Availability::busy || a == Availability::busy_idle ||
         a == Availability::do_not_disturb;
}

std::optional<IdleCodeId> PresenceMapping::lookup(const Presence& p) const {
  std::optional<IdleCodeId> availability_only;
  for (const auto& rule : rules_) {
    if (rule.availability != p.availability || p.availability == Availability::other) continue;
    if (rule.activity) {
      if (*rule.activity == p.activity && p.activity != Activity::other) return rule.idle_code;
    } else if (!availability_only) {
      availability_only = rule.idle_code;
    }
  }
  return availability_only;
}

Result<void> PresenceMapping::validate() const {
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const auto& r = rules_[i];
    if (r.availability == Availability::other || (r.activity && *r.activity == Activity::other)) {
      return make_error(Errc::invalid_input, "presenceMapping[" + std::to_string(i) +
                                                 "] uses an unknown availability or activity");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (rules_[j].availability == r.availability && rules_[j].activity == r.activity) {
        return make_error(Errc::invalid_input,
                          "presenceMapping[" + std::to_string(i) + "] repeats presenceMapping[" +
                              std::to_string(j) + "] (" +
                              std::string(availability_name(r.availability)) +
                              (r.activity ? "/" + std::string(activity_name(*r.activity)) : "") +
                              ")");
      }
    }
  }
  return ok();
}

PresenceMapping default_presence_mapping(const DefaultMappingCodes& codes) {
  return PresenceMapping({
      {Availability::do_not_disturb, std::nullopt, codes.do_not_disturb},
      {Availability::busy, Activity::in_a_call, codes.in_a_call},
      {Availability::busy, Activity::in_a_conference_call, codes.in_a_conference_call},
      {Availability::do_not_disturb, Activity::presenting, codes.presenting},
  });
}

SequenceVerdict compare_sequence(std::string_view last_seen, std::string_view incoming) {
  // Without both stamps there is no order to enforce; the edge-triggered rules make a repeat of
  // the same presence harmless anyway.
  if (last_seen.empty() || incoming.empty()) return SequenceVerdict::apply;
  const int c = incoming.compare(last_seen);
  if (c == 0) return SequenceVerdict::duplicate;
  return c > 0 ? SequenceVerdict::apply : SequenceVerdict::stale;
}

std::string_view sequence_verdict_name(SequenceVerdict v) {
  switch (v) {
    case SequenceVerdict::apply: return "apply";
    case SequenceVerdict::stale: return "stale";
    case SequenceVerdict::duplicate: return "duplicate";
  }
  return "apply";
}

}  // namespace ccteams
