#include "core/contact.hpp"

#include <gtest/gtest.h>

namespace ccteams {
namespace {

const Timestamp kT0 = from_unix_millis(1'790'000'000'000);
constexpr UserId kAgent{5};
constexpr UserId kOther{6};

Contact at(ContactStatus status) {
  Contact c = new_contact(ContactId{1}, OrgId{1}, QueueId{2}, "+14255550100", kT0);
  c.status = status;
  if (status != ContactStatus::queued && status != ContactStatus::ended) c.agent = kAgent;
  if (status == ContactStatus::consulting || status == ContactStatus::conferenced) {
    c.party = PhoneParty{"+442079460958", "teams-user-1"};
    c.party_joined = true;  // a number is connected at once
  }
  return c;
}

// One row: from, event, the status after (nullopt: refused with `error`), and, where given,
// party_joined and agent after.
struct Case {
  std::string name;
  Contact from;
  ContactEvent event;
  std::optional<ContactStatus> to;
  Errc error = Errc::conflict;
  std::optional<bool> joined = std::nullopt;
  std::optional<std::optional<UserId>> agent = std::nullopt;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<Case> cases() {
  using S = ContactStatus;
  const PhoneParty expert{"+442079460958", "teams-user-1"};
  const PhoneParty bad_number{"425 555", ""};
  return {
      {"OfferQueued", at(S::queued), OfferTo{kAgent}, S::offered},
      {"OfferOffered", at(S::offered), OfferTo{kOther}, {}},
      {"OfferConnected", at(S::connected), OfferTo{kOther}, {}},
      {"AcceptOffered", at(S::offered), AcceptBy{kAgent}, S::connected},
      {"AcceptByOtherAgent", at(S::offered), AcceptBy{kOther}, {}},
      {"AcceptQueued", at(S::queued), AcceptBy{kAgent}, {}},
      {"DeclineOffered", at(S::offered), DeclineBy{kAgent}, S::queued},
      {"DeclineByOtherAgent", at(S::offered), DeclineBy{kOther}, {}},
      {"RonaOffered", at(S::offered), RonaBy{kAgent}, S::queued},
      {"RonaConnected", at(S::connected), RonaBy{kAgent}, {}},
      {"HoldConnected", at(S::connected), Hold{}, S::on_hold},
      {"HoldOnHold", at(S::on_hold), Hold{}, {}},
      {"HoldQueued", at(S::queued), Hold{}, {}},
      {"ResumeOnHold", at(S::on_hold), Resume{}, S::connected},
      {"ResumeConnected", at(S::connected), Resume{}, {}},
      {"ConsultConnected", at(S::connected), Consult{expert}, S::consulting},
      {"ConsultOnHold", at(S::on_hold), Consult{AgentParty{kOther}}, S::consulting},
      {"ConsultSelf", at(S::connected), Consult{AgentParty{kAgent}}, {}, Errc::invalid_input},
      {"ConsultBadNumber", at(S::connected), Consult{bad_number}, {}, Errc::invalid_input},
      {"ConsultWhileConsulting", at(S::consulting), Consult{expert}, {}},
      {"ConsultOffered", at(S::offered), Consult{expert}, {}},
      {"ConferenceConsulting", at(S::consulting), Conference{}, S::conferenced},
      {"ConferenceConnected", at(S::connected), Conference{}, {}},
      {"DropConsult", at(S::consulting), DropParty{}, S::connected},
      {"DropConference", at(S::conferenced), DropParty{}, S::connected},
      {"DropConnected", at(S::connected), DropParty{}, {}},
      {"TransferToAgent", at(S::connected), Transfer{AgentParty{kOther}}, S::offered},
      {"TransferToNumber", at(S::on_hold), Transfer{expert}, S::ended},
      {"TransferFromConsult", at(S::consulting), Transfer{expert}, S::ended},
      {"TransferFromConference", at(S::conferenced), Transfer{AgentParty{kOther}}, S::offered},
      {"TransferToSelf", at(S::connected), Transfer{AgentParty{kAgent}}, {}, Errc::invalid_input},
      {"TransferBadNumber", at(S::connected), Transfer{bad_number}, {}, Errc::invalid_input},
      {"TransferQueued", at(S::queued), Transfer{expert}, {}},
      {"TransferEnded", at(S::ended), Transfer{expert}, {}},
      {"EndConnected", at(S::connected), End{}, S::ended},
      {"EndOnHold", at(S::on_hold), End{}, S::ended},
      {"EndConsulting", at(S::consulting), End{}, S::ended},
      {"EndConferenced", at(S::conferenced), End{}, S::ended},
      {"EndQueued", at(S::queued), End{}, {}},
      {"EndEnded", at(S::ended), End{}, {}},
      {"AbandonQueued", at(S::queued), Abandon{}, S::ended},
      {"AbandonOffered", at(S::offered), Abandon{}, S::ended},
      {"AbandonConnected", at(S::connected), Abandon{}, {}},
      {"AbandonEnded", at(S::ended), Abandon{}, {}},
      // The consulted agent (at() consults a phone party: no agent party to answer or leave).
      {"PartyAnsweredWithoutAgentParty", at(S::consulting), PartyAnswered{kOther}, {}},
      {"PartyLeftWithoutAgentParty", at(S::conferenced), PartyLeft{kOther}, {}},
      {"PartyAnsweredConnected", at(S::connected), PartyAnswered{kOther}, {}},
      {"PartyLeftQueued", at(S::queued), PartyLeft{kOther}, {}},
      {"WrapUpCodeConnected", at(S::connected), RecordWrapUp{kAgent, "sold"}, {}},
      // A supervisor's (or recovery's) way out: end from any open state, re-queue a handled one.
      {"ForceEndQueued", at(S::queued), ForceEnd{}, S::ended},
      {"ForceEndOffered", at(S::offered), ForceEnd{}, S::ended, Errc::conflict, {}, kAgent},
      {"ForceEndConnected", at(S::connected), ForceEnd{}, S::ended, Errc::conflict, {}, kAgent},
      {"ForceEndOnHold", at(S::on_hold), ForceEnd{}, S::ended},
      {"ForceEndConsulting", at(S::consulting), ForceEnd{}, S::ended},
      {"ForceEndConferenced", at(S::conferenced), ForceEnd{}, S::ended},
      {"ForceEndEnded", at(S::ended), ForceEnd{}, {}},
      {"RequeueOffered", at(S::offered), Requeue{}, S::queued, Errc::conflict, false,
       std::optional<UserId>{}},
      {"RequeueConnected", at(S::connected), Requeue{}, S::queued, Errc::conflict, false,
       std::optional<UserId>{}},
      {"RequeueOnHold", at(S::on_hold), Requeue{}, S::queued},
      {"RequeueConsultingDropsParty", at(S::consulting), Requeue{}, S::queued, Errc::conflict,
       false, std::optional<UserId>{}},
      {"RequeueConferenced", at(S::conferenced), Requeue{}, S::queued},
      {"RequeueQueued", at(S::queued), Requeue{}, {}},
      {"RequeueEnded", at(S::ended), Requeue{}, {}},
  };
}

// A consult of agent kOther from a connected contact, answered or still ringing.
Contact consulting_agent(bool joined) {
  Contact c = at(ContactStatus::consulting);
  c.party = AgentParty{kOther};
  c.party_joined = joined;
  return c;
}

std::vector<Case> party_cases() {
  using S = ContactStatus;
  constexpr Errc kRefused = Errc::conflict;
  const Contact ringing = consulting_agent(false);
  const Contact joined = consulting_agent(true);
  Contact conferenced = joined;
  conferenced.status = S::conferenced;
  const PhoneParty expert{"+442079460958", "teams-user-1"};
  constexpr UserId kThird{9};
  return {
      {"ConsultAgentRingsFirst", at(S::connected), Consult{AgentParty{kOther}}, S::consulting,
       kRefused, false, kAgent},
      {"ConsultNumberJoinsAtOnce", at(S::connected), Consult{expert}, S::consulting, kRefused,
       true},
      {"AnswerRinging", ringing, PartyAnswered{kOther}, S::consulting, kRefused, true, kAgent},
      {"AnswerTwice", joined, PartyAnswered{kOther}, {}},
      {"AnswerByAnotherAgent", ringing, PartyAnswered{kThird}, {}},
      {"AnswerByTheContactsAgent", ringing, PartyAnswered{kAgent}, {}},
      {"ConferenceRinging", ringing, Conference{}, {}},
      {"ConferenceJoined", joined, Conference{}, S::conferenced, kRefused, true},
      {"DeclineRinging", ringing, PartyLeft{kOther}, S::connected, kRefused, false, kAgent},
      {"LeaveJoined", joined, PartyLeft{kOther}, S::connected, kRefused, false, kAgent},
      {"LeaveConference", conferenced, PartyLeft{kOther}, S::connected, kRefused, false},
      {"LeaveByAnotherAgent", joined, PartyLeft{kThird}, {}},
      {"DropRinging", ringing, DropParty{}, S::connected, kRefused, false},
      {"TransferToJoinedPartyHandsOver", joined, Transfer{AgentParty{kOther}}, S::connected,
       kRefused, false, kOther},
      {"TransferToRingingPartyOffers", ringing, Transfer{AgentParty{kOther}}, S::offered, kRefused,
       false, kOther},
      {"TransferFromConferenceHandsOver", conferenced, Transfer{AgentParty{kOther}},
       S::connected, kRefused, false, kOther},
      {"TransferElsewhereDropsParty", joined, Transfer{AgentParty{kThird}}, S::offered, kRefused,
       false, kThird},
      {"TransferOutKeepsAgentOnRecord", ringing, Transfer{expert}, S::ended, kRefused, true,
       kAgent},
  };
}

TEST(Contact, OffersAnswersAndRonasAreCounted) {
  Contact c = at(ContactStatus::queued);
  c = *apply(c, OfferTo{kAgent}, kT0);
  c = *apply(c, RonaBy{kAgent}, kT0);
  c = *apply(c, OfferTo{kOther}, kT0);
  c = *apply(c, AcceptBy{kOther}, kT0);
  c = *apply(c, Transfer{AgentParty{kAgent}}, kT0);
  c = *apply(c, AcceptBy{kAgent}, kT0);
  EXPECT_EQ(c.offers, 3);  // the transfer is an offer
  EXPECT_EQ(c.answers, 2);
  EXPECT_EQ(c.ronas, 1);
}

TEST(Contact, WrapUpCodeIsRecordedOnlyByItsLastAgentAfterTheEnd) {
  const Contact ended = *apply(at(ContactStatus::connected), End{}, kT0);
  const Timestamp later = kT0 + std::chrono::seconds{5};
  auto coded = apply(ended, RecordWrapUp{kAgent, "sold"}, later);
  ASSERT_TRUE(coded) << coded.error().message;
  EXPECT_EQ(coded->wrap_up_code, "sold");
  EXPECT_EQ(coded->status, ContactStatus::ended);
  EXPECT_EQ(coded->since, kT0);  // recording a code is not a change of state
  auto other = apply(ended, RecordWrapUp{kOther, "sold"}, later);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, Errc::conflict);
  auto too_long = apply(ended, RecordWrapUp{kAgent, std::string(kMaxWrapUpCodeLength + 1, 'x')},
                        later);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, Errc::invalid_input);
  auto out = apply(at(ContactStatus::connected), Transfer{PhoneParty{"+14255550199", ""}}, kT0);
  EXPECT_TRUE(apply(*out, RecordWrapUp{kAgent, "escalated"}, later));
}

class ContactTransitions : public ::testing::TestWithParam<Case> {};

TEST_P(ContactTransitions, Table) {
  const Case& c = GetParam();
  const Timestamp now = kT0 + std::chrono::seconds{30};
  auto r = apply(c.from, c.event, now);
  if (!c.to) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, c.error) << r.error().message;
    return;
  }
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, *c.to);
  EXPECT_EQ(r->since, now);
  EXPECT_EQ(r->enqueued_at, kT0);  // never moves
  if (c.joined) {
    EXPECT_EQ(r->party_joined, *c.joined);
  }
  if (c.agent) {
    EXPECT_EQ(r->agent, *c.agent);
  }
  if (r->status == ContactStatus::connected || r->status == ContactStatus::offered ||
      r->status == ContactStatus::queued) {
    EXPECT_FALSE(r->party);  // a party never outlives its consult
  }
}

INSTANTIATE_TEST_SUITE_P(AllStates, ContactTransitions, ::testing::ValuesIn(cases()),
                         [](const auto& test_info) { return test_info.param.name; });
INSTANTIATE_TEST_SUITE_P(Consults, ContactTransitions, ::testing::ValuesIn(party_cases()),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(Contact, RonaRequeueKeepsPlaceAndCounts) {
  Contact c = at(ContactStatus::queued);
  c = *apply(c, OfferTo{kAgent}, kT0 + std::chrono::seconds{1});
  c = *apply(c, RonaBy{kAgent}, kT0 + std::chrono::seconds{16});
  EXPECT_EQ(c.status, ContactStatus::queued);
  EXPECT_FALSE(c.agent);
  EXPECT_EQ(c.enqueued_at, kT0);
  EXPECT_EQ(c.ronas, 1);
  c = *apply(c, OfferTo{kOther}, kT0 + std::chrono::seconds{17});
  EXPECT_EQ(c.offers, 2);
  EXPECT_EQ(c.agent, kOther);
}

TEST(Contact, TransfersRecordTheirTarget) {
  auto to_agent = apply(at(ContactStatus::connected), Transfer{AgentParty{kOther}}, kT0);
  ASSERT_TRUE(to_agent);
  EXPECT_EQ(to_agent->agent, kOther);
  EXPECT_FALSE(to_agent->party);
  auto out = apply(at(ContactStatus::connected), Transfer{PhoneParty{"+14255550199", ""}}, kT0);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->end_reason, EndReason::transferred_out);
  EXPECT_EQ(std::get<PhoneParty>(*out->party).number, "+14255550199");
  auto ended = apply(at(ContactStatus::connected), End{}, kT0);
  EXPECT_EQ(ended->end_reason, EndReason::completed);
  EXPECT_EQ(ended->agent, kAgent);  // who handled it stays on record
}

TEST(Contact, RefusalNamesTheState) {
  auto r = apply(at(ContactStatus::ended), Hold{}, kT0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "contact 1 is Ended; cannot hold it");
  EXPECT_EQ(parse_contact_status("OnHold"), ContactStatus::on_hold);
  EXPECT_EQ(end_reason_name(EndReason::transferred_out), "transferred_out");
}

}  // namespace
}  // namespace ccteams
