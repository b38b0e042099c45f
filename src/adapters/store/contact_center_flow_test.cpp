// ContactCenter (app) end to end on a real store (SQLite and PostgreSQL), with a fake clock and
// a hand-driven scheduler: log in, routing to the longest-available agent, RONA and re-offer,
// accept, consult, transfer, end, wrap-up, event visibility and restart recovery.
#include <gtest/gtest.h>

#include "adapters/store/cc_flow_test_support.hpp"
#include "app/demo_callers.hpp"

namespace ccteams::store {
namespace {

using namespace cc_flow;  // NOLINT: the shared fixture

TEST_P(FlowTest, LoginPersistsAndPublishesTheState) {
  auto v = run(center_->login(org_, a1_, std::nullopt));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->state.status, AgentStatus::available);
  auto stored = cc_->list_agent_states(org_);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].status, AgentStatus::available);
  EXPECT_EQ(types_seen(), std::vector<std::string>{"agent.state"});
  auto again = run(center_->set_available(org_, a1_));
  ASSERT_TRUE(again);  // Available -> Available is allowed (manual choice)
}

TEST_P(FlowTest, ManualIdleRefusesTheSystemCodeAndAcceptsAnAllowedOne) {
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
  auto rona = cc_->ensure_rona_idle_code(org_);
  auto refused = run(center_->set_idle(org_, a1_, rona->id));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::invalid_input);
  auto idle = run(center_->set_idle(org_, a1_, lunch_));
  ASSERT_TRUE(idle) << idle.error().message;
  EXPECT_EQ(idle->state.origin, IdleOrigin::manual);
  EXPECT_EQ(idle->idle_code_name, "Lunch");
}

TEST_P(FlowTest, RonaIdlesTheAgentAndTheNextAgentGetsTheSameContact) {
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
  time_.advance(Millis{1000});
  ASSERT_TRUE(run(center_->login(org_, a2_, std::nullopt)));
  auto c = run(center_->new_contact(org_, queue_, "+15550100"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->status, ContactStatus::offered);
  EXPECT_EQ(c->agent, a1_);  // available the longest

  advance(Millis{4999});
  EXPECT_EQ(run(center_->contact(org_, c->id))->agent, a1_);
  advance(Millis{1});
  auto s1 = run(center_->state_of(org_, a1_));
  EXPECT_EQ(s1->state.status, AgentStatus::idle);
  EXPECT_EQ(s1->state.origin, IdleOrigin::rona);
  EXPECT_EQ(s1->idle_code_name, "RONA");
  auto after = run(center_->contact(org_, c->id));
  EXPECT_EQ(after->agent, a2_);
  EXPECT_EQ(after->ronas, 1);
  EXPECT_EQ(after->enqueued_at, c->enqueued_at);

  // The RONA'd agent cannot accept any more.
  EXPECT_EQ(run(center_->accept(org_, a1_, c->id)).error().code, Errc::conflict);
  auto accepted = run(center_->accept(org_, a2_, c->id));
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status, ContactStatus::connected);
  auto stats = run(center_->queue_stats(org_, queue_));
  EXPECT_EQ(stats->offered, 2);
  EXPECT_EQ(stats->rona, 1);
  EXPECT_EQ(stats->answered, 1);
  EXPECT_EQ(stats->waiting, 0u);
}

TEST_P(FlowTest, ConsultTransferEndAndWrapUp) {
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
  auto c = run(center_->new_contact(org_, queue_, "+15550100"));
  ASSERT_TRUE(run(center_->accept(org_, a1_, c->id)));
  auto bad = run(center_->consult(org_, a1_, c->id, PhoneParty{"call me", ""}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_input);
  auto consult = run(center_->consult(org_, a1_, c->id, PhoneParty{"+1 (425) 555-0100", ""}));
  ASSERT_TRUE(consult) << consult.error().message;
  EXPECT_EQ(std::get<PhoneParty>(*consult->party).number, "+14255550100");
  ASSERT_TRUE(run(center_->drop_party(org_, a1_, c->id)));

  // a2 is not Available: the transfer is refused and nothing changes.
  auto refused = run(center_->transfer(org_, a1_, c->id, AgentParty{a2_}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(run(center_->contact(org_, c->id))->status, ContactStatus::connected);
  ASSERT_TRUE(run(center_->login(org_, a2_, std::nullopt)));
  auto moved = run(center_->transfer(org_, a1_, c->id, AgentParty{a2_}));
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->status, ContactStatus::offered);
  EXPECT_EQ(run(center_->state_of(org_, a1_))->state.status, AgentStatus::wrap_up);
  EXPECT_EQ(run(center_->state_of(org_, a2_))->state.status, AgentStatus::reserved);
  ASSERT_TRUE(run(center_->accept(org_, a2_, c->id)));
  auto ended = run(center_->end(org_, a2_, c->id));
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->status, ContactStatus::ended);
  EXPECT_EQ(run(center_->state_of(org_, a2_))->state.status, AgentStatus::wrap_up);
  auto done = run(center_->wrap_up(org_, a2_, c->id, "sold"));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->state.status, AgentStatus::available);
  advance(Millis{10'000});  // a1's wrap-up timer
  EXPECT_EQ(run(center_->state_of(org_, a1_))->state.status, AgentStatus::available);
  EXPECT_EQ(run(center_->end(org_, a2_, c->id)).error().code, Errc::conflict);
}

TEST_P(FlowTest, AnAgentSeesOnlyTheirOwnEventsAndNoOrgSeesAnothers) {
  std::vector<CcEventRecord> mine, theirs;
  hub_.subscribe({org_, a2_, [&](const CcEventRecord& e) { mine.push_back(e); }});
  hub_.subscribe({other_, std::nullopt, [&](const CcEventRecord& e) { theirs.push_back(e); }});
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
  ASSERT_TRUE(run(center_->login(org_, a2_, std::nullopt)));
  auto c = run(center_->new_contact(org_, queue_, "+15550100"));
  ASSERT_TRUE(c);
  EXPECT_TRUE(theirs.empty());
  ASSERT_FALSE(mine.empty());
  for (const auto& e : mine) EXPECT_EQ(e.agent, a2_) << e.body;
  EXPECT_FALSE(run(center_->login(other_, a1_, std::nullopt)));  // a1 is not of org B
  EXPECT_EQ(run(center_->contact(other_, c->id)).error().code, Errc::not_found);
}

TEST_P(FlowTest, RestartRecoversStatesAndQueueAndTheRingingOfferRingsOnForItsRest) {
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
  auto ringing = run(center_->new_contact(org_, queue_, "+15550100"));
  auto waiting = run(center_->new_contact(org_, queue_, "+15550101"));
  ASSERT_EQ(ringing->agent, a1_);
  ASSERT_EQ(waiting->status, ContactStatus::queued);
  advance(Millis{2000});

  start_center();  // the process restarts: nothing in memory, timers gone
  recover();
  // The same offer rings on: no second offer is counted, and RONA comes at the old deadline.
  EXPECT_EQ(run(center_->state_of(org_, a1_))->state.status, AgentStatus::reserved);
  EXPECT_EQ(run(center_->contact(org_, ringing->id))->agent, a1_);
  EXPECT_EQ(run(center_->contact(org_, ringing->id))->offers, 1);
  EXPECT_EQ(run(center_->contact(org_, waiting->id))->status, ContactStatus::queued);
  EXPECT_EQ(run(center_->queue_stats(org_, queue_))->waiting, 1u);
  EXPECT_EQ(run(center_->queue_stats(org_, queue_))->offered, 1);
  advance(Millis{2999});
  EXPECT_EQ(run(center_->state_of(org_, a1_))->state.status, AgentStatus::reserved);
  advance(Millis{1});
  EXPECT_EQ(run(center_->state_of(org_, a1_))->state.origin, IdleOrigin::rona);
  EXPECT_EQ(run(center_->contact(org_, ringing->id))->status, ContactStatus::queued);
  // It kept its place: the next agent is offered it before the younger contact.
  ASSERT_TRUE(run(center_->login(org_, a2_, std::nullopt)));
  EXPECT_EQ(run(center_->contact(org_, ringing->id))->agent, a2_);
  EXPECT_EQ(run(center_->contact(org_, ringing->id))->offers, 2);
  EXPECT_EQ(run(center_->contact(org_, waiting->id))->status, ContactStatus::queued);
  EXPECT_EQ(center_->repairs(), 0u);
}

TEST_P(FlowTest, AgentWithoutTheRoleIsForbiddenAndLoggedInAgentCannotBeDeleted) {
  UserAccount u;
  u.org_id = org_;
  u.username = "sup";
  u.display_name = "sup";
  u.roles = RoleSet{Role::supervisor};
  u.password_hash = "x";
  u.created_at = kT0;
  const UserId sup = stores().accounts().create_user(u)->id;
  EXPECT_EQ(run(center_->login(org_, sup, std::nullopt)).error().code, Errc::forbidden);
  ASSERT_TRUE(run(center_->login(org_, a3_, std::nullopt)));
  EXPECT_EQ(run(center_->check_logged_out(org_, a3_)).error().code, Errc::conflict);
  ASSERT_TRUE(run(center_->logout(org_, a3_)));
  EXPECT_TRUE(run(center_->check_logged_out(org_, a3_)));
}

}  // namespace
}  // namespace ccteams::store

namespace ccteams::store {
namespace {

using namespace cc_flow;  // NOLINT: the shared fixture

TEST_P(FlowTest, DemoCallersArriveInTheQueuesAndHangUpWhenNobodyAnswers) {
  DemoCallerOptions options;
  options.min_interval = std::chrono::seconds(5);
  options.max_interval = std::chrono::seconds(5);
  options.patience = std::chrono::seconds(30);
  DemoCallers callers(*center_, time_, time_, org_, {queue_}, options);
  callers.start();
  advance(std::chrono::seconds(4));
  EXPECT_EQ(callers.callers_so_far(), 0);
  advance(std::chrono::seconds(1));
  EXPECT_EQ(callers.callers_so_far(), 1);
  auto stats = run(center_->queue_stats(org_, queue_));
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->waiting, 1u) << "nobody is logged in: the caller waits";
  for (int i = 0; i < 6; ++i) advance(std::chrono::seconds(5));  // 30 s: first caller's patience
  EXPECT_EQ(callers.callers_so_far(), 7);
  stats = run(center_->queue_stats(org_, queue_));
  EXPECT_EQ(stats->waiting, 6u) << "the first caller hung up after 30 s";
  callers.stop();
  advance(std::chrono::seconds(60));
  EXPECT_EQ(callers.callers_so_far(), 7) << "no caller after stop()";
}

// The contact center keeps the configuration in memory; an idle code made behind the
// configuration service's back (the connector's Teams codes) is read when a mapping names it,
// so the very first presence event already carries its name.
TEST_P(FlowTest, AnIdleCodeMadeOutsideTheConfigurationIsNamedInTheFirstPresenceEvent) {
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));  // the configuration is in memory
  ASSERT_TRUE(on_strand(org_, [&] { return center_->set_sync_enabled(org_, {a1_}, true); }));
  IdleCode teams;
  teams.org = org_;
  teams.name = "Teams - Presenting";
  const IdleCodeId code = cc_->create_idle_code(org_, teams).value().id;  // not via config_
  const PresenceMapping mapping({{Availability::do_not_disturb, Activity::presenting, code}});
  std::vector<AgentPresenceUpdate> updates{
      {a1_, ObservedPresence{make_presence(Availability::do_not_disturb, Activity::presenting),
                             time_.now(), PresenceChannel::notification, "1"}}};
  auto report = on_strand(org_, [&] { return center_->apply_presences(org_, updates, mapping); });
  ASSERT_TRUE(report) << report.error().message;
  auto s = run(center_->state_of(org_, a1_));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->state.status, AgentStatus::idle);
  EXPECT_EQ(s->idle_code_name, "Teams - Presenting");
}

// FlowTest's tests in contact_center_consult_test.cpp are instantiated here too.
CC_FLOW_BACKENDS(FlowTest);

}  // namespace
}  // namespace ccteams::store
