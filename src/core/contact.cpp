#include "core/contact.hpp"

#include <array>
#include <type_traits>
#include <utility>

#include "core/e164.hpp"

namespace ccteams {
namespace {

constexpr std::array<std::string_view, 7> kStatusNames{
    "Queued", "Offered", "Connected", "OnHold", "Consulting", "Conferenced", "Ended"};

Error refuse(const Contact& c, std::string_view what) {
  return make_error(Errc::conflict, "contact " + std::to_string(c.id.value) + " is " +
                                        std::string(contact_status_name(c.status)) + "; cannot " +
                                        std::string(what));
}

Result<void> expect_agent(const Contact& c, UserId agent) {
  if (c.agent != agent) {
    return make_error(Errc::conflict, "contact " + std::to_string(c.id.value) +
                                          " is not offered to or handled by agent " +
                                          std::to_string(agent.value));
  }
  return ok();
}

Result<void> check_party(const Contact& c, const ContactParty& party) {
  if (const auto* a = std::get_if<AgentParty>(&party)) {
    if (c.agent == a->agent) {
      return make_error(Errc::invalid_input, "the contact is already with that agent");
    }
    return ok();
  }
  const auto& phone = std::get<PhoneParty>(party);
  const E164Check check = check_e164(phone.number);
  if (check.status != Dialability::dialable || check.number != phone.number) {
    return make_error(Errc::invalid_input,
                      "number must be in E.164 form like +14255550100 (" +
                          std::string(dialability_name(check.status)) + ")");
  }
  return ok();
}

void drop_party(Contact& c) {
  c.party.reset();
  c.party_joined = false;
}

bool connected_like(ContactStatus s) {
  return s == ContactStatus::connected || s == ContactStatus::on_hold ||
         s == ContactStatus::consulting || s == ContactStatus::conferenced;
}

}  // namespace

std::string_view contact_status_name(ContactStatus s) { return kStatusNames[static_cast<int>(s)]; }
std::optional<ContactStatus> parse_contact_status(std::string_view name) {
  for (std::size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == name) return static_cast<ContactStatus>(i);
  }
  return std::nullopt;
}
std::string_view end_reason_name(EndReason r) {
  static constexpr std::array<std::string_view, 5> kNames{"none", "completed", "abandoned",
                                                          "transferred_out", "forced"};
  return kNames[static_cast<int>(r)];
}

std::optional<UserId> party_agent(const Contact& c) {
  if (c.status != ContactStatus::consulting && c.status != ContactStatus::conferenced) {
    return std::nullopt;
  }
  if (!c.party) return std::nullopt;
  const auto* a = std::get_if<AgentParty>(&*c.party);
  if (!a) return std::nullopt;
  return a->agent;
}

Contact new_contact(ContactId id, OrgId org, QueueId queue, std::string caller,
                    Timestamp enqueued_at) {
  Contact c;
  c.id = id;
  c.org = org;
  c.queue = queue;
  c.caller = std::move(caller);
  c.enqueued_at = enqueued_at;
  c.since = enqueued_at;
  return c;
}

Result<Contact> apply(const Contact& c, const ContactEvent& event, Timestamp now) {
  Contact n = c;
  auto move_to = [&](ContactStatus s) {
    n.status = s;
    n.since = now;
  };
  auto visit = [&](const auto& e) -> Result<Contact> {
    using E = std::decay_t<decltype(e)>;
    if constexpr (std::is_same_v<E, OfferTo>) {
      if (c.status != ContactStatus::queued) return refuse(c, "offer it");
      n.agent = e.agent;
      ++n.offers;
      move_to(ContactStatus::offered);
    } else if constexpr (std::is_same_v<E, AcceptBy> || std::is_same_v<E, DeclineBy> ||
                         std::is_same_v<E, RonaBy>) {
      if (c.status != ContactStatus::offered) return refuse(c, "answer an offer");
      if (auto r = expect_agent(c, e.agent); !r) return std::move(r).error();
      if constexpr (std::is_same_v<E, AcceptBy>) {
        ++n.answers;
        move_to(ContactStatus::connected);
      } else {
        if constexpr (std::is_same_v<E, RonaBy>) ++n.ronas;
        n.agent.reset();
        move_to(ContactStatus::queued);  // enqueued_at untouched: it keeps its place
      }
    } else if constexpr (std::is_same_v<E, Hold>) {
      if (c.status != ContactStatus::connected) return refuse(c, "hold it");
      move_to(ContactStatus::on_hold);
    } else if constexpr (std::is_same_v<E, Resume>) {
      if (c.status != ContactStatus::on_hold) return refuse(c, "resume it");
      move_to(ContactStatus::connected);
    } else if constexpr (std::is_same_v<E, Consult>) {
      if (c.status != ContactStatus::connected && c.status != ContactStatus::on_hold) {
        return refuse(c, "start a consult");
      }
      if (auto r = check_party(c, e.party); !r) return std::move(r).error();
      n.party = e.party;
      // Telephony connects a number at once; an agent has to answer first.
      n.party_joined = std::holds_alternative<PhoneParty>(e.party);
      move_to(ContactStatus::consulting);
    } else if constexpr (std::is_same_v<E, Conference>) {
      if (c.status != ContactStatus::consulting) return refuse(c, "conference (consult first)");
      if (!c.party_joined) {
        return make_error(Errc::conflict, "contact " + std::to_string(c.id.value) +
                                              ": the consulted agent has not answered yet");
      }
      move_to(ContactStatus::conferenced);
    } else if constexpr (std::is_same_v<E, DropParty>) {
      if (c.status != ContactStatus::consulting && c.status != ContactStatus::conferenced) {
        return refuse(c, "drop a party");
      }
      drop_party(n);
      move_to(ContactStatus::connected);
    } else if constexpr (std::is_same_v<E, PartyAnswered> || std::is_same_v<E, PartyLeft>) {
      if (party_agent(c) != e.agent) {
        return make_error(Errc::conflict, "contact " + std::to_string(c.id.value) +
                                              " is not consulting agent " +
                                              std::to_string(e.agent.value));
      }
      if constexpr (std::is_same_v<E, PartyAnswered>) {
        if (c.party_joined) return refuse(c, "answer the consult twice");
        n.party_joined = true;
        n.since = now;  // the status stays Consulting; the consult itself changed
      } else {
        drop_party(n);
        move_to(ContactStatus::connected);
      }
    } else if constexpr (std::is_same_v<E, Transfer>) {
      if (!connected_like(c.status)) return refuse(c, "transfer it");
      if (auto r = check_party(c, e.party); !r) return std::move(r).error();
      if (const auto* a = std::get_if<AgentParty>(&e.party)) {
        // The consulted agent who has answered takes the contact over as it is.
        const bool handed_over = party_agent(c) == a->agent && c.party_joined;
        n.agent = a->agent;
        drop_party(n);
        if (handed_over) {
          move_to(ContactStatus::connected);
        } else {
          ++n.offers;
          move_to(ContactStatus::offered);
        }
      } else {
        n.party = e.party;
        n.party_joined = true;
        n.end_reason = EndReason::transferred_out;  // the agent stays on record, as for End
        move_to(ContactStatus::ended);
      }
    } else if constexpr (std::is_same_v<E, End>) {
      if (!connected_like(c.status)) return refuse(c, "end it");
      n.end_reason = EndReason::completed;
      move_to(ContactStatus::ended);
    } else if constexpr (std::is_same_v<E, Abandon>) {
      if (c.status != ContactStatus::queued && c.status != ContactStatus::offered) {
        return refuse(c, "abandon it");
      }
      n.end_reason = EndReason::abandoned;
      move_to(ContactStatus::ended);
    } else if constexpr (std::is_same_v<E, RecordWrapUp>) {
      if (c.status != ContactStatus::ended) return refuse(c, "record a wrap-up code yet");
      if (c.agent != e.agent) {
        return make_error(Errc::conflict, "contact " + std::to_string(c.id.value) +
                                              " was last handled by another agent");
      }
      if (e.code.size() > kMaxWrapUpCodeLength) {
        return make_error(Errc::invalid_input, "field 'code' is longer than " +
                                                   std::to_string(kMaxWrapUpCodeLength) +
                                                   " characters");
      }
      n.wrap_up_code = e.code;  // the status and its since do not change
    } else if constexpr (std::is_same_v<E, ForceEnd>) {
      if (c.status == ContactStatus::ended) return refuse(c, "end it again");
      n.end_reason = EndReason::forced;
      move_to(ContactStatus::ended);
    } else if constexpr (std::is_same_v<E, Requeue>) {
      if (c.status == ContactStatus::queued || c.status == ContactStatus::ended) {
        return refuse(c, "re-queue it");
      }
      n.agent.reset();
      drop_party(n);
      move_to(ContactStatus::queued);  // enqueued_at untouched: it keeps its place
    }
    return n;
  };
  return std::visit(visit, event);
}

}  // namespace ccteams
