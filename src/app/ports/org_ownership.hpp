#pragma once
// Whether this instance serves an organisation's live state now (docs/postgresql.md, "Leases
// and fencing"): the one place that decides it, asked by the contact center (load, decisions,
// timers), presence sync (start, every Graph call) and the events WebSocket. Without `[cluster]`
// an instance serves every organisation (every_org()); with it, the runtime answers from the
// lease keeper: true while this instance holds the organisation's lease and its local deadline
// has not passed.
//
// A request for an organisation served elsewhere is answered org_elsewhere(): 503 with
// Retry-After 1 and the API code `org_elsewhere` (adapters/http/error_mapping.cpp recognises it
// with is_org_elsewhere(); Errc has no member of its own, which would rebuild every file).
// Everything here is inline: the HTTP server library links no app code.

#include <string>
#include <string_view>

#include "core/ids.hpp"
#include "core/result.hpp"

namespace ccteams {

// Thread-safety: serves() from any thread, concurrently; it must be cheap (asked before every
// decision and every Graph call).
class OrgOwnership {
 public:
  virtual ~OrgOwnership() = default;
  virtual bool serves(OrgId org) const = 0;

  // A single instance: every organisation is its own.
  static const OrgOwnership& every_org() {
    struct Everything final : OrgOwnership {
      bool serves(OrgId) const override { return true; }
    };
    static const Everything everything;
    return everything;
  }
};

inline constexpr std::string_view kOrgElsewhereCode = "org_elsewhere";
inline constexpr std::string_view kOrgElsewherePrefix = "this instance does not serve organisation ";

// The answer for a request that needs org's live state on an instance that does not serve it.
inline Error org_elsewhere(OrgId org) {
  return make_error(Errc::unavailable,
                    std::string(kOrgElsewherePrefix) + std::to_string(org.value) +
                        " now; another instance does: retry, or route the request there",
                    1);
}

inline bool is_org_elsewhere(const Error& e) {
  return e.code == Errc::unavailable && std::string_view(e.message).starts_with(kOrgElsewherePrefix);
}

}  // namespace ccteams
