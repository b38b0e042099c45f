#include "core/desktop_profile.hpp"

#include <algorithm>

namespace ccteams {

Result<void> validate_desktop_profile(const DesktopProfile& profile) {
  if (auto r = validate_display_name(profile.name); !r) return r;
  if (profile.microsoft_teams && profile.webex_app) {
    return make_error(Errc::invalid_input,
                      "microsoftTeams and webexApp: a desktop profile enables one collaboration "
                      "app; send the other one as false in the same request");
  }
  if (profile.rona_timeout_seconds < kMinRonaTimeoutSeconds ||
      profile.rona_timeout_seconds > kMaxRonaTimeoutSeconds) {
    return make_error(Errc::invalid_input,
                      "ronaTimeoutSeconds must be between " +
                          std::to_string(kMinRonaTimeoutSeconds) + " and " +
                          std::to_string(kMaxRonaTimeoutSeconds));
  }
  if (profile.wrap_up_seconds < 0 || profile.wrap_up_seconds > kMaxWrapUpSeconds) {
    return make_error(Errc::invalid_input,
                      "wrapUpSeconds must be between 0 and " + std::to_string(kMaxWrapUpSeconds));
  }
  auto codes = profile.allowed_idle_codes;
  std::sort(codes.begin(), codes.end());
  if (std::adjacent_find(codes.begin(), codes.end()) != codes.end()) {
    return make_error(Errc::invalid_input, "allowedIdleCodeIds must not repeat a code");
  }
  return ok();
}

Result<void> check_manual_idle_code(const IdleCode& code, const DesktopProfile& profile) {
  if (code.org && *code.org != profile.org) {
    return make_error(Errc::not_found, "idle code not found");
  }
  if (code.system) {
    return make_error(Errc::invalid_input, "idleCodeId: " + code.name +
                                               " is set by the system and cannot be chosen");
  }
  if (!code.active) {
    return make_error(Errc::invalid_input, "idleCodeId: " + code.name + " is inactive");
  }
  const auto& allowed = profile.allowed_idle_codes;
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), code.id) == allowed.end()) {
    return make_error(Errc::invalid_input,
                      "idleCodeId: " + code.name + " is not allowed by desktop profile " +
                          profile.name);
  }
  return ok();
}

}  // namespace ccteams
