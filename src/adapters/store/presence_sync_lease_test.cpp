// PresenceSync (app) following the organisation lease (issue 16, part 5; docs/postgresql.md,
// "Leases and fencing"), on a real store (SQLite and PostgreSQL) and simulated time: an
// organisation's sync starts on `gained` (when its connector is Active with presenceSync on) and
// stops on `lost`, without cleanup in Graph, and neither touches another organisation's sync; an
// organisation this instance does not serve is not started at start-up or on a connector change.
#include <gtest/gtest.h>

#include <set>

#include "adapters/store/cc_flow_test_support.hpp"
#include "app/connector_service.hpp"
#include "app/metrics.hpp"
#include "app/ports/id_token_verifier.hpp"
#include "app/presence_sync.hpp"
#include "app/sync_account_service.hpp"
#include "app/testing/fake_entra_links.hpp"
#include "app/testing/fake_presence_graph.hpp"
#include "app/testing/fake_sealer.hpp"
#include "app/testing/fake_token_graph.hpp"
#include "app/testing/fakes.hpp"

namespace ccteams::store {
namespace {

using namespace cc_flow;  // NOLINT: the shared fixture
using Call = ccteams::testing::FakePresenceGraph::Call;

class HeldLeases final : public OrgOwnership {
 public:
  bool serves(OrgId org) const override { return held.contains(org); }
  std::set<OrgId> held;  // the test's thread only: the strands run there too
};

class NoIdTokens final : public IdTokenVerifier {
 public:
  boost::asio::awaitable<Result<VerifiedIdToken>> verify(std::string,
                                                         IdTokenExpectations) override {
    co_return make_error(Errc::unauthenticated, "not used by this test");
  }
};

class PresenceLeaseTest : public FlowTest {
 protected:
  void SetUp() override {
    FlowTest::SetUp();
    if (HasFatalFailure()) return;
    active_connector(org_, "tenant-a");
    active_connector(other_, "tenant-b");
    start_center(leases_);
    ConnectorServiceConfig config;
    config.client_id = "app-id";
    config.redirect_uri = "https://cc.example/api/v1/connectors/msteams/callback";
    connector_ = std::make_unique<ConnectorService>(backend_.store(), entra_, id_tokens_, links_,
                                                    sealer_, pkce_, tokens_, time_, config);
    SyncAccountOptions so;
    so.client_id = "app-id";
    so.public_url = "https://cc.example";
    accounts_ = std::make_unique<SyncAccountService>(backend_.store(), entra_, links_, sealer_,
                                                     pkce_, tokens_, time_, so,
                                                     connector_->active_tenant_lookup());
    PresenceSyncOptions po;
    po.client_id = "app-id";
    sync_ = std::make_unique<PresenceSync>(actors_, time_, *connector_, *center_, graph_,
                                           *accounts_, backend_.store(), tokens_, time_,
                                           metrics_, nullptr, po, leases_);
  }
  void TearDown() override {
    if (sync_) sync_->stop();
    drain();
    sync_.reset();
    center_.reset();  // it asks leases_, which goes before the fixture's base
  }

  void active_connector(OrgId org, const std::string& tenant) {
    TeamsConnector c;
    c.org = org;
    c.status = ConnectorStatus::active;
    c.tenant_id = tenant;
    c.presence_sync = true;
    c.updated_at = kT0;
    ASSERT_TRUE(stores().connectors().save_connector(c, 0));
  }
  // The loops wait on simulated time, an io_context that never runs out of work: what the test
  // awaits runs until nothing more is ready (drain), not until io_ stops (run()).
  // nullopt when op did not finish.
  template <class T>
  std::optional<T> settle(boost::asio::awaitable<T> op) {
    std::optional<T> out;
    auto body = [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(op)); };
    boost::asio::co_spawn(io_, body, boost::asio::detached);
    drain();
    return out;
  }
  bool running(OrgId org) {
    auto s = settle(sync_->status(org));
    EXPECT_TRUE(s.has_value());
    return s && s->running;
  }

  HeldLeases leases_;
  ccteams::testing::FakeTokenGraph entra_;  // not reached: no sync account signs in
  NoIdTokens id_tokens_;
  ccteams::testing::RecordingEntraLinks links_;
  ccteams::testing::FakeSealer sealer_;
  ccteams::testing::FakePkce pkce_;
  ccteams::testing::CountingTokens tokens_;
  ccteams::testing::FakePresenceGraph graph_{time_};
  Metrics metrics_;
  std::unique_ptr<ConnectorService> connector_;
  std::unique_ptr<SyncAccountService> accounts_;
  std::unique_ptr<PresenceSync> sync_;
};

TEST_P(PresenceLeaseTest, GainedAndLostStartAndStopOneOrganisationsSyncAlone) {
  // At start this instance holds other_'s lease only: org_'s sync is its owner's.
  leases_.held = {other_};
  auto started = settle(sync_->start(NotificationUrls{}));
  ASSERT_TRUE(started && *started);
  drain();
  EXPECT_FALSE(running(org_));
  EXPECT_TRUE(running(other_));
  // A connector change seen here starts nothing for an organisation served elsewhere.
  sync_->connector_changed(org_);
  drain();
  EXPECT_FALSE(running(org_));

  leases_.held.insert(org_);
  sync_->org_gained(org_);
  drain();
  EXPECT_TRUE(running(org_));
  EXPECT_TRUE(running(other_));

  leases_.held.erase(org_);
  sync_->org_lost(org_);
  drain();
  EXPECT_FALSE(running(org_));
  EXPECT_TRUE(running(other_));
  // Stopped as after a restart, not switched off: nothing was cleaned up in Graph (the next
  // owner resumes), and the other organisation's loop goes on.
  EXPECT_TRUE(graph_.calls(Call::remove).empty());
  EXPECT_TRUE(graph_.calls(Call::clear_presence).empty());
  advance(Millis{60'000});
  EXPECT_FALSE(running(org_));
  EXPECT_TRUE(running(other_));
}

// Another instance (the organisation's owner) stored a subscription after this gate was loaded:
// the gate does not know it until the webhook asks for a reload (docs/postgresql.md, "The
// webhook's gate on every instance"), and the reloads are limited to ten a second.
TEST_P(PresenceLeaseTest, TheGateLearnsSubscriptionsStoredElsewhereWhenReloadedTenTimesASecond) {
  leases_.held = {other_};
  auto started = settle(sync_->start(NotificationUrls{}));
  ASSERT_TRUE(started && *started);
  PresenceSubscriptionRecord r;
  r.id = "created-by-the-owner";
  r.org = org_;
  r.account_id = SyncAccountId{42};
  r.user_ids = {"u1"};
  r.expiration = kT0 + Millis{3'600'000};
  r.client_state_sha256 = tokens_.digest("owner-secret");
  r.created_at = kT0;
  ASSERT_TRUE(stores().subscriptions().put_subscription(r));
  auto before = sync_->decide(r.id, "owner-secret");
  EXPECT_FALSE(before.org);
  EXPECT_EQ(before.rejection, GateRejection::unknown_subscription);

  auto reloaded = settle(sync_->reload_gate());
  ASSERT_TRUE(reloaded);
  EXPECT_TRUE(*reloaded);
  EXPECT_EQ(sync_->decide(r.id, "owner-secret").org, org_);
  EXPECT_EQ(sync_->decide(r.id, "a-guess").rejection, GateRejection::client_state);

  // Nine more this second, then none until the next one.
  for (int i = 1; i < PresenceSync::kGateReloadsPerSecond; ++i) {
    EXPECT_EQ(settle(sync_->reload_gate()), std::optional<bool>(true)) << i;
  }
  EXPECT_EQ(settle(sync_->reload_gate()), std::optional<bool>(false));
  advance(Millis{1000});
  EXPECT_EQ(settle(sync_->reload_gate()), std::optional<bool>(true));
}

CC_FLOW_BACKENDS(PresenceLeaseTest);

}  // namespace
}  // namespace ccteams::store
