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
  }
  return c;
}

struct Case {
  std::string name;
  ContactStatus from;
  ContactEvent event;
  std::optional<ContactStatus> to;  // nullopt: refused
  Errc error = Errc::conflict;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<Case> cases() {
  using S = ContactStatus;
  const PhoneParty expert{"+442079460958", "teams-user-1"};
  const PhoneParty bad_number{"425 555", ""};
  return {
      {"OfferQueued", S::queued, OfferTo{kAgent}, S::offered},
      {"OfferOffered", S::offered, OfferTo{kOther}, {}},
      {"OfferConnected", S::connected, OfferTo{kOther}, {}},
      {"AcceptOffered", S::offered, AcceptBy{kAgent}, S::connected},
      {"AcceptByOtherAgent", S::offered, AcceptBy{kOther}, {}},
      {"AcceptQueued", S::queued, AcceptBy{kAgent}, {}},
      {"DeclineOffered", S::offered, DeclineBy{kAgent}, S::queued},
      {"DeclineByOtherAgent", S::offered, DeclineBy{kOther}, {}},
      {"RonaOffered", S::offered, RonaBy{kAgent}, S::queued},
      {"RonaConnected", S::connected, RonaBy{kAgent}, {}},
      {"HoldConnected", S::connected, Hold{}, S::on_hold},
      {"HoldOnHold", S::on_hold, Hold{}, {}},
      {"HoldQueued", S::queued, Hold{}, {}},
      {"ResumeOnHold", S::on_hold, Resume{}, S::connected},
      {"ResumeConnected", S::connected, Resume{}, {}},
      {"ConsultConnected", S::connected, Consult{expert}, S::consulting},
      {"ConsultOnHold", S::on_hold, Consult{AgentParty{kOther}}, S::consulting},
      {"ConsultSelf", S::connected, Consult{AgentParty{kAgent}}, {}, Errc::invalid_input},
      {"ConsultBadNumber", S::connected, Consult{bad_number}, {}, Errc::invalid_input},
      {"ConsultWhileConsulting", S::consulting, Consult{expert}, {}},
      {"ConsultOffered", S::offered, Consult{expert}, {}},
      {"ConferenceConsulting", S::consulting, Conference{}, S::conferenced},
      {"ConferenceConnected", S::connected, Conference{}, {}},
      {"DropConsult", S::consulting, DropParty{}, S::connected},
      {"DropConference", S::conferenced, DropParty{}, S::connected},
      {"DropConnected", S::connected, DropParty{}, {}},
      {"TransferToAgent", S::connected, Transfer{AgentParty{kOther}}, S::offered},
      {"TransferToNumber", S::on_hold, Transfer{expert}, S::ended},
      {"TransferFromConsult", S::consulting, Transfer{expert}, S::ended},
      {"TransferFromConference", S::conferenced, Transfer{AgentParty{kOther}}, S::offered},
      {"TransferToSelf", S::connected, Transfer{AgentParty{kAgent}}, {}, Errc::invalid_input},
      {"TransferBadNumber", S::connected, Transfer{bad_number}, {}, Errc::invalid_input},
      {"TransferQueued", S::queued, Transfer{expert}, {}},
      {"TransferEnded", S::ended, Transfer{expert}, {}},
      {"EndConnected", S::connected, End{}, S::ended},
      {"EndOnHold", S::on_hold, End{}, S::ended},
      {"EndConsulting", S::consulting, End{}, S::ended},
      {"EndConferenced", S::conferenced, End{}, S::ended},
      {"EndQueued", S::queued, End{}, {}},
      {"EndEnded", S::ended, End{}, {}},
      {"AbandonQueued", S::queued, Abandon{}, S::ended},
      {"AbandonOffered", S::offered, Abandon{}, S::ended},
      {"AbandonConnected", S::connected, Abandon{}, {}},
      {"AbandonEnded", S::ended, Abandon{}, {}},
  };
}

class ContactTransitions : public ::testing::TestWithParam<Case> {};

TEST_P(ContactTransitions, Table) {
  const Case& c = GetParam();
  const Timestamp now = kT0 + std::chrono::seconds{30};
  auto r = apply(at(c.from), c.event, now);
  if (!c.to) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, c.error) << r.error().message;
    return;
  }
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, *c.to);
  EXPECT_EQ(r->since, now);
  EXPECT_EQ(r->enqueued_at, kT0);  // never moves
}

INSTANTIATE_TEST_SUITE_P(AllStates, ContactTransitions, ::testing::ValuesIn(cases()),
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
