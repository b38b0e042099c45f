#include "core/idle_code.hpp"

namespace ccteams {
namespace {

bool allowed_name_char(char c) {
  // ^[a-zA-Z0-9._)\/(\-\s]*$ — ASCII only, as the vendor's API does.
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '.': case '_': case ')': case '(': case '/': case '-':
    case ' ': case '\t': case '\n': case '\r': case '\f': case '\v':
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<void> validate_display_name(std::string_view name, std::string_view field) {
  const std::string f(field);
  if (name.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos) {
    return make_error(Errc::invalid_input, f + " must not be empty");
  }
  if (name.size() > kMaxIdleCodeNameLength) {
    return make_error(Errc::invalid_input, f + " must be at most " +
                                               std::to_string(kMaxIdleCodeNameLength) +
                                               " characters");
  }
  for (char c : name) {
    if (!allowed_name_char(c)) {
      return make_error(Errc::invalid_input,
                        f + " may contain only letters, digits, spaces and . _ ( ) / -");
    }
  }
  return ok();
}

Result<void> validate_idle_code(const IdleCode& code) { return validate_display_name(code.name); }

IdleCode make_rona_idle_code(IdleCodeId id, OrgId org) {
  return IdleCode{id, org, std::string(kRonaIdleCodeName), true, true};
}

Result<void> check_idle_code_update(const IdleCode& before, const IdleCode& after) {
  if (before.system && before != after) {
    return make_error(Errc::conflict,
                      "idle code " + before.name + " is a system code and cannot be changed");
  }
  if (!before.system && after.system) {
    return make_error(Errc::invalid_input, "system: only the service creates system idle codes");
  }
  return validate_idle_code(after);
}

Result<void> check_idle_code_deletable(const IdleCode& code, std::string_view used_by) {
  if (code.system) {
    return make_error(Errc::conflict,
                      "idle code " + code.name + " is a system code and cannot be deleted");
  }
  if (!used_by.empty()) {
    return make_error(Errc::conflict, "idle code " + code.name + " is used by " +
                                          std::string(used_by) + "; change that first");
  }
  return ok();
}

}  // namespace ccteams
