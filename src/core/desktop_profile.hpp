#pragma once
// Desktop profiles: settings shared by a group of agents (DESIGN.md concepts). API field names:
// microsoftTeams, webexApp, ronaTimeoutSeconds, wrapUpSeconds.

#include <chrono>
#include <string>
#include <vector>

#include "core/idle_code.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"

namespace ccteams {

// RONA timeout bounds: below 5 s a person cannot reach the answer button after the ring starts;
// above 300 s a caller waits minutes on someone who is not there. Default 15 s (the vendor's).
inline constexpr int kMinRonaTimeoutSeconds = 5;
inline constexpr int kMaxRonaTimeoutSeconds = 300;
inline constexpr int kDefaultRonaTimeoutSeconds = 15;
// Wrap-up: 0 (none, the agent is Available as the contact ends) to 900 s (15 min).
inline constexpr int kMaxWrapUpSeconds = 900;

struct DesktopProfile {
  DesktopProfileId id;
  OrgId org;
  std::string name;
  // The profile's collaboration app: at most one of the two (the vendor enables one per
  // profile). microsoft_teams: presence sync applies to this profile's agents.
  bool microsoft_teams = false;
  bool webex_app = false;
  int rona_timeout_seconds = kDefaultRonaTimeoutSeconds;
  int wrap_up_seconds = 0;
  std::vector<IdleCodeId> allowed_idle_codes;  // empty: every active non-system code

  std::chrono::seconds rona_timeout() const { return std::chrono::seconds{rona_timeout_seconds}; }
  std::chrono::seconds wrap_up() const { return std::chrono::seconds{wrap_up_seconds}; }
  friend bool operator==(const DesktopProfile&, const DesktopProfile&) = default;
};

// invalid_input naming the API field: name (as idle code names), microsoftTeams/webexApp (not
// both), ronaTimeoutSeconds (5..300), wrapUpSeconds (0..900), allowedIdleCodeIds (no repeats).
Result<void> validate_desktop_profile(const DesktopProfile& profile);

// May an agent of this profile choose this code by hand (PUT /me/state Idle)?
// invalid_input: the code is a system code (RONA), inactive, or not in the profile's allowed list;
// not_found: the code belongs to another organisation.
Result<void> check_manual_idle_code(const IdleCode& code, const DesktopProfile& profile);

}  // namespace ccteams
