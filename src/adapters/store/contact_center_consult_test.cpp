// ContactCenter (app) on a real store (SQLite and PostgreSQL), issue 5's remaining rules: the
// consulted agent's own state (rings, answers, rings out, is released), queue counters and
// wrap-up codes that survive a restart, `since` for agents never logged in, and the idle-code
// deletion guards.
#include <gtest/gtest.h>

#include "adapters/store/cc_flow_test_support.hpp"

namespace ccteams::store {
namespace {

using namespace cc_flow;  // NOLINT: the shared fixture

class ConsultTest : public FlowTest {
 protected:
  // a1 Available first, then a2: a new contact goes to a1, who accepts it.
  ContactId connected_to_a1() {
    EXPECT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
    time_.advance(Millis{1000});
    EXPECT_TRUE(run(center_->login(org_, a2_, std::nullopt)));
    auto c = run(center_->new_contact(org_, queue_, "+15550100"));
    EXPECT_TRUE(c && c->agent == a1_);
    EXPECT_TRUE(run(center_->accept(org_, a1_, c->id)));
    return c->id;
  }
  AgentStatus status_of(UserId agent) { return run(center_->state_of(org_, agent))->state.status; }
  Contact contact(ContactId id) { return *run(center_->contact(org_, id)); }
};

TEST_P(ConsultTest, ConsultedAgentRingsThenIsEngagedAndWrapsUpWhenDropped) {
  const ContactId id = connected_to_a1();
  auto consult = run(center_->consult(org_, a1_, id, AgentParty{a2_}));
  ASSERT_TRUE(consult) << consult.error().message;
  EXPECT_FALSE(consult->party_joined);
  auto ringing = run(center_->state_of(org_, a2_));
  EXPECT_EQ(ringing->state.status, AgentStatus::reserved);
  EXPECT_EQ(ringing->state.contact, id);
  EXPECT_EQ(run(center_->conference(org_, a1_, id)).error().code, Errc::conflict);
  // The consulted agent controls only their own part.
  EXPECT_EQ(run(center_->hold(org_, a2_, id)).error().code, Errc::conflict);

  auto answered = run(center_->accept(org_, a2_, id));
  ASSERT_TRUE(answered) << answered.error().message;
  EXPECT_TRUE(answered->party_joined);
  EXPECT_EQ(answered->agent, a1_);
  EXPECT_EQ(status_of(a2_), AgentStatus::engaged);
  ASSERT_TRUE(run(center_->conference(org_, a1_, id)));
  auto dropped = run(center_->drop_party(org_, a1_, id));
  ASSERT_TRUE(dropped);
  EXPECT_EQ(dropped->status, ContactStatus::connected);
  EXPECT_EQ(status_of(a2_), AgentStatus::wrap_up);  // the profile has 10 s of wrap-up
  EXPECT_EQ(status_of(a1_), AgentStatus::engaged);
  advance(Millis{10'000});
  EXPECT_EQ(status_of(a2_), AgentStatus::available);
  // A consult is not a queue offer: the queue's figures count only the routed offer.
  auto stats = run(center_->queue_stats(org_, queue_));
  EXPECT_EQ(stats->offered, 1);
  EXPECT_EQ(stats->answered, 1);
}

TEST_P(ConsultTest, UnansweredConsultRingsOutAndTheCustomerStaysWithThePrimaryAgent) {
  const ContactId id = connected_to_a1();
  ASSERT_TRUE(run(center_->consult(org_, a1_, id, AgentParty{a2_})));
  advance(Millis{4999});
  EXPECT_EQ(status_of(a2_), AgentStatus::reserved);
  advance(Millis{1});  // a2's RONA timeout (5 s)
  auto a2 = run(center_->state_of(org_, a2_));
  EXPECT_EQ(a2->state.status, AgentStatus::idle);
  EXPECT_EQ(a2->state.origin, IdleOrigin::rona);
  const Contact c = contact(id);
  EXPECT_EQ(c.status, ContactStatus::connected);
  EXPECT_EQ(c.agent, a1_);
  EXPECT_FALSE(c.party);
  EXPECT_EQ(status_of(a1_), AgentStatus::engaged);
  EXPECT_EQ(run(center_->queue_stats(org_, queue_))->rona, 0);
  ASSERT_TRUE(run(center_->end(org_, a1_, id)));
}

TEST_P(ConsultTest, DeclinedOrLeftConsultReturnsTheConsultedAgentToAvailable) {
  const ContactId id = connected_to_a1();
  ASSERT_TRUE(run(center_->consult(org_, a1_, id, AgentParty{a2_})));
  auto declined = run(center_->decline(org_, a2_, id));
  ASSERT_TRUE(declined) << declined.error().message;
  EXPECT_EQ(declined->status, ContactStatus::connected);
  EXPECT_EQ(status_of(a2_), AgentStatus::available);

  ASSERT_TRUE(run(center_->consult(org_, a1_, id, AgentParty{a2_})));
  ASSERT_TRUE(run(center_->accept(org_, a2_, id)));
  EXPECT_EQ(run(center_->decline(org_, a2_, id)).error().code, Errc::conflict);
  auto left = run(center_->end(org_, a2_, id));  // the consulted agent hangs up
  ASSERT_TRUE(left) << left.error().message;
  EXPECT_EQ(left->status, ContactStatus::connected);
  EXPECT_EQ(status_of(a2_), AgentStatus::wrap_up);
  EXPECT_EQ(status_of(a1_), AgentStatus::engaged);
}

TEST_P(ConsultTest, OnlyAnAvailableAgentCanBeConsulted) {
  const ContactId id = connected_to_a1();
  auto idle = run(center_->set_idle(org_, a2_, lunch_));
  ASSERT_TRUE(idle) << idle.error().message;
  auto refused = run(center_->consult(org_, a1_, id, AgentParty{a2_}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::conflict);
  EXPECT_NE(refused.error().message.find("consulted agent"), std::string::npos);
  EXPECT_EQ(contact(id).status, ContactStatus::connected);
  EXPECT_EQ(status_of(a2_), AgentStatus::idle);
}

TEST_P(ConsultTest, TransferToTheAnsweredConsultHandsTheContactOver) {
  const ContactId id = connected_to_a1();
  ASSERT_TRUE(run(center_->consult(org_, a1_, id, AgentParty{a2_})));
  ASSERT_TRUE(run(center_->accept(org_, a2_, id)));
  auto moved = run(center_->transfer(org_, a1_, id, AgentParty{a2_}));
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->status, ContactStatus::connected);
  EXPECT_EQ(moved->agent, a2_);
  EXPECT_EQ(status_of(a2_), AgentStatus::engaged);
  EXPECT_EQ(status_of(a1_), AgentStatus::wrap_up);
  ASSERT_TRUE(run(center_->end(org_, a2_, id)));
  EXPECT_EQ(status_of(a2_), AgentStatus::wrap_up);
}

TEST_P(ConsultTest, TransferToARingingConsultBecomesAnOfferThatCanRingOut) {
  const ContactId id = connected_to_a1();
  ASSERT_TRUE(run(center_->consult(org_, a1_, id, AgentParty{a2_})));
  advance(Millis{2000});
  auto moved = run(center_->transfer(org_, a1_, id, AgentParty{a2_}));
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->status, ContactStatus::offered);
  EXPECT_EQ(moved->agent, a2_);
  EXPECT_EQ(status_of(a2_), AgentStatus::reserved);
  advance(Millis{3000});  // the consult's ringing timer goes on: RONA, back to the queue
  EXPECT_EQ(run(center_->state_of(org_, a2_))->state.origin, IdleOrigin::rona);
  EXPECT_EQ(contact(id).status, ContactStatus::queued);
  auto stats = run(center_->queue_stats(org_, queue_));
  EXPECT_EQ(stats->offered, 2);
  EXPECT_EQ(stats->rona, 1);
}

TEST_P(ConsultTest, TransferElsewhereReleasesTheConsultedAgent) {
  const ContactId id = connected_to_a1();
  ASSERT_TRUE(run(center_->consult(org_, a1_, id, AgentParty{a2_})));
  ASSERT_TRUE(run(center_->login(org_, a3_, std::nullopt)));
  auto moved = run(center_->transfer(org_, a1_, id, AgentParty{a3_}));
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(status_of(a2_), AgentStatus::available);
  EXPECT_EQ(status_of(a3_), AgentStatus::reserved);
  advance(Millis{5000});  // a3's own ringing timer survives a2's release
  EXPECT_EQ(run(center_->state_of(org_, a3_))->state.origin, IdleOrigin::rona);
}

TEST_P(ConsultTest, EndingTheContactReleasesTheConference) {
  const ContactId id = connected_to_a1();
  ASSERT_TRUE(run(center_->consult(org_, a1_, id, AgentParty{a2_})));
  ASSERT_TRUE(run(center_->accept(org_, a2_, id)));
  ASSERT_TRUE(run(center_->conference(org_, a1_, id)));
  ASSERT_TRUE(run(center_->end(org_, a1_, id)));
  EXPECT_EQ(status_of(a1_), AgentStatus::wrap_up);
  EXPECT_EQ(status_of(a2_), AgentStatus::wrap_up);
  EXPECT_EQ(contact(id).status, ContactStatus::ended);
}

TEST_P(ConsultTest, RestartKeepsARingingConsultRingingForItsRestAndAnAnsweredOne) {
  const ContactId id = connected_to_a1();
  ASSERT_TRUE(run(center_->consult(org_, a1_, id, AgentParty{a2_})));
  advance(Millis{2000});
  start_center();
  recover();
  // The consult rings on for the 3 s left of a2's RONA time, then rings out as it would have.
  EXPECT_EQ(contact(id).status, ContactStatus::consulting);
  EXPECT_EQ(status_of(a2_), AgentStatus::reserved);
  EXPECT_EQ(status_of(a1_), AgentStatus::engaged);
  advance(Millis{2999});
  EXPECT_EQ(status_of(a2_), AgentStatus::reserved);
  advance(Millis{1});
  EXPECT_EQ(contact(id).status, ContactStatus::connected);
  EXPECT_EQ(run(center_->state_of(org_, a2_))->state.origin, IdleOrigin::rona);
  EXPECT_EQ(status_of(a1_), AgentStatus::engaged);

  ASSERT_TRUE(run(center_->set_available(org_, a2_)));
  ASSERT_TRUE(run(center_->consult(org_, a1_, id, AgentParty{a2_})));
  ASSERT_TRUE(run(center_->accept(org_, a2_, id)));
  start_center();
  recover();
  EXPECT_EQ(contact(id).status, ContactStatus::consulting);
  EXPECT_TRUE(contact(id).party_joined);
  EXPECT_EQ(status_of(a2_), AgentStatus::engaged);
  EXPECT_EQ(center_->repairs(), 0u);
}

TEST_P(FlowTest, QueueCountersSurviveARestart) {
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
  auto lost = run(center_->new_contact(org_, queue_, "+15550100"));
  advance(Millis{5000});  // a1 lets it ring out
  ASSERT_TRUE(run(center_->login(org_, a2_, std::nullopt)));
  ASSERT_EQ(run(center_->contact(org_, lost->id))->agent, a2_);
  ASSERT_TRUE(run(center_->accept(org_, a2_, lost->id)));
  const auto before = *run(center_->queue_stats(org_, queue_));
  EXPECT_EQ(before.offered, 2);
  EXPECT_EQ(before.answered, 1);
  EXPECT_EQ(before.rona, 1);
  auto stored = cc_->list_queue_counts(org_);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(*stored, (std::vector<QueueCounts>{{queue_, 2, 1, 1}}));

  start_center();
  recover();
  const auto after = *run(center_->queue_stats(org_, queue_));
  EXPECT_EQ(after.offered, 2);
  EXPECT_EQ(after.answered, 1);
  EXPECT_EQ(after.rona, 1);
  // Counting goes on from there, in memory and in the store alike.
  auto next = run(center_->new_contact(org_, queue_, "+15550101"));
  ASSERT_TRUE(run(center_->set_available(org_, a1_)));
  EXPECT_EQ(run(center_->queue_stats(org_, queue_))->offered, 3);
  EXPECT_EQ((*cc_->list_queue_counts(org_))[0].offered, 3);
  EXPECT_TRUE(cc_->list_queue_counts(other_)->empty());
}

TEST_P(FlowTest, WrapUpCodeIsStoredWithTheContactAndPublished) {
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
  auto c = run(center_->new_contact(org_, queue_, "+15550100"));
  ASSERT_TRUE(run(center_->accept(org_, a1_, c->id)));
  ASSERT_TRUE(run(center_->end(org_, a1_, c->id)));
  auto done = run(center_->wrap_up(org_, a1_, c->id, "sold"));
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(cc_->get_contact(org_, c->id)->wrap_up_code, "sold");
  EXPECT_EQ(run(center_->contact(org_, c->id))->wrap_up_code, "sold");
  bool published = false;
  {
    std::lock_guard lock(mu_);
    for (const auto& e : seen_) {
      published = published || (e.type == "contact.wrapup" &&
                                e.body.find("\"code\":\"sold\"") != std::string::npos);
    }
  }
  EXPECT_TRUE(published);
  // Another agent's code never lands on it; a second wrap-up is refused by the agent's state.
  EXPECT_EQ(run(center_->wrap_up(org_, a1_, c->id, "again")).error().code, Errc::conflict);
  EXPECT_EQ(cc_->get_contact(org_, c->id)->wrap_up_code, "sold");
}

TEST_P(FlowTest, AgentWhoNeverLoggedInHasNoSince) {
  auto never = run(center_->state_of(org_, a3_));
  ASSERT_TRUE(never) << never.error().message;
  EXPECT_EQ(never->state.status, AgentStatus::logged_out);
  EXPECT_FALSE(never->state.since);
  EXPECT_TRUE(http::agent_state_to_json(never->state, std::nullopt).at("since").is_null());
  ASSERT_TRUE(run(center_->login(org_, a3_, std::nullopt)));
  ASSERT_TRUE(run(center_->logout(org_, a3_)));
  auto out = run(center_->state_of(org_, a3_));
  EXPECT_EQ(out->state.since, time_.now());  // logged out since then: a real time
}

TEST_P(FlowTest, IdleCodeGuardsRefuseDeletionWithTheirReason) {
  auto spare = run_awaitable(config_->create_idle_code(org_, "Spare", true));
  auto mapped = run_awaitable(config_->create_idle_code(org_, "Mapped", true));
  ASSERT_TRUE(spare && mapped);
  std::vector<std::pair<OrgId, IdleCodeId>> asked;
  IdleCodeGuard mapping = [&](Stores&, OrgId org,
                              IdleCodeId id) -> Result<std::optional<std::string>> {
    asked.emplace_back(org, id);
    if (id == mapped->id) return std::optional<std::string>("the presence mapping");
    return std::optional<std::string>();
  };
  CcConfigService guarded(backend_.store(), {}, {mapping});
  auto refused = run_awaitable(guarded.delete_idle_code(org_, mapped->id));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::conflict);
  EXPECT_EQ(refused.error().message,
            "idle code Mapped is used by the presence mapping; change that first");
  EXPECT_TRUE(run_awaitable(config_->get_idle_code(org_, mapped->id)));
  EXPECT_TRUE(run_awaitable(guarded.delete_idle_code(org_, spare->id)));
  EXPECT_EQ(asked.size(), 2u);
  EXPECT_EQ(asked[0], (std::pair<OrgId, IdleCodeId>{org_, mapped->id}));
  // Profiles and guards are named together.
  DesktopProfileChanges allow;
  allow.allowed_idle_codes = std::vector<IdleCodeId>{mapped->id};
  ASSERT_TRUE(run_awaitable(config_->update_desktop_profile(org_, profile_, allow)));
  EXPECT_EQ(run_awaitable(guarded.delete_idle_code(org_, mapped->id)).error().message,
            "idle code Mapped is used by desktop profile P, the presence mapping; change that "
            "first");
  // The system code is refused before any guard is asked.
  const auto asked_before = asked.size();
  EXPECT_EQ(run_awaitable(guarded.delete_idle_code(org_, cc_->ensure_rona_idle_code(org_)->id))
                .error()
                .code,
            Errc::conflict);
  EXPECT_EQ(asked.size(), asked_before);

  // A guard that cannot answer refuses with its own error.
  IdleCodeGuard unanswered = [](Stores&, OrgId, IdleCodeId) -> Result<std::optional<std::string>> {
    return make_error(Errc::unavailable, "connector store unavailable");
  };
  CcConfigService failing(backend_.store(), {}, {mapping, unanswered});
  auto other = run_awaitable(config_->create_idle_code(org_, "Other", true));
  auto failed = run_awaitable(failing.delete_idle_code(org_, other->id));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::unavailable);
  EXPECT_TRUE(run_awaitable(config_->get_idle_code(org_, other->id)));
}

CC_FLOW_BACKENDS(ConsultTest);

}  // namespace
}  // namespace ccteams::store
