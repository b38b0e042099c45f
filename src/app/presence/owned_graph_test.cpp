// OwnedGraph: presence sync's one check before every Graph call of an organisation (issue 16,
// part 5). While this instance serves the organisation every call goes through; once it does
// not (the lease's local deadline passed), no call reaches Graph and each answers a transient
// error at once. Another organisation's calls are not affected.
#include "app/presence/owned_graph.hpp"

#include <gtest/gtest.h>

#include <set>

#include "app/testing/fake_clock.hpp"
#include "app/testing/fake_presence_graph.hpp"
#include "app/testing/run_awaitable.hpp"

namespace ccteams::presence {
namespace {

using testing::FakePresenceGraph;
using testing::run_awaitable;
using Call = FakePresenceGraph::Call;

class HeldLeases final : public OrgOwnership {
 public:
  bool serves(OrgId org) const override { return held.contains(org); }
  std::set<OrgId> held;
};

const OrgId kOrg{1};
const OrgId kOther{2};

class OwnedGraphTest : public ::testing::Test {
 protected:
  // One of each kind of call through g: a read, a write, a subscription's creation and renewal.
  // How many of them succeeded.
  int one_of_each(OwnedGraph& g) {
    int ok = 0;
    ok += run_awaitable(g.get_presences("t", {"u1"})).has_value();
    SetPresenceRequest set;
    set.user_id = "u1";
    set.session_id = "app";
    set.availability = "Busy";
    set.activity = "InACall";
    ok += run_awaitable(g.set_presence("t", set)).has_value();
    SubscriptionRequest req;
    req.presence_user_ids = {"u1"};
    req.notification_url = "https://example.test/n";
    req.expiration = clock_.now() + std::chrono::minutes(30);
    auto created = run_awaitable(g.create_subscription("t", "token", req));
    ok += created.has_value();
    if (created) {
      SubscriptionRenewal renewal;
      renewal.expiration = clock_.now() + std::chrono::minutes(50);
      ok += run_awaitable(g.renew_subscription("t", "token", created->id, renewal)).has_value();
    }
    return ok;
  }
  std::size_t graph_calls() const {
    std::size_t n = 0;
    for (Call c : {Call::get_presences, Call::set_presence, Call::create, Call::renew}) {
      n += fake_.calls(c).size();
    }
    return n;
  }

  FakeClock clock_{from_unix_millis(1'790'000'000'000)};
  FakePresenceGraph fake_{clock_};
  HeldLeases leases_;
};

TEST_F(OwnedGraphTest, CallsGoToGraphOnlyWhileTheOrganisationIsServedHere) {
  leases_.held = {kOrg, kOther};
  OwnedGraph mine(fake_, leases_, kOrg);
  OwnedGraph other(fake_, leases_, kOther);
  EXPECT_EQ(one_of_each(mine), 4);
  EXPECT_EQ(graph_calls(), 4u);
  EXPECT_EQ(mine.skipped(), 0u);

  leases_.held.erase(kOrg);  // the lease's local deadline passed
  auto read = run_awaitable(mine.get_presences("t", {"u1"}));
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, "org_elsewhere");
  EXPECT_TRUE(read.error().transient());  // nothing is concluded from it
  EXPECT_EQ(run_awaitable(mine.delete_subscription("t", "token", "s1")).has_value(), false);
  EXPECT_EQ(one_of_each(mine), 0);
  EXPECT_EQ(graph_calls(), 4u);  // none reached Graph
  EXPECT_TRUE(fake_.calls(Call::remove).empty());
  EXPECT_EQ(mine.skipped(), 5u);

  // The other organisation, still served here, is not affected.
  EXPECT_EQ(one_of_each(other), 4);
  EXPECT_EQ(graph_calls(), 8u);
  EXPECT_EQ(other.skipped(), 0u);
}

}  // namespace
}  // namespace ccteams::presence
