#pragma once
// Idle codes: an organisation's reasons for being idle (Lunch, Meeting…). The system code RONA
// ("redirection on no answer") is created per organisation and set only by the router.

#include <optional>
#include <string>
#include <string_view>

#include "core/ids.hpp"
#include "core/result.hpp"

namespace ccteams {

inline constexpr std::string_view kRonaIdleCodeName = "RONA";
inline constexpr std::size_t kMaxIdleCodeNameLength = 80;

struct IdleCode {
  IdleCodeId id;
  std::optional<OrgId> org;  // nullopt only for a service-wide code (none exist today)
  std::string name;
  bool system = false;       // RONA: set by the router only; never chosen by hand or deleted
  bool active = true;        // an inactive code stays on historical states but cannot be chosen

  friend bool operator==(const IdleCode&, const IdleCode&) = default;
};

// The vendor's name rule: 1-80 characters of letters, digits, space and . _ ( ) / -, not only
// spaces. invalid_input naming the field "name" otherwise.
Result<void> validate_display_name(std::string_view name, std::string_view field = "name");
// validate_display_name on the code's name.
Result<void> validate_idle_code(const IdleCode& code);

// The org's RONA code, to be created once with the organisation.
IdleCode make_rona_idle_code(IdleCodeId id, OrgId org);

// An admin edit may rename or (de)activate an ordinary code; a system code is immutable:
// conflict ("idle code RONA is a system code and cannot be changed").
Result<void> check_idle_code_update(const IdleCode& before, const IdleCode& after);

// Deleting: conflict with the reason when the code is a system code, or still used by the
// presence mapping or by a desktop profile (the caller checks usage and passes the names of the
// users, e.g. "the presence mapping", "desktop profile Sales").
Result<void> check_idle_code_deletable(const IdleCode& code, std::string_view used_by = {});

}  // namespace ccteams
