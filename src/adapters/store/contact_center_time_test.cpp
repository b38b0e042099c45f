// ContactCenter (app) on simulated time: each organisation is one actor (its strand, OrgActors),
// RONA and wrap-up timers come back through the Scheduler port onto that strand, and they fire
// at exactly the desktop profile's timeouts (testing::SimulatedTime, time.run_for(io, d)). On
// a real store, SQLite and PostgreSQL (there is no in-memory contact-center store).
#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "adapters/store/cc_flow_test_support.hpp"
#include "app/testing/simulated_time.hpp"

namespace ccteams::store::cc_flow {
namespace {

using ccteams::testing::SimulatedTime;

// One organisation: a queue, a desktop profile with the given timeouts, agents on the queue.
struct Org {
  OrgId id;
  QueueId queue;
  std::vector<UserId> agents;
};

class CcTimeTest : public CcFixture {
 protected:
  void SetUp() override {
    CcFixture::SetUp();
    if (HasFatalFailure()) return;  // the backend did not open
    start_center();
  }

  Org add_org(const std::string& name, int rona_seconds, int wrap_seconds, int agents) {
    Org o;
    o.id = stores().accounts().create_org(name, kT0)->id;
    o.queue = run_awaitable(config_->create_queue(o.id, "Sales"))->id;
    DesktopProfile p;
    p.name = "P";
    p.rona_timeout_seconds = rona_seconds;
    p.wrap_up_seconds = wrap_seconds;
    const DesktopProfileId profile = run_awaitable(config_->create_desktop_profile(o.id, p))->id;
    for (int i = 0; i < agents; ++i) {
      o.agents.push_back(add_agent(o.id, name + "-a" + std::to_string(i), profile, o.queue));
    }
    return o;
  }

  // A new process: nothing in memory, the old timers gone; recover() loads on the strands.
  void restart() {
    start_center();
    recover();
  }

  // Logs the agents in one simulated second apart (the first waits longest: offered first).
  void log_in(const Org& o) {
    for (UserId a : o.agents) {
      ASSERT_TRUE(run(center_->login(o.id, a, std::nullopt)));
      advance(Millis{1000});
    }
  }
  AgentState state(OrgId org, UserId agent) { return run(center_->state_of(org, agent))->state; }
  Contact contact(OrgId org, ContactId id) { return *run(center_->contact(org, id)); }
};

struct Timeouts {
  int rona_seconds;
  int wrap_seconds;
};
const std::vector<Timeouts> kTimeouts = {{5, 0}, {12, 3}, {30, 10}, {300, 120}};

TEST_P(CcTimeTest, RonaFiresAtExactlyTheProfileTimeoutAndTheNextAgentIsOffered) {
  for (const Timeouts& t : kTimeouts) {
    SCOPED_TRACE("RONA " + std::to_string(t.rona_seconds) + " s");
    const Org o =
        add_org("rona" + std::to_string(t.rona_seconds), t.rona_seconds, t.wrap_seconds, 2);
    log_in(o);
    auto c = run(center_->new_contact(o.id, o.queue, "+15550100"));
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_EQ(c->agent, o.agents[0]);
    const Timestamp offered = time_.now();
    advance(std::chrono::seconds{t.rona_seconds} - Millis{1});
    EXPECT_EQ(state(o.id, o.agents[0]).status, AgentStatus::reserved) << "1 ms early";
    EXPECT_EQ(contact(o.id, c->id).ronas, 0);
    advance(Millis{1});
    const AgentState first = state(o.id, o.agents[0]);
    EXPECT_EQ(first.status, AgentStatus::idle);
    EXPECT_EQ(first.since.value_or(Timestamp{}), offered + std::chrono::seconds{t.rona_seconds});
    const Contact after = contact(o.id, c->id);
    EXPECT_EQ(after.ronas, 1);
    EXPECT_EQ(after.status, ContactStatus::offered);
    EXPECT_EQ(after.agent, o.agents[1]) << "the next agent rings";
    const AgentState second = state(o.id, o.agents[1]);
    EXPECT_EQ(second.status, AgentStatus::reserved);
    EXPECT_EQ(second.since.value_or(Timestamp{}), offered + std::chrono::seconds{t.rona_seconds});
    // The second agent lets it ring out too: back in the queue, nobody left to offer it to.
    advance(std::chrono::seconds{t.rona_seconds});
    EXPECT_EQ(contact(o.id, c->id).status, ContactStatus::queued);
    EXPECT_EQ(contact(o.id, c->id).ronas, 2);
  }
}

TEST_P(CcTimeTest, WrapUpEndsAtExactlyItsTimeout) {
  for (const Timeouts& t : kTimeouts) {
    if (t.wrap_seconds == 0) continue;  // no wrap-up: Available at once
    SCOPED_TRACE("wrap-up " + std::to_string(t.wrap_seconds) + " s");
    const Org o =
        add_org("wrap" + std::to_string(t.wrap_seconds), t.rona_seconds, t.wrap_seconds, 1);
    log_in(o);
    const UserId a = o.agents[0];
    auto c = run(center_->new_contact(o.id, o.queue, "+15550100"));
    ASSERT_TRUE(c);
    ASSERT_TRUE(run(center_->accept(o.id, a, c->id)));
    advance(Millis{42'000});  // a conversation
    ASSERT_TRUE(run(center_->end(o.id, a, c->id)));
    const Timestamp ended = time_.now();
    EXPECT_EQ(state(o.id, a).status, AgentStatus::wrap_up);
    advance(std::chrono::seconds{t.wrap_seconds} - Millis{1});
    EXPECT_EQ(state(o.id, a).status, AgentStatus::wrap_up) << "1 ms early";
    advance(Millis{1});
    const AgentState s = state(o.id, a);
    EXPECT_EQ(s.status, AgentStatus::available);
    EXPECT_EQ(s.since.value_or(Timestamp{}), ended + std::chrono::seconds{t.wrap_seconds});
  }
}

TEST_P(CcTimeTest, ARonaTimerCancelledByAcceptNeverFires) {
  const Org o = add_org("accept", 5, 0, 2);
  log_in(o);
  auto c = run(center_->new_contact(o.id, o.queue, "+15550100"));
  ASSERT_TRUE(c);
  advance(Millis{4999});
  ASSERT_TRUE(run(center_->accept(o.id, o.agents[0], c->id)));
  EXPECT_EQ(time_.pending(), 0U) << "the RONA timer is cancelled";
  advance(std::chrono::hours{1});
  const Contact after = contact(o.id, c->id);
  EXPECT_EQ(after.status, ContactStatus::connected);
  EXPECT_EQ(after.ronas, 0);
  EXPECT_EQ(state(o.id, o.agents[0]).status, AgentStatus::engaged);
  EXPECT_EQ(state(o.id, o.agents[1]).status, AgentStatus::available);
}

TEST_P(CcTimeTest, TimersRestoredAfterARestartFireAtTheirRemainingTime) {
  const Org o = add_org("restart", 5, 10, 2);
  log_in(o);
  const UserId a1 = o.agents[0];
  const UserId a2 = o.agents[1];
  // a2 ends a call (wrap-up 10 s), then a new contact rings a1 (RONA 5 s).
  auto first = run(center_->new_contact(o.id, o.queue, "+15550100"));
  ASSERT_TRUE(first);
  ASSERT_TRUE(run(center_->accept(o.id, a1, first->id)));
  auto second = run(center_->new_contact(o.id, o.queue, "+15550101"));
  ASSERT_TRUE(second);
  ASSERT_TRUE(run(center_->accept(o.id, a2, second->id)));
  ASSERT_TRUE(run(center_->end(o.id, a2, second->id)));
  const Timestamp wrap_started = time_.now();
  ASSERT_TRUE(run(center_->end(o.id, a1, first->id)));
  ASSERT_TRUE(run(center_->wrap_up(o.id, a1, first->id, "")));
  auto ringing = run(center_->new_contact(o.id, o.queue, "+15550102"));
  ASSERT_TRUE(ringing);
  ASSERT_EQ(ringing->agent, a1);
  const Timestamp offered = time_.now();
  advance(Millis{2000});
  restart();
  advance(Millis{2999});
  EXPECT_EQ(state(o.id, a1).status, AgentStatus::reserved) << "3 s of RONA were left";
  advance(Millis{1});
  EXPECT_EQ(state(o.id, a1).status, AgentStatus::idle);
  EXPECT_EQ(state(o.id, a1).since.value_or(Timestamp{}), offered + std::chrono::seconds{5});
  EXPECT_EQ(contact(o.id, ringing->id).offers, 1) << "the rebuilt ring counts no new offer";
  // a2's wrap-up, rebuilt too, ends at its own deadline (and a2 then rings for the contact).
  advance(wrap_started + std::chrono::seconds{10} - time_.now() - Millis{1});
  EXPECT_EQ(state(o.id, a2).status, AgentStatus::wrap_up);
  advance(Millis{1});
  const AgentState s = state(o.id, a2);
  EXPECT_EQ(s.status, AgentStatus::reserved);
  EXPECT_EQ(s.since.value_or(Timestamp{}), wrap_started + std::chrono::seconds{10});
  EXPECT_EQ(center_->repairs(), 0U);
}

TEST_P(CcTimeTest, OrganisationsRunSideBySideWithoutSharingState) {
  // Three organisations with different timeouts, their contacts and timers interleaved on one
  // io_context: each one's RONA moves only its own contact and agents.
  const std::vector<Org> orgs = {add_org("o1", 5, 0, 2), add_org("o2", 7, 0, 2),
                                 add_org("o3", 9, 0, 2)};
  std::vector<std::vector<CcEventRecord>> seen(orgs.size());
  std::vector<CcEventHub::Token> tokens;
  for (std::size_t i = 0; i < orgs.size(); ++i) {
    tokens.push_back(hub_.subscribe(
        {orgs[i].id, std::nullopt, [&seen, i](const CcEventRecord& e) { seen[i].push_back(e); }}));
  }
  // Every organisation's agents log in at once: the calls overlap on their strands.
  for (std::size_t k = 0; k < 2; ++k) {
    std::vector<Result<AgentStateView>> results(orgs.size(), make_error(Errc::internal, "not run"));
    for (std::size_t i = 0; i < orgs.size(); ++i) {
      boost::asio::co_spawn(
          io_,
          [&, i]() -> boost::asio::awaitable<void> {
            results[i] = co_await center_->login(orgs[i].id, orgs[i].agents[k], std::nullopt);
          },
          boost::asio::detached);
    }
    SimulatedTime::drain(io_);
    for (const auto& r : results) EXPECT_TRUE(r);
    advance(Millis{1000});
  }
  std::vector<Contact> contacts;
  for (const Org& o : orgs) {
    auto c = run(center_->new_contact(o.id, o.queue, "+15550100"));
    ASSERT_TRUE(c);
    contacts.push_back(*c);
  }
  // Each contact id belongs to its organisation only.
  EXPECT_EQ(run(center_->contact(orgs[1].id, contacts[0].id)).error().code, Errc::not_found);
  const Timestamp start = time_.now();
  for (int second = 1; second <= 9; ++second) {
    advance(std::chrono::seconds{1});
    for (std::size_t i = 0; i < orgs.size(); ++i) {
      const int rona = 5 + 2 * static_cast<int>(i);
      const Contact c = contact(orgs[i].id, contacts[i].id);
      SCOPED_TRACE("org " + std::to_string(i) + " at " + std::to_string(second) + " s");
      EXPECT_EQ(c.ronas, second >= rona ? 1 : 0);
      EXPECT_EQ(c.agent, second >= rona ? orgs[i].agents[1] : orgs[i].agents[0]);
      EXPECT_EQ(state(orgs[i].id, orgs[i].agents[0]).status,
                second >= rona ? AgentStatus::idle : AgentStatus::reserved);
    }
  }
  for (std::size_t i = 0; i < orgs.size(); ++i) {
    EXPECT_EQ(state(orgs[i].id, orgs[i].agents[0]).since.value_or(Timestamp{}),
              start + std::chrono::seconds{5 + 2 * static_cast<int>(i)});
    ASSERT_FALSE(seen[i].empty());
    for (const auto& e : seen[i]) EXPECT_EQ(e.org, orgs[i].id) << "events stay in their org";
  }
  for (auto t : tokens) hub_.unsubscribe(t);
}

CC_FLOW_BACKENDS(CcTimeTest);

}  // namespace
}  // namespace ccteams::store::cc_flow
