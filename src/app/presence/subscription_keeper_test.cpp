// The subscription keeper on simulated time: renewal before expiry for hours in milliseconds,
// recreation after a failed renewal, repacking create-before-delete, the gate following, a
// revoked delegated token refreshed once, a subscription Graph deleted silently found by the
// probe and recreated.
#include "app/presence/subscription_keeper.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "app/metrics.hpp"
#include "app/testing/fake_presence_graph.hpp"
#include "app/testing/fakes.hpp"
#include "app/testing/in_memory_presence_store.hpp"
#include "app/testing/in_memory_sync_account_store.hpp"
#include "app/testing/sim_org_loop.hpp"
#include "app/testing/test_store.hpp"

namespace ccteams::presence {
namespace {

namespace asio = boost::asio;
using testing::FakePresenceGraph;
using Call = FakePresenceGraph::Call;
using std::chrono::minutes;
constexpr Timestamp kT0{Millis{1'800'000'000'000}};
constexpr OrgId kOrg{1};

struct Rig {
  explicit Rig(int accounts)
      : time(kT0),
        loop(time),
        graph(time),
        gate(tokens),
        metrics(registry),
        keeper(SubscriptionKeeperDeps{
            loop,
            graph,
            port,
            [this](SyncAccountId account) -> asio::awaitable<Result<std::string>> {
              auto a = account_store.get_account(kOrg, account);
              if (!a || a->token_state == SyncTokenState::failed) {
                co_return make_error(Errc::conflict, "sign the account in again");
              }
              co_return token;
            },
            [this](SyncAccountId account,
                   std::string refused) -> asio::awaitable<Result<std::string>> {
              refreshes.push_back(refused);
              if (!refresh_works) {
                // What SyncAccountService does when Entra refuses the refresh token.
                auto a = account_store.get_account(kOrg, account);
                EXPECT_TRUE(a);
                EXPECT_TRUE(account_store.mark_failed(kOrg, account, a->sealed_refresh_token,
                                                      "sign the account in again"));
                co_return make_error(Errc::conflict, "sign the account in again");
              }
              token = "fresh-token-" + std::to_string(refreshes.size());
              co_return token;
            },
            tokens,
            gate,
            nullptr,
            metrics,
            kOrg,
            {"https://ccteams.example/notify", "https://ccteams.example/lifecycle"},
            Millis{60'000},
            Millis{180'000},
            plan(),
            [this] { return watched; }}) {
    for (int i = 1; i <= accounts; ++i) {
      SyncAccount a;
      a.org = kOrg;
      a.oid = "oid-" + std::to_string(i);
      a.upn = "sync" + std::to_string(i) + "@example";
      a.token_state = SyncTokenState::healthy;
      EXPECT_TRUE(account_store.upsert_account(a));
    }
    keeper.set_tenant("tenant");
  }
  static sync::SubscriptionPlanConfig plan() {
    sync::SubscriptionPlanConfig c;
    c.lifetime = minutes{55};
    c.renew_margin = minutes{15};
    return c;
  }
  void start() {
    loop.drive(
        [this](Timestamp t, const testing::SimOrgLoop::Sooner& sooner) { keeper.step(t, sooner); });
  }
  // One subscription made; then Graph refuses the cached token and asks for reauthorization.
  // Returns the subscription's id.
  std::string revoke_cached_token_then_reauthorize() {
    start();
    loop.run_for(minutes{1});
    const std::string first = graph.subscriptions().begin()->first;
    graph.refuse_token("delegated-token");
    loop.on_strand([&] { keeper.on_lifecycle(LifecycleEvent::reauthorization_required, first); });
    loop.run_for(minutes{1});
    return first;
  }
  std::vector<std::string> watched{"a", "b"};
  std::string token = "delegated-token";  // what access_token answers (the cached token)
  bool refresh_works = true;
  std::vector<std::string> refreshes;  // the refused tokens refreshed_token was called with
  testing::SimulatedTime time;
  testing::SimOrgLoop loop;
  FakePresenceGraph graph;
  testing::InMemorySyncAccountStore account_store;
  testing::InMemoryPresenceStore store;
  testing::TestStore port{
      testing::TestStores{.subscriptions = &store, .sync_accounts = &account_store}};
  testing::CountingTokens tokens;
  SubscriptionGate gate;
  Metrics registry;
  SyncMetrics metrics;
  SubscriptionKeeper keeper;
};

TEST(SubscriptionKeeper, RenewsEachSubscriptionBeforeItExpiresForHours) {
  Rig rig(1);
  rig.start();
  rig.loop.run_for(std::chrono::hours{3});
  auto creates = rig.graph.calls(Call::create);
  ASSERT_EQ(creates.size(), 1U);
  EXPECT_EQ(creates[0].at, kT0);
  EXPECT_EQ(creates[0].ids, (std::vector<std::string>{"a", "b"}));
  auto renewals = rig.graph.calls(Call::renew);
  ASSERT_GE(renewals.size(), 4U);
  // Each renewal lands within the margin before the expiry it extends: never a lapse.
  Timestamp expiry = creates[0].until;
  for (const auto& r : renewals) {
    EXPECT_LT(r.at, expiry);
    EXPECT_GE(r.at, expiry - minutes{15});
    EXPECT_EQ(r.until, r.at + minutes{55});
    expiry = r.until;
  }
  EXPECT_EQ(rig.graph.subscriptions().size(), 1U);
  EXPECT_EQ(rig.keeper.count(), 1U);
  EXPECT_EQ(rig.keeper.next_expiry(), expiry);
  // The gate admits the subscription's notifications with its clientState only.
  const std::string id = rig.graph.subscriptions().begin()->first;
  EXPECT_EQ(rig.gate.decide(id, "tok1").org, kOrg);
  EXPECT_FALSE(rig.gate.decide(id, "forged").org);
}

TEST(SubscriptionKeeper, RecreatesASubscriptionWhoseRenewalFoundItGone) {
  Rig rig(1);
  rig.start();
  rig.loop.run_for(minutes{1});
  ASSERT_EQ(rig.graph.calls(Call::create).size(), 1U);
  rig.graph.fail_next(Call::renew, GraphErrorKind::not_found);  // Graph dropped it
  rig.loop.run_for(minutes{45});
  auto renewals = rig.graph.calls(Call::renew);
  ASSERT_GE(renewals.size(), 1U);
  auto creates = rig.graph.calls(Call::create);
  ASSERT_EQ(creates.size(), 2U);
  // Recreated at once after the failed renewal, not a check interval later.
  EXPECT_LE(creates[1].at - renewals[0].at, Millis{5'000});
  EXPECT_EQ(rig.store.records().size(), 1U);
  EXPECT_EQ(rig.store.records().begin()->second.health, StoredSubscriptionHealth::ok);
}

TEST(SubscriptionKeeper, ReauthorizationRefusedMakesThePlanRecreateIt) {
  Rig rig(2);
  rig.start();
  rig.loop.run_for(minutes{1});
  const std::string first = rig.graph.subscriptions().begin()->first;
  rig.graph.fail_next(Call::reauthorize, GraphErrorKind::forbidden);
  rig.loop.on_strand(
      [&] { rig.keeper.on_lifecycle(LifecycleEvent::reauthorization_required, first); });
  rig.loop.run_for(minutes{1});
  EXPECT_EQ(rig.graph.calls(Call::reauthorize).size(), 1U);
  EXPECT_EQ(rig.graph.calls(Call::create).size(), 2U);
  EXPECT_FALSE(rig.graph.subscriptions().contains(first));
  EXPECT_EQ(rig.graph.subscriptions().size(), 1U);
}

// The account's sessions were revoked: Graph answers 401 for the cached delegated token. One
// refresh, and the call again with the fresh token: the subscription stays, nothing recreated.
TEST(SubscriptionKeeper, RevokedTokenIsRefreshedOnceAndTheCallMadeAgain) {
  Rig rig(1);
  const std::string first = rig.revoke_cached_token_then_reauthorize();
  EXPECT_EQ(rig.refreshes, (std::vector<std::string>{"delegated-token"}));
  EXPECT_EQ(rig.graph.calls(Call::reauthorize).size(), 2U);  // refused, then with the fresh one
  EXPECT_EQ(rig.graph.calls(Call::create).size(), 1U);
  EXPECT_EQ(rig.store.records().at(first).health, StoredSubscriptionHealth::ok);
  // The renewals go on with the fresh token: no further refresh.
  rig.loop.run_for(std::chrono::hours{2});
  EXPECT_GE(rig.graph.calls(Call::renew).size(), 2U);
  EXPECT_EQ(rig.refreshes.size(), 1U);
  EXPECT_TRUE(rig.graph.subscriptions().contains(first));
}

// The refresh is refused too (refresh token revoked): one attempt, not a loop; the account is
// failed at once and the plan no longer uses it: bulk reads only.
TEST(SubscriptionKeeper, RevokedTokenWhoseRefreshIsRefusedFailsTheAccountOnce) {
  Rig rig(1);
  rig.refresh_works = false;
  rig.revoke_cached_token_then_reauthorize();
  EXPECT_EQ(rig.refreshes.size(), 1U);
  EXPECT_EQ(rig.graph.calls(Call::reauthorize).size(), 1U);
  auto accounts = rig.account_store.list_accounts(kOrg);
  ASSERT_TRUE(accounts);
  EXPECT_EQ(accounts->at(0).token_state, SyncTokenState::failed);
  EXPECT_EQ(rig.graph.calls(Call::create).size(), 1U);  // not recreated on the dead account
  rig.loop.run_for(minutes{30});
  EXPECT_EQ(rig.refreshes.size(), 1U);
  EXPECT_EQ(rig.keeper.coverage(),
            "no healthy sync account: add one under Sync accounts; bulk reads only");
}

// Graph deleted the subscription without a lifecycle event (as it does for presence): the
// probe reads it back within its interval, finds it gone and subscribes again.
TEST(SubscriptionKeeper, ProbeRecreatesASubscriptionGraphDeletedSilently) {
  Rig rig(1);
  rig.start();
  rig.loop.run_for(minutes{1});
  const std::string first = rig.graph.subscriptions().begin()->first;
  const Timestamp dropped_at = rig.time.now();
  rig.graph.drop(first);
  rig.loop.run_for(minutes{4});
  auto creates = rig.graph.calls(Call::create);
  ASSERT_EQ(creates.size(), 2U);
  EXPECT_LE(creates[1].at - dropped_at, minutes{3});  // within one probe interval
  auto gets = rig.graph.calls(Call::get);
  ASSERT_FALSE(gets.empty());
  EXPECT_EQ(gets.back().id, first);
  EXPECT_EQ(rig.graph.subscriptions().size(), 1U);
  EXPECT_FALSE(rig.graph.subscriptions().contains(first));
  EXPECT_EQ(rig.store.records().size(), 1U);
  EXPECT_FALSE(rig.store.records().contains(first));
  // The cost: one GET per subscription per interval (3 minutes): about 20 an hour here.
  rig.graph.clear_log();
  rig.loop.run_for(std::chrono::hours{1});
  const auto hourly = rig.graph.calls(Call::get).size();
  EXPECT_GE(hourly, 19U);
  EXPECT_LE(hourly, 21U);
  EXPECT_EQ(rig.graph.calls(Call::create).size(), 0U);
}

TEST(SubscriptionKeeper, RepacksOnASpareAccountCreatingBeforeDeleting) {
  Rig rig(2);
  rig.start();
  rig.loop.run_for(minutes{1});
  ASSERT_EQ(rig.graph.subscriptions().size(), 1U);
  const std::string old_id = rig.graph.subscriptions().begin()->first;
  rig.graph.clear_log();
  rig.watched = {"a", "b", "c"};  // an agent logged in
  rig.loop.on_strand([&] { rig.keeper.due_by(rig.time.now() + Millis{2'000}); });
  rig.loop.run_for(minutes{1});
  const auto& log = rig.graph.log();
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[0].call, Call::create);
  EXPECT_EQ(log[0].ids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(log[1].call, Call::remove);
  EXPECT_EQ(log[1].id, old_id);
  EXPECT_EQ(log[0].at, kT0 + minutes{1} + Millis{2'000});  // debounced, then at once
  EXPECT_EQ(rig.graph.subscriptions().size(), 1U);
  EXPECT_FALSE(rig.gate.decide(old_id, "tok1").org);  // the gate forgot the old one
}

TEST(SubscriptionKeeper, WithoutANotificationUrlOnlyBulkReadsAreSaid) {
  Rig rig(1);
  SubscriptionKeeper keeper(SubscriptionKeeperDeps{
      rig.loop,
      rig.graph,
      rig.port,
      [](SyncAccountId) -> asio::awaitable<Result<std::string>> { co_return std::string("t"); },
      {},
      rig.tokens,
      rig.gate,
      nullptr,
      rig.metrics,
      kOrg,
      {},
      Millis{60'000},
      Millis{0},
      Rig::plan(),
      [] { return std::vector<std::string>{"a"}; }});
  rig.loop.drive(
      [&](Timestamp t, const testing::SimOrgLoop::Sooner& sooner) { keeper.step(t, sooner); });
  rig.loop.run_for(minutes{5});
  EXPECT_TRUE(rig.graph.log().empty());
  EXPECT_EQ(keeper.coverage(), "no public notification URL (server.public_url): bulk reads only");
}

TEST(SubscriptionKeeper, SwitchingOffDeletesEverySubscription) {
  Rig rig(1);
  rig.start();
  rig.loop.run_for(minutes{1});
  std::optional<std::pair<std::size_t, std::size_t>> counts;
  rig.loop.spawn(
      [](SubscriptionKeeper& k, auto& out) -> asio::awaitable<void> {
        out = co_await k.delete_all();
      }(rig.keeper, counts),
      "test delete_all");
  rig.loop.run_for(Millis{10});
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->first, 1U);
  EXPECT_EQ(counts->second, 0U);
  EXPECT_TRUE(rig.graph.subscriptions().empty());
  EXPECT_TRUE(rig.store.records().empty());
  EXPECT_EQ(rig.keeper.count(), 0U);
}

}  // namespace
}  // namespace ccteams::presence
