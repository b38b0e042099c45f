#pragma once
// The contact state machine: an inbound customer contact from its queue to its end.
//
//   Queued --offer--> Offered(agent) --accept--> Connected(agent)
//   Offered --decline | RONA--> Queued            (enqueued_at kept: it keeps its place)
//   Connected <--> OnHold;  Connected|OnHold --consult--> Consulting(party)
//   Consulting --conference--> Conferenced;  Consulting|Conferenced --drop party--> Connected
//   Connected|OnHold|Consulting|Conferenced --transfer to agent--> Offered(other agent)
//                                           --transfer to number--> Ended(transferred_out)
//                                           --end--> Ended(completed)
//   Queued|Offered --caller hangs up--> Ended(abandoned)
//   Ended --wrap-up code by its last agent--> Ended (the code is recorded)
//   any but Ended --force end (a supervisor, or restart recovery)--> Ended(forced)
//   Offered|Connected|OnHold|Consulting|Conferenced --re-queue--> Queued (its place kept)
//
// An agent party (consult, conference) rings first: `party_joined` is false until that agent
// answers (PartyAnswered); a phone party counts as joined at once (telephony connects it).
// Conference needs a joined party. The party agent may decline or leave (PartyLeft: back to
// Connected with the contact's agent). A transfer to the consulted agent hands the contact
// over: Connected to them when they had answered, Offered to them (still ringing) otherwise.
// Which agent states follow from each change is party_agent_change() (contact_party.hpp).
// Every other event is refused with Errc::conflict naming the contact's state. Pure: the caller
// supplies the time, persists the result and publishes it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

enum class ContactStatus : std::uint8_t {
  queued, offered, connected, on_hold, consulting, conferenced, ended,
};
enum class EndReason : std::uint8_t { none, completed, abandoned, transferred_out, forced };

// "Queued", "Offered", "Connected", "OnHold", "Consulting", "Conferenced", "Ended".
std::string_view contact_status_name(ContactStatus s);
std::optional<ContactStatus> parse_contact_status(std::string_view name);
// "none", "completed", "abandoned", "transferred_out", "forced".
std::string_view end_reason_name(EndReason r);

// A consult, conference or transfer party: another agent, or a phone number (a Teams expert's
// business phone, with their Teams user id, or a number typed by the agent).
struct AgentParty {
  UserId agent;
  friend bool operator==(const AgentParty&, const AgentParty&) = default;
};
struct PhoneParty {
  std::string number;         // E.164, already normalised (check_e164)
  std::string teams_user_id;  // empty when typed by hand
  friend bool operator==(const PhoneParty&, const PhoneParty&) = default;
};
using ContactParty = std::variant<AgentParty, PhoneParty>;

struct Contact {
  ContactId id;
  OrgId org;
  QueueId queue;
  ContactStatus status = ContactStatus::queued;
  std::string caller;             // the customer's number or label, as telephony gave it
  Timestamp enqueued_at;          // first entry into the queue: the routing order, never moves
  Timestamp since;                // when status last changed
  std::optional<UserId> agent;    // Offered/Connected/OnHold/Consulting/Conferenced
  std::optional<ContactParty> party;  // Consulting/Conferenced, and the target after a transfer out
  bool party_joined = false;      // the party has answered (see above)
  int offers = 0;                 // times offered (including transfers to agents)
  int answers = 0;                // offers accepted
  int ronas = 0;                  // offers that rang out
  EndReason end_reason = EndReason::none;
  std::string wrap_up_code;       // chosen at wrap-up by its last agent; empty: none

  friend bool operator==(const Contact&, const Contact&) = default;
};

Contact new_contact(ContactId id, OrgId org, QueueId queue, std::string caller,
                    Timestamp enqueued_at);

struct OfferTo { UserId agent; };
struct AcceptBy { UserId agent; };
struct DeclineBy { UserId agent; };
struct RonaBy { UserId agent; };
struct Hold {};
struct Resume {};
struct Consult { ContactParty party; };
struct Conference {};  // the consulted party joins the customer and the agent
struct DropParty {};   // cancel a consult or leave a conference with the customer
struct Transfer { ContactParty party; };
struct End {};         // the agent or the customer ends a connected contact
struct Abandon {};     // the customer hangs up before anyone answered
struct PartyAnswered { UserId agent; };  // the consulted agent picks up
struct PartyLeft { UserId agent; };      // the consulted agent declines, rings out or hangs up
// The code an agent chose at wrap-up (at most kMaxWrapUpCodeLength characters).
struct RecordWrapUp { UserId agent; std::string code; };
// A supervisor (or restart recovery) ends a contact whatever its state; its agent stays on
// record (as for End) so that they can still record a wrap-up code.
struct ForceEnd {};
// A supervisor (or restart recovery) puts the contact back in its queue, at its old place: the
// agent and any party are dropped.
struct Requeue {};

using ContactEvent = std::variant<OfferTo, AcceptBy, DeclineBy, RonaBy, Hold, Resume, Consult,
                                  Conference, DropParty, Transfer, End, Abandon, PartyAnswered,
                                  PartyLeft, RecordWrapUp, ForceEnd, Requeue>;

inline constexpr std::size_t kMaxWrapUpCodeLength = 80;

// Errors: conflict when the state forbids the event or the agent is not the contact's agent
// (for PartyAnswered/PartyLeft: not its ringing/joined party agent; for RecordWrapUp: the
// contact is not Ended or the agent is not the one who handled it last); invalid_input when a
// phone party's number is not E.164, a transfer targets the same agent or a wrap-up code is
// too long.
Result<Contact> apply(const Contact& contact, const ContactEvent& event, Timestamp now);

// The agent of an agent party while the contact is Consulting or Conferenced.
std::optional<UserId> party_agent(const Contact& c);

inline bool is_active(const Contact& c) {
  return c.status != ContactStatus::queued && c.status != ContactStatus::offered &&
         c.status != ContactStatus::ended;
}

}  // namespace ccteams
