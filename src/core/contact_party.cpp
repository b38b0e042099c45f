#include "core/contact_party.hpp"

namespace ccteams {

std::optional<PartyAgentChange> party_agent_change(const Contact& before, const Contact& after) {
  const std::optional<UserId> was = party_agent(before);
  const std::optional<UserId> now = party_agent(after);
  if (!was) {
    if (now) return PartyAgentChange{*now, PartyChange::ring};
    return std::nullopt;
  }
  if (now == was) {
    if (!before.party_joined && after.party_joined) {
      return PartyAgentChange{*was, PartyChange::answer};
    }
    return std::nullopt;
  }
  // The party is gone. Taking the contact over keeps the agent's state as it is: a ringing
  // consult becomes an ordinary offer, a joined one the agent's own contact.
  if (after.status != ContactStatus::ended && after.agent == was) return std::nullopt;
  return PartyAgentChange{*was, before.party_joined ? PartyChange::leave : PartyChange::withdraw};
}

}  // namespace ccteams
