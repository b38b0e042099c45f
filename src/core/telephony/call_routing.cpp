#include "core/telephony/call_routing.hpp"

#include <algorithm>
#include <set>

#include "core/e164.hpp"

namespace ccteams::telephony {

namespace {

// RFC 3966's visual separators in a telephone-subscriber ('-', '.', '(', ')'), which a SIP
// user part may carry too (RFC 3261 §19.1.1, user=phone); check_e164 takes the same ones.
std::optional<std::string> as_e164(std::string_view user) {
  const auto checked = check_e164(user);
  if (checked.status != Dialability::dialable) return std::nullopt;
  return checked.number;
}

}  // namespace

RouteDecision route_invite(const std::vector<NumberRoute>& numbers, const IncomingInvite& invite,
                           const std::function<bool(OrgId)>& served) {
  if (!invite.trunk && !invite.from_registered_phone) {
    return RefuseCall{403, "Forbidden (not a trunk)", 0};
  }
  const auto dialled = as_e164(invite.dialled);
  if (!dialled) return RefuseCall{404, "Not Found (the dialled number is not E.164)", 0};
  const auto route = std::find_if(numbers.begin(), numbers.end(),
                                  [&](const NumberRoute& n) { return n.number == *dialled; });
  if (route == numbers.end()) return RefuseCall{404, "Not Found (no queue for this number)", 0};
  if (served && !served(route->org)) {
    // Another instance holds the organisation's lease (docs/postgresql.md): the trunk tries
    // its next destination, or again shortly (RFC 3261 §21.5.4).
    return RefuseCall{503, "Service Unavailable (organisation served by another instance)", 1};
  }
  return RouteToQueue{route->org, route->queue, *dialled, caller_label(invite.from_user)};
}

std::string caller_label(std::string_view from_user) {
  if (from_user.empty()) return "anonymous";
  if (auto number = as_e164(from_user)) return *number;
  return std::string(from_user);
}

std::optional<std::string> invalid_number_routes(std::vector<NumberRoute>& numbers) {
  std::set<std::string> seen;
  for (auto& n : numbers) {
    const auto normal = as_e164(n.number);
    if (!normal) {
      return "number '" + n.number + "' is not an E.164 number (write it as +<country><number>)";
    }
    n.number = *normal;
    if (!seen.insert(n.number).second) {
      return "number '" + n.number + "' is mapped twice (each number goes to one queue)";
    }
  }
  return std::nullopt;
}

}  // namespace ccteams::telephony
