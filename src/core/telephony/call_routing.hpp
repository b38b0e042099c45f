#pragma once
// Which incoming INVITE becomes a contact, and in which queue (issue 20, part 7). Pure: the
// caller says which trunk the INVITE came from (the adapter matches its source address) and
// which organisations this instance serves; the rules below decide.
//
//   source is no trunk and no registered phone  -> 403 "Forbidden (not a trunk)"
//   dialled number not E.164, or not mapped     -> 404 "Not Found (no queue for this number)"
//   the queue's organisation is served elsewhere (cluster) -> 503, Retry-After 1
//   otherwise                                   -> a contact in the mapped queue; the caller is
//                                                  the From number normalised, or its user part
//                                                  as it is ("anonymous", a name)

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/ids.hpp"

namespace ccteams::telephony {

// A dialled number (E.164, normalised) and the queue its calls go to.
struct NumberRoute {
  std::string number;
  OrgId org;
  QueueId queue;
  friend bool operator==(const NumberRoute&, const NumberRoute&) = default;
};

struct IncomingInvite {
  std::optional<std::string> trunk;  // the trunk whose addresses the INVITE came from
  bool from_registered_phone = false;
  std::string dialled;    // the Request-URI's user part, as received
  std::string from_user;  // the From URI's user part, as received ("" when none)
};

struct RouteToQueue {
  OrgId org;
  QueueId queue;
  std::string number;  // the dialled number, normalised
  std::string caller;  // caller_label(from_user)
  friend bool operator==(const RouteToQueue&, const RouteToQueue&) = default;
};
struct RefuseCall {
  int status = 0;
  std::string reason;     // the reason phrase, naming why
  int retry_after_s = 0;  // 503: Retry-After; 0 = none
  friend bool operator==(const RefuseCall&, const RefuseCall&) = default;
};
using RouteDecision = std::variant<RouteToQueue, RefuseCall>;

// The rules above. served(org): does this instance serve org now.
RouteDecision route_invite(const std::vector<NumberRoute>& numbers, const IncomingInvite& invite,
                           const std::function<bool(OrgId)>& served);

// The caller as the contact shows it: a From user that is a phone number, normalised to E.164
// ("+1 425 555 0100" -> "+14255550100"; visual separators of RFC 3966 included); anything else
// ("anonymous", "Anonymous", an extension name) as it is, and "anonymous" when empty.
std::string caller_label(std::string_view from_user);

// The configuration's check: every number E.164 (normalised in place) and mapped once. The
// error names the number and what is wrong.
std::optional<std::string> invalid_number_routes(std::vector<NumberRoute>& numbers);

}  // namespace ccteams::telephony
