#include "core/contact_party.hpp"

#include <gtest/gtest.h>

namespace ccteams {
namespace {

const Timestamp kT0 = from_unix_millis(1'790'000'000'000);
constexpr UserId kPrimary{5};
constexpr UserId kExpert{6};
constexpr UserId kThird{9};
const PhoneParty kNumber{"+442079460958", ""};

Contact connected() {
  Contact c = new_contact(ContactId{1}, OrgId{1}, QueueId{2}, "+14255550100", kT0);
  c.status = ContactStatus::connected;
  c.agent = kPrimary;
  return c;
}

// The contact after applying events in order (each must be accepted).
Contact after(Contact c, std::initializer_list<ContactEvent> events) {
  for (const auto& e : events) {
    auto r = apply(c, e, kT0);
    EXPECT_TRUE(r) << r.error().message;
    if (r) c = *r;
  }
  return c;
}

struct Case {
  std::string name;
  std::vector<ContactEvent> setup;  // from a connected contact
  ContactEvent event;
  std::optional<PartyAgentChange> want;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<Case> cases() {
  const ContactEvent consult = Consult{AgentParty{kExpert}};
  const ContactEvent answer = PartyAnswered{kExpert};
  using P = PartyChange;
  return {
      {"ConsultAgentRings", {}, consult, PartyAgentChange{kExpert, P::ring}},
      {"ConsultNumberIsNoAgentChange", {}, Consult{kNumber}, std::nullopt},
      {"AnswerEngages", {consult}, answer, PartyAgentChange{kExpert, P::answer}},
      {"ConferenceChangesNothing", {consult, answer}, Conference{}, std::nullopt},
      {"DropWhileRingingWithdraws", {consult}, DropParty{}, PartyAgentChange{kExpert, P::withdraw}},
      {"DropAfterAnswerLeaves", {consult, answer}, DropParty{},
       PartyAgentChange{kExpert, P::leave}},
      {"DropConferenceLeaves", {consult, answer, Conference{}}, DropParty{},
       PartyAgentChange{kExpert, P::leave}},
      {"DeclineWithdraws", {consult}, PartyLeft{kExpert}, PartyAgentChange{kExpert, P::withdraw}},
      {"HangUpLeaves", {consult, answer}, PartyLeft{kExpert}, PartyAgentChange{kExpert, P::leave}},
      {"EndWhileRingingWithdraws", {consult}, End{}, PartyAgentChange{kExpert, P::withdraw}},
      {"EndConferenceLeaves", {consult, answer, Conference{}}, End{},
       PartyAgentChange{kExpert, P::leave}},
      {"TransferToRingingPartyKeepsItRinging", {consult}, Transfer{AgentParty{kExpert}},
       std::nullopt},
      {"TransferToJoinedPartyKeepsItEngaged", {consult, answer}, Transfer{AgentParty{kExpert}},
       std::nullopt},
      {"TransferElsewhereReleasesTheParty", {consult, answer}, Transfer{AgentParty{kThird}},
       PartyAgentChange{kExpert, P::leave}},
      {"TransferToNumberReleasesTheParty", {consult}, Transfer{kNumber},
       PartyAgentChange{kExpert, P::withdraw}},
      {"HoldWithoutPartyChangesNothing", {}, Hold{}, std::nullopt},
  };
}

class PartyAgentChanges : public ::testing::TestWithParam<Case> {};

TEST_P(PartyAgentChanges, Table) {
  const Case& c = GetParam();
  Contact before = connected();
  for (const auto& e : c.setup) before = after(before, {e});
  auto next = apply(before, c.event, kT0);
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(party_agent_change(before, *next), c.want);
}

INSTANTIATE_TEST_SUITE_P(Consults, PartyAgentChanges, ::testing::ValuesIn(cases()),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(PartyAgent, OnlyWhileConsultingOrConferenced) {
  Contact c = after(connected(), {Consult{AgentParty{kExpert}}});
  EXPECT_EQ(party_agent(c), kExpert);
  c.status = ContactStatus::ended;
  EXPECT_EQ(party_agent(c), std::nullopt);
  EXPECT_EQ(party_agent(after(connected(), {Consult{kNumber}})), std::nullopt);
}

}  // namespace
}  // namespace ccteams
