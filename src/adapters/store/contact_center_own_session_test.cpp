// Our own Teams presence session across a kill (issue 17), on both backends and simulated time:
// the contact center with presence sync's outbound writer (on FakePresenceGraph) on the
// organisation's strand. The session's durable mark (core/agent_state.hpp, "Across restarts") is
// stored before setPresence can go, kept until the clear is confirmed, and after a restart it
// makes the first sync's read of our Busy/InACall an echo and costs exactly one clearPresence,
// for that agent only.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/store/cc_flow_test_support.hpp"
#include "app/alarm.hpp"
#include "app/log_escaped.hpp"
#include "app/metrics.hpp"
#include "app/presence/outbound_writer.hpp"
#include "app/testing/fake_presence_graph.hpp"

namespace ccteams::store::cc_flow {
namespace {

namespace asio = boost::asio;
using Call = ccteams::testing::FakePresenceGraph::Call;

// Presence sync's outbound side for one organisation, as org_sync runs it: the writer, driven
// by a loop on the organisation's strand, fed by the contact center's hook, reporting confirmed
// clears and settled sessions back to the contact center.
class OutboundRig final : public presence::OrgLoop {
 public:
  OutboundRig(ContactCenter& cc, OrgActors& actors, ccteams::testing::SimulatedTime& time,
              ccteams::testing::FakePresenceGraph& graph, OrgId org,
              std::map<UserId, std::string> teams)
      : time_(time),
        strand_(actors.strand(org)),
        alarm_(strand_, time),
        budget_(sync::PresenceBudgetConfig{}),
        metrics_(registry_),
        writer_(presence::OutboundWriterDeps{
            *this, graph, budget_, metrics_, org, "client", sync::OutboundConfig{}, 8,
            [teams = std::move(teams)](UserId a) -> std::optional<std::string> {
              auto it = teams.find(a);
              if (it == teams.end()) return std::nullopt;
              return it->second;
            },
            [&cc, org](UserId a, Timestamp at) { return cc.teams_busy_cleared(org, a, at); },
            [&cc, org](UserId a) { return cc.own_session_gone(org, a); }}) {
    PresenceHooks hooks;
    hooks.teams_effect = [this](OrgId, const AgentEffect& effect) {
      asio::post(strand_, [this, effect] { writer_.on_effect(effect); });
    };
    cc.set_presence_hooks(std::move(hooks));
    writer_.set_tenant("tenant");
    asio::co_spawn(strand_, loop(), LogEscaped{"test outbound loop"});
  }
  // Ends the loop; the caller runs the io_context before destroying the rig.
  void stop() { alarm_.stop(); }

  // presence::OrgLoop
  Timestamp now() const override { return time_.now(); }
  bool running() const override { return true; }
  void wake() override { alarm_.wake(); }
  void spawn(asio::awaitable<void> work, const char* what) override {
    asio::co_spawn(strand_, std::move(work), LogEscaped{what});
  }
  void report_authorization(const GraphError&) override {}

 private:
  asio::awaitable<void> loop() {
    for (;;) {
      const Timestamp t = time_.now();
      std::optional<Timestamp> next;
      writer_.step(t, [&next](Timestamp at) {
        if (!next || at < *next) next = at;
      });
      const Timestamp until = std::max(next.value_or(t + Millis{1'000}), t + Millis{1});
      if (co_await alarm_.wait_until(until) == Alarm::Woke::stopped) co_return;
    }
  }

  ccteams::testing::SimulatedTime& time_;
  asio::any_io_executor strand_;
  Alarm alarm_;
  sync::PresenceBudget budget_;
  Metrics registry_;
  presence::SyncMetrics metrics_;
  presence::OutboundWriter writer_;
};

class OwnSessionTest : public FlowTest {
 protected:
  void SetUp() override {
    FlowTest::SetUp();
    if (HasFatalFailure()) return;
    call_code_ = run_awaitable(config_->create_idle_code(org_, "In a call", true))->id;
    mapping_ = default_presence_mapping({call_code_, call_code_, call_code_, call_code_});
  }
  void TearDown() override { stop_writer(); }

  std::optional<Timestamp> stored_mark(UserId agent) {
    auto states = cc_->list_agent_states(org_);
    EXPECT_TRUE(states);
    for (const auto& s : *states) {
      if (s.agent == agent) return s.own_session.may_show_since;
    }
    return std::nullopt;
  }
  void sync_on(std::vector<UserId> agents) {
    ASSERT_TRUE(on_strand(org_, [&] { return center_->set_sync_enabled(org_, agents, true); }));
  }
  // The first sync's read: what Teams shows for each agent's user.
  void first_sync(std::vector<std::pair<UserId, Presence>> shown) {
    std::vector<AgentPresenceUpdate> updates;
    int seq = 0;
    for (auto& [agent, presence] : shown) {
      updates.push_back({agent, ObservedPresence{presence, time_.now(), PresenceChannel::poll,
                                                 "s" + std::to_string(++seq)}});
    }
    auto r = on_strand(org_, [&] { return center_->apply_presences(org_, updates, mapping_); });
    ASSERT_TRUE(r) << r.error().message;
  }
  // A contact-center call awaited from outside the strands. Not run(): io_.run() would wait for
  // the writer's loop, which never ends; this runs what is ready, as time stands still.
  template <class T>
  T call(asio::awaitable<T> op) {
    std::optional<T> out;
    auto body = [&out, op = std::move(op)]() mutable -> asio::awaitable<void> {
      out.emplace(co_await std::move(op));
    };
    asio::co_spawn(io_, std::move(body), asio::detached);
    drain();
    EXPECT_TRUE(out) << "the call did not finish";
    return std::move(*out);
  }
  AgentState state(UserId agent) { return call(center_->state_of(org_, agent))->state; }
  // A new process on the same store (the old one was killed: nothing of it runs any more).
  void restart() {
    stop_writer();
    start_center();
    recover();
  }
  void stop_writer() {
    if (!rig_) return;
    rig_->stop();
    drain();
    rig_.reset();
  }
  void start_writer() {
    rig_ = std::make_unique<OutboundRig>(
        *center_, actors_, time_, graph_, org_,
        std::map<UserId, std::string>{{a1_, "teams-1"}, {a2_, "teams-2"}});
    drain();
  }

  IdleCodeId call_code_;
  PresenceMapping mapping_;
  ccteams::testing::FakePresenceGraph graph_{time_};
  std::unique_ptr<OutboundRig> rig_;
};

TEST_P(OwnSessionTest, TheMarkIsStoredBeforeSetPresenceAndKeptUntilTheClearIsConfirmed) {
  // What the hook hands to presence sync, and whether the mark was on disk at that moment.
  std::vector<std::pair<std::string, bool>> handed;
  PresenceHooks hooks;
  hooks.teams_effect = [&](OrgId, const AgentEffect& e) {
    const bool stored = stored_mark(a1_).has_value();
    handed.emplace_back(std::holds_alternative<SetTeamsBusy>(e) ? "set" : "clear", stored);
  };
  center_->set_presence_hooks(hooks);
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
  sync_on({a1_});
  auto c = run(center_->new_contact(org_, queue_, "+15550100"));
  ASSERT_TRUE(c);
  ASSERT_EQ(state(a1_).status, AgentStatus::reserved);
  ASSERT_TRUE(run(center_->accept(org_, a1_, c->id)));
  ASSERT_TRUE(run(center_->end(org_, a1_, c->id)));
  const std::vector<std::pair<std::string, bool>> want{{"set", true}, {"clear", true}};
  EXPECT_EQ(handed, want);
  EXPECT_EQ(stored_mark(a1_), kT0);  // the clear was asked for, not confirmed

  ASSERT_TRUE(on_strand(org_, [&] { return center_->teams_busy_cleared(org_, a1_, kT0); }));
  EXPECT_FALSE(stored_mark(a1_));
}

TEST_P(OwnSessionTest, ARestartWithTeamsShowingOurBusyDoesNotIdleAndSendsExactlyOneClear) {
  // The process that gets killed: a contact set our session and ended; the kill lands before
  // its clear went out (this process's writer never sends it).
  center_->set_presence_hooks(PresenceHooks{});
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
  advance(Millis{1'000});
  ASSERT_TRUE(run(center_->login(org_, a2_, std::nullopt)));
  sync_on({a1_, a2_});
  auto c = run(center_->new_contact(org_, queue_, "+15550100"));
  ASSERT_TRUE(c);
  ASSERT_EQ(state(a1_).status, AgentStatus::reserved);
  ASSERT_TRUE(run(center_->accept(org_, a1_, c->id)));
  ASSERT_TRUE(run(center_->end(org_, a1_, c->id)));
  advance(Millis{10'000});  // wrap-up over
  ASSERT_EQ(state(a1_).status, AgentStatus::available);
  ASSERT_TRUE(stored_mark(a1_));
  ASSERT_FALSE(stored_mark(a2_));

  // The restarted process: Teams still shows our Busy/InACall for a1's user.
  restart();
  start_writer();
  sync_on({a1_, a2_});  // the watch set's first recomputation
  first_sync({{a1_, own_session_presence()},
              {a2_, make_presence(Availability::available, Activity::available)}});
  EXPECT_EQ(state(a1_).status, AgentStatus::available) << "idled by our own session";
  advance(std::chrono::hours{1});
  auto clears = graph_.calls(Call::clear_presence);
  ASSERT_EQ(clears.size(), 1U);  // a1's, none for a2 who cannot have a session
  EXPECT_EQ(clears[0].id, "teams-1");
  EXPECT_TRUE(graph_.calls(Call::set_presence).empty());
  EXPECT_FALSE(stored_mark(a1_));  // confirmed: the mark is gone
  EXPECT_EQ(state(a1_).status, AgentStatus::available);

  // Another restart: nothing is left to clear.
  restart();
  start_writer();
  sync_on({a1_, a2_});
  advance(std::chrono::hours{1});
  EXPECT_EQ(graph_.calls(Call::clear_presence).size(), 1U);
}

// The same, with the first sync's read landing while the clear is still to be retried (Graph
// answered 503 once): the read is an echo all the same.
TEST_P(OwnSessionTest, OurBusyReadBeforeTheStaleClearWentThroughIsAnEcho) {
  center_->set_presence_hooks(PresenceHooks{});
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
  sync_on({a1_});
  auto c = run(center_->new_contact(org_, queue_, "+15550100"));
  ASSERT_TRUE(c);
  ASSERT_TRUE(run(center_->abandon(org_, c->id)));  // the caller hung up while it rang
  ASSERT_TRUE(stored_mark(a1_));

  restart();
  graph_.fail_next(Call::clear_presence, GraphErrorKind::unavailable);
  start_writer();
  sync_on({a1_});
  first_sync({{a1_, own_session_presence()}});
  EXPECT_EQ(state(a1_).status, AgentStatus::available) << "idled by our own session";
  EXPECT_TRUE(stored_mark(a1_));  // the clear is not confirmed yet
  advance(std::chrono::hours{1});
  EXPECT_EQ(graph_.calls(Call::clear_presence).size(), 2U);  // the failed one and its retry
  EXPECT_FALSE(stored_mark(a1_));
  EXPECT_EQ(state(a1_).status, AgentStatus::available);
}

TEST_P(OwnSessionTest, AnEngagedAgentAfterARestartGetsItsSessionSetAgainNotCleared) {
  center_->set_presence_hooks(PresenceHooks{});
  ASSERT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
  sync_on({a1_});
  auto c = run(center_->new_contact(org_, queue_, "+15550100"));
  ASSERT_TRUE(c);
  ASSERT_TRUE(run(center_->accept(org_, a1_, c->id)));

  restart();
  start_writer();
  sync_on({a1_});
  first_sync({{a1_, own_session_presence()}});
  advance(Millis{60'000});
  EXPECT_EQ(state(a1_).status, AgentStatus::engaged);
  EXPECT_EQ(graph_.calls(Call::set_presence).size(), 1U);
  EXPECT_TRUE(graph_.calls(Call::clear_presence).empty());
  EXPECT_TRUE(stored_mark(a1_));
  // The contact ends: one clear, confirmed, and the mark goes.
  ASSERT_TRUE(call(center_->end(org_, a1_, c->id)));
  advance(Millis{60'000});
  EXPECT_EQ(graph_.calls(Call::clear_presence).size(), 1U);
  EXPECT_FALSE(stored_mark(a1_));
}

TEST_P(OwnSessionTest, TheMarkRoundTripsThroughTheStore) {
  AgentState s = logged_out_agent(a3_, kT0);
  s.status = AgentStatus::available;
  s.own_session.may_show_since = kT0 + Millis{1234};
  ASSERT_TRUE(put_state(*cc_, org_, s));
  EXPECT_EQ(stored_mark(a3_), kT0 + Millis{1234});
  s.own_session.may_show_since.reset();
  ASSERT_TRUE(put_state(*cc_, org_, s));
  EXPECT_FALSE(stored_mark(a3_));
}

CC_FLOW_BACKENDS(OwnSessionTest);

}  // namespace
}  // namespace ccteams::store::cc_flow
