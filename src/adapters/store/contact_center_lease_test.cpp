// ContactCenter (app) on a real store (SQLite and PostgreSQL) following the organisation lease
// (issue 16, part 5; docs/postgresql.md, "Leases and fencing"): an organisation is loaded when
// its lease is gained (timers resumed with their remaining time), dropped when it is lost (timers
// cancelled; a timer that fires late changes nothing), and an organisation this instance does
// not serve is answered org_elsewhere, never loaded on first use.
#include <gtest/gtest.h>

#include <set>

#include "adapters/store/cc_flow_test_support.hpp"

namespace ccteams::store {
namespace {

using namespace cc_flow;  // NOLINT: the shared fixture

// The leases this instance holds, as the test says (the runtime asks the lease keeper).
class HeldLeases final : public OrgOwnership {
 public:
  bool serves(OrgId org) const override { return held.contains(org); }
  std::set<OrgId> held;  // the test's thread only: the strands run there too
};

class LeaseTest : public FlowTest {
 protected:
  Contact stored_contact(ContactId id) { return *cc_->get_contact(org_, id); }
  // An offer ringing at a1 (RONA 5 s), made while the organisation is served.
  ContactId ringing_at_a1() {
    EXPECT_TRUE(run(center_->login(org_, a1_, std::nullopt)));
    auto c = run(center_->new_contact(org_, queue_, "+15550100"));
    EXPECT_TRUE(c && c->agent == a1_ && c->status == ContactStatus::offered);
    return c ? c->id : ContactId{};
  }
  HeldLeases leases_;
};

TEST_P(LeaseTest, AnOrganisationGainedIsLoadedWithItsRonaTimerResumedForItsRemainingTime) {
  const ContactId c = ringing_at_a1();
  advance(Millis{2000});
  // Another process, in a cluster: it holds no lease yet, so recover() loads nothing and a
  // request is answered org_elsewhere, not served by loading on first use.
  start_center(leases_);
  recover();
  auto refused = run(center_->state_of(org_, a1_));
  ASSERT_FALSE(refused);
  EXPECT_TRUE(is_org_elsewhere(refused.error())) << refused.error().message;
  EXPECT_EQ(refused.error().retry_after_seconds, 1);
  EXPECT_FALSE(center_->served(org_));
  advance(Millis{1000});  // no timer runs for an organisation nobody here loaded

  leases_.held.insert(org_);
  center_->org_gained(org_);
  drain();
  EXPECT_TRUE(center_->served(org_));
  // 3 s of the 5 s RONA time have passed: it rings for 2 s more, with no request in between.
  advance(Millis{1999});
  EXPECT_EQ(stored_contact(c).ronas, 0);
  EXPECT_EQ(stored_contact(c).status, ContactStatus::offered);
  advance(Millis{1});
  EXPECT_EQ(stored_contact(c).ronas, 1);
  EXPECT_EQ(run(center_->state_of(org_, a1_))->state.status, AgentStatus::idle);
}

TEST_P(LeaseTest, AnOrganisationLostIsDroppedAndItsTimersAreCancelled) {
  leases_.held = {org_, other_};
  start_center(leases_);
  const ContactId c = ringing_at_a1();
  ASSERT_TRUE(run(center_->agent_states(other_)));

  leases_.held.erase(org_);
  center_->org_lost(org_);
  drain();
  auto refused = run(center_->contact(org_, c));
  ASSERT_FALSE(refused);
  EXPECT_TRUE(is_org_elsewhere(refused.error())) << refused.error().message;
  // The other organisation is untouched.
  EXPECT_TRUE(run(center_->agent_states(other_)));
  const auto events_before = types_seen().size();
  advance(Millis{10'000});  // past the RONA: its timer went with the organisation
  EXPECT_EQ(stored_contact(c).ronas, 0);
  EXPECT_EQ(stored_contact(c).status, ContactStatus::offered);
  EXPECT_EQ(types_seen().size(), events_before);

  // Gained again: loaded from the store, where the offer still rings; its RONA time has
  // passed, so it rings out at once.
  leases_.held.insert(org_);
  center_->org_gained(org_);
  drain();
  advance(Millis{1});
  EXPECT_EQ(stored_contact(c).ronas, 1);
}

TEST_P(LeaseTest, ATimerThatFiresAfterTheLeaseEndedChangesNothing) {
  leases_.held = {org_};
  start_center(leases_);
  const ContactId c = ringing_at_a1();
  // The local deadline passed, the keeper has not reported `lost` yet: the RONA timer fires
  // in between and its decision is refused.
  leases_.held.clear();
  advance(Millis{5000});
  EXPECT_EQ(stored_contact(c).ronas, 0);
  EXPECT_EQ(stored_contact(c).status, ContactStatus::offered);
  auto refused = run(center_->state_of(org_, a1_));
  ASSERT_FALSE(refused);
  EXPECT_TRUE(is_org_elsewhere(refused.error()));
}

CC_FLOW_BACKENDS(LeaseTest);

}  // namespace
}  // namespace ccteams::store
