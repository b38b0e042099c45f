#pragma once
// What a contact's change means for the agent it consults (issue 5): the consulted agent's own
// state follows the consult. Pure: derived from the contact before and after one event, so the
// routing service applies the same rule to every command (consult, answer, decline, drop,
// conference, transfer, end) and the rule is tested as a table.
//
//   consult to agent X                         -> X rings       (Offer: Reserved, RONA timer)
//   X answers                                  -> X answers     (Accept: Engaged)
//   the party is dropped / X declines / the contact ends or is transferred elsewhere
//                                              -> X released    (OfferWithdrawn while ringing,
//                                                                ContactEnded once joined)
//   transfer to X                              -> nothing for X: X keeps ringing (it becomes an
//                                                 ordinary offer) or stays Engaged (handed over)
// A consult X does not answer rings out on X's RONA timer: the app then applies PartyLeft to the
// contact (the primary agent is Connected again, never stranded) and RonaTimeout to X, as for
// any unanswered offer, so that X is not offered more contacts while away.

#include <optional>

#include "core/contact.hpp"

namespace ccteams {

enum class PartyChange : std::uint8_t {
  ring,      // X is offered the consult
  answer,    // X picked up
  withdraw,  // X was still ringing and is released
  leave,     // X had joined and the contact is over for X (wrap-up rules apply)
};

struct PartyAgentChange {
  UserId agent;
  PartyChange change;
  friend bool operator==(const PartyAgentChange&, const PartyAgentChange&) = default;
};

// The change for the consulted agent between two successive states of one contact, if any.
std::optional<PartyAgentChange> party_agent_change(const Contact& before, const Contact& after);

}  // namespace ccteams
