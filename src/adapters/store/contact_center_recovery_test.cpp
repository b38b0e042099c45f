// ContactCenter (app) on a real store (SQLite and PostgreSQL), issue 22: one transaction per
// decision (a write that fails part-way leaves nothing behind), the repairs load() makes of
// states an older version or a torn write left, and the supervisor's ways out of every state.
#include <gtest/gtest.h>

#include "adapters/store/cc_flow_test_support.hpp"

namespace ccteams::store {
namespace {

using namespace cc_flow;  // NOLINT: the shared fixture

class RecoveryTest : public FlowTest {
 protected:
  AgentState stored_state(UserId agent) {
    auto states = cc_->list_agent_states(org_);
    EXPECT_TRUE(states);
    if (!states) return logged_out_agent(agent, std::nullopt);
    for (const auto& s : *states) {
      if (s.agent == agent) return s;
    }
    return logged_out_agent(agent, std::nullopt);
  }
  AgentStatus status_of(UserId agent) { return run(center_->state_of(org_, agent))->state.status; }
  Contact contact(ContactId id) { return *run(center_->contact(org_, id)); }
  // A contact connected to a1 (a1 logged in first, then a2 and a3 Available).
  ContactId connected_to_a1() {
    EXPECT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
    time_.advance(Millis{1000});
    EXPECT_TRUE(run(center_->login(org_, a2_, std::nullopt)));
    time_.advance(Millis{1000});
    EXPECT_TRUE(run(center_->login(org_, a3_, std::nullopt)));
    auto c = run(center_->new_contact(org_, queue_, "+15550100"));
    EXPECT_TRUE(c && c->agent == a1_);
    EXPECT_TRUE(run(center_->accept(org_, a1_, c->id)));
    return c->id;
  }
  // A real failure inside the decision's transaction: every write of an agent state aborts.
  void fail_agent_state_writes(bool on) {
    if (GetParam() == testing::StoreBackend::sqlite) {
      ASSERT_EQ(backend_.exec(on ? "CREATE TRIGGER injected_failure BEFORE UPDATE ON agent_states "
                                   "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
                                 : "DROP TRIGGER injected_failure;"),
                "");
      return;
    }
    ASSERT_EQ(backend_.exec(on ? "CREATE FUNCTION injected_failure() RETURNS trigger "
                                 "LANGUAGE plpgsql AS $$ BEGIN "
                                 "RAISE EXCEPTION 'injected failure'; END $$; "
                                 "CREATE TRIGGER injected_failure BEFORE UPDATE ON agent_states "
                                 "FOR EACH ROW EXECUTE FUNCTION injected_failure();"
                               : "DROP TRIGGER injected_failure ON agent_states; "
                                 "DROP FUNCTION injected_failure();"),
              "");
  }
  // What an older version or a torn write left: written straight into the store, then a restart.
  void restart() {
    start_center();
    recover();
  }
};

TEST_P(RecoveryTest, ADecisionWhoseWriteFailsPartWayLeavesNothingBehind) {
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
  auto c = run(center_->new_contact(org_, queue_, "+15550100"));
  ASSERT_EQ(c->agent, a1_);
  const auto events_before = cc_->events_after(org_, 0, 1000)->size();
  fail_agent_state_writes(true);
  // The contact's row is written first in the transaction, then a1's state fails: both roll back.
  auto accepted = run(center_->accept(org_, a1_, c->id));
  ASSERT_FALSE(accepted);
  EXPECT_EQ(cc_->get_contact(org_, c->id)->status, ContactStatus::offered);
  EXPECT_EQ(cc_->get_contact(org_, c->id)->answers, 0);
  EXPECT_EQ(stored_state(a1_).status, AgentStatus::reserved);
  EXPECT_EQ(cc_->events_after(org_, 0, 1000)->size(), events_before);
  // Memory was rebuilt from the store: the offer still rings, with its RONA timer.
  EXPECT_EQ(contact(c->id).status, ContactStatus::offered);
  EXPECT_EQ(status_of(a1_), AgentStatus::reserved);
  fail_agent_state_writes(false);
  ASSERT_TRUE(run(center_->accept(org_, a1_, c->id)));
  EXPECT_EQ(cc_->get_contact(org_, c->id)->status, ContactStatus::connected);
  EXPECT_EQ(stored_state(a1_).status, AgentStatus::engaged);
  advance(Millis{5000});  // the rebuilt RONA timer was cancelled by the accept
  EXPECT_EQ(status_of(a1_), AgentStatus::engaged);
}

TEST_P(RecoveryTest, AFailedWriteKeepsThePresenceBookkeepingTheStoreDoesNotHold) {
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
  ASSERT_TRUE(on_strand(org_, [&] { return center_->set_sync_enabled(org_, {a1_}, true); }));
  fail_agent_state_writes(true);
  EXPECT_FALSE(run(center_->set_idle(org_, a1_, lunch_)));
  fail_agent_state_writes(false);
  // Reloaded from the store, the agent is still Available with presence sync on for them.
  auto s = run(center_->state_of(org_, a1_));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->state.status, AgentStatus::available);
  EXPECT_TRUE(s->state.sync_enabled);
}

TEST_P(RecoveryTest, AnOrganisationThatCannotBeReloadedIsNotServedEmptyAndLoadsLater) {
  const ContactId id = connected_to_a1();
  auto rename = [&](const char* script) { ASSERT_EQ(backend_.exec(script), ""); };
  // The decision's write fails (no contacts table) and so does the reload that follows.
  rename("ALTER TABLE contacts RENAME TO contacts_away;");
  EXPECT_FALSE(run(center_->hold(org_, a1_, id)));
  EXPECT_FALSE(run(center_->state_of(org_, a1_))) << "an unloaded organisation must not answer";
  EXPECT_FALSE(run(center_->login(org_, a2_, std::nullopt)));
  rename("ALTER TABLE contacts_away RENAME TO contacts;");
  // Loaded again on the next call, as the store has it.
  EXPECT_EQ(status_of(a1_), AgentStatus::engaged);
  EXPECT_EQ(contact(id).status, ContactStatus::connected);
  ASSERT_TRUE(run(center_->hold(org_, a1_, id)));
  EXPECT_EQ(contact(id).status, ContactStatus::on_hold);
}

TEST_P(RecoveryTest, AnAgentEngagedOnAnEndedContactWrapsUpAfterARestart) {
  const ContactId id = connected_to_a1();
  // The wedge the issue found: the contact's end was written, the agent's change was not.
  Contact ended = contact(id);
  ended.status = ContactStatus::ended;
  ended.end_reason = EndReason::completed;
  ASSERT_TRUE(cc_->put_contact(ended));
  restart();
  EXPECT_EQ(center_->repairs(), 1u);
  EXPECT_EQ(status_of(a1_), AgentStatus::wrap_up);
  EXPECT_EQ(stored_state(a1_).status, AgentStatus::wrap_up);
  advance(Millis{10'000});  // the profile's wrap-up
  EXPECT_EQ(status_of(a1_), AgentStatus::available);
}

TEST_P(RecoveryTest, AContactConnectedToAnAgentWhoIsElsewhereIsRequeuedAtItsPlace) {
  const ContactId id = connected_to_a1();
  AgentState idle = stored_state(a1_);
  idle.status = AgentStatus::idle;
  idle.idle_code = lunch_;
  idle.origin = IdleOrigin::manual;
  idle.contact.reset();
  ASSERT_TRUE(put_state(*cc_, org_, idle));
  restart();
  EXPECT_EQ(center_->repairs(), 1u);
  // Back in the queue, and at once offered to the longest-available agent (a2).
  const Contact c = contact(id);
  EXPECT_EQ(c.status, ContactStatus::offered);
  EXPECT_EQ(c.agent, a2_);
  EXPECT_EQ(c.enqueued_at, kT0 + Millis{2000});
  EXPECT_EQ(status_of(a1_), AgentStatus::idle);
  EXPECT_EQ(cc_->get_contact(org_, id)->agent, a2_);
}

TEST_P(RecoveryTest, AnOfferWhoseAgentDoesNotRingIsRequeuedAndARingingAgentWithoutOfferReleased) {
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
  auto offered = run(center_->new_contact(org_, queue_, "+15550100"));
  ASSERT_EQ(offered->agent, a1_);
  // Torn both ways: the contact still says Offered to a1, a1 says Available; a2 rings for a
  // contact that is only queued.
  AgentState a1 = stored_state(a1_);
  a1.status = AgentStatus::available;
  a1.contact.reset();
  ASSERT_TRUE(put_state(*cc_, org_, a1));
  auto queued = *cc_->put_contact(new_contact(ContactId{}, org_, queue_, "+15550101", kT0));
  AgentState a2 = logged_out_agent(a2_, kT0);
  a2.status = AgentStatus::reserved;
  a2.contact = queued.id;
  ASSERT_TRUE(put_state(*cc_, org_, a2));
  restart();
  EXPECT_EQ(center_->repairs(), 2u);
  // Both agents are Available again and each of the two contacts is offered to one of them.
  EXPECT_EQ(contact(queued.id).status, ContactStatus::offered);
  EXPECT_EQ(contact(offered->id).status, ContactStatus::offered);
  EXPECT_EQ(status_of(a1_), AgentStatus::reserved);
  EXPECT_EQ(status_of(a2_), AgentStatus::reserved);
  EXPECT_EQ(contact(offered->id).offers, 2);
}

TEST_P(RecoveryTest, AJoinedConsultWhoseAgentIsElsewhereEndsAndTheCustomerStaysWithThePrimary) {
  const ContactId id = connected_to_a1();
  ASSERT_TRUE(run(center_->consult(org_, a1_, id, AgentParty{a2_})));
  ASSERT_TRUE(run(center_->accept(org_, a2_, id)));
  AgentState a2 = stored_state(a2_);
  a2.status = AgentStatus::available;
  a2.contact.reset();
  ASSERT_TRUE(put_state(*cc_, org_, a2));
  restart();
  EXPECT_EQ(center_->repairs(), 1u);
  EXPECT_EQ(contact(id).status, ContactStatus::connected);
  EXPECT_FALSE(contact(id).party);
  EXPECT_EQ(status_of(a1_), AgentStatus::engaged);
  EXPECT_EQ(status_of(a2_), AgentStatus::available);
}

TEST_P(RecoveryTest, ASupervisorLogsOutAnEngagedAgentAndTheCustomerIsOfferedToAnother) {
  const ContactId id = connected_to_a1();
  EXPECT_EQ(run(center_->logout(org_, a1_)).error().code, Errc::conflict);
  EXPECT_EQ(run(center_->supervise(org_, a1_, AgentStatus::available, std::nullopt)).error().code,
            Errc::conflict);
  auto out = run(center_->supervise(org_, a1_, AgentStatus::logged_out, std::nullopt));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->state.status, AgentStatus::logged_out);
  EXPECT_EQ(contact(id).status, ContactStatus::offered);
  EXPECT_EQ(contact(id).agent, a2_);
  EXPECT_EQ(stored_state(a1_).status, AgentStatus::logged_out);
  EXPECT_EQ(cc_->get_contact(org_, id)->agent, a2_);
}

TEST_P(RecoveryTest, ASupervisorLogsOutARingingAgentAndAConsultedOne) {
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
  auto c = run(center_->new_contact(org_, queue_, "+15550100"));
  ASSERT_TRUE(run(center_->supervise(org_, a1_, AgentStatus::logged_out, std::nullopt)));
  EXPECT_EQ(contact(c->id).status, ContactStatus::queued);
  advance(Millis{5000});  // no RONA for the agent who is gone
  EXPECT_EQ(status_of(a1_), AgentStatus::logged_out);
  EXPECT_EQ(contact(c->id).ronas, 0);

  ASSERT_TRUE(run(center_->login(org_, a2_, std::nullopt)));
  ASSERT_TRUE(run(center_->accept(org_, a2_, c->id)));
  ASSERT_TRUE(run(center_->login(org_, a3_, std::nullopt)));
  ASSERT_TRUE(run(center_->consult(org_, a2_, c->id, AgentParty{a3_})));
  ASSERT_TRUE(run(center_->accept(org_, a3_, c->id)));
  ASSERT_TRUE(run(center_->supervise(org_, a3_, AgentStatus::logged_out, std::nullopt)));
  EXPECT_EQ(contact(c->id).status, ContactStatus::connected);
  EXPECT_EQ(status_of(a2_), AgentStatus::engaged);
  EXPECT_EQ(status_of(a3_), AgentStatus::logged_out);
}

TEST_P(RecoveryTest, ASupervisorSetsStatesWithTheirOwnOriginAndChecksTheCode) {
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
  auto idled = run(center_->supervise(org_, a1_, AgentStatus::idle, lunch_));
  ASSERT_TRUE(idled) << idled.error().message;
  EXPECT_EQ(idled->state.origin, IdleOrigin::supervisor);
  EXPECT_EQ(stored_state(a1_).origin, IdleOrigin::supervisor);
  EXPECT_EQ(run(center_->supervise(org_, a1_, AgentStatus::idle, IdleCodeId{99'999})).error().code,
            Errc::invalid_input);
  EXPECT_EQ(
      run(center_->supervise(org_, foreign_, AgentStatus::logged_out, std::nullopt)).error().code,
      Errc::not_found);
  EXPECT_EQ(run(center_->supervise(org_, a1_, AgentStatus::available, std::nullopt))->state.status,
            AgentStatus::available);
}

TEST_P(RecoveryTest, ASupervisorEndsOrRequeuesAnyOpenContact) {
  const ContactId id = connected_to_a1();
  ASSERT_TRUE(run(center_->consult(org_, a1_, id, AgentParty{a2_})));  // a2 rings for the consult
  time_.advance(Millis{1000});
  auto requeued = run(center_->requeue_contact(org_, id));
  ASSERT_TRUE(requeued) << requeued.error().message;
  // a1 wraps up, a2 is released and Available again (since now): the contact is offered to a3,
  // the longest Available.
  EXPECT_EQ(status_of(a1_), AgentStatus::wrap_up);
  EXPECT_EQ(requeued->agent, a3_);
  EXPECT_EQ(status_of(a2_), AgentStatus::available);

  auto ended = run(center_->force_end(org_, id));
  ASSERT_TRUE(ended) << ended.error().message;
  EXPECT_EQ(ended->status, ContactStatus::ended);
  EXPECT_EQ(ended->end_reason, EndReason::forced);
  EXPECT_EQ(status_of(a3_), AgentStatus::available);  // it was only ringing
  EXPECT_EQ(run(center_->force_end(org_, id)).error().code, Errc::conflict);
  EXPECT_EQ(run(center_->requeue_contact(org_, id)).error().code, Errc::conflict);
  EXPECT_EQ(run(center_->force_end(other_, id)).error().code, Errc::not_found);
  EXPECT_EQ(cc_->get_contact(org_, id)->end_reason, EndReason::forced);
}

CC_FLOW_BACKENDS(RecoveryTest);

}  // namespace
}  // namespace ccteams::store
