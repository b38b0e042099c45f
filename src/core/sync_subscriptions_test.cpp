// Subscription packing (sync_subscriptions.hpp) as tables, plus a churn simulation that runs the
// plans against a model of Graph's rules (one subscription per account, at most 650 ids).

#include "core/sync_subscriptions.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace ccteams::sync {
namespace {

using std::chrono::minutes;

const Timestamp kNow = from_unix_millis(1'790'000'000'000);

std::vector<std::string> ids(int from, int count) {
  std::vector<std::string> out;
  for (int i = from; i < from + count; ++i) out.push_back("u" + std::to_string(i));
  return out;
}
std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
std::vector<SyncAccountId> accounts(int count) {
  std::vector<SyncAccountId> out;
  for (int i = 1; i <= count; ++i) out.push_back(SyncAccountId{i});
  return out;
}
CurrentSubscription sub(std::string id, int account, std::vector<std::string> users,
                        Millis expires_in = minutes{40},
                        SubscriptionHealth health = SubscriptionHealth::ok) {
  return {std::move(id), SyncAccountId{account}, std::move(users), kNow + expires_in, health};
}

std::string describe(const SubscriptionStep& step) {
  struct V {
    std::string operator()(const CreateSubscription& c) const {
      std::string s =
          "create a" + std::to_string(c.account.value) + " n=" + std::to_string(c.user_ids.size());
      if (c.replaces) s += " replaces " + *c.replaces;
      if (c.gap) s += " gap";
      if (c.expiration != kNow + minutes{55}) s += " bad-expiration";
      return s;
    }
    std::string operator()(const DeleteSubscription& d) const {
      return "delete " + d.subscription_id + " " + std::string(delete_reason_name(d.reason));
    }
    std::string operator()(const RenewSubscription& r) const {
      return "renew " + r.subscription_id +
             (r.expiration == kNow + minutes{55} ? "" : " bad-expiration");
    }
    std::string operator()(const ForgetSubscription& f) const {
      return "forget " + f.subscription_id + " " + std::string(forget_reason_name(f.reason));
    }
  };
  return std::visit(V{}, step);
}

struct PlanCase {
  std::string name;
  std::vector<std::string> users;
  std::vector<SyncAccountId> healthy;
  std::vector<CurrentSubscription> current;
  std::vector<std::string> steps;
  std::size_t uncovered = 0;
  std::size_t spare = 0;
  std::string message;  // expected prefix; empty: no message
  std::size_t max_departed = 64;
};
void PrintTo(const PlanCase& c, std::ostream* os) { *os << c.name; }

class SubscriptionPlanTable : public ::testing::TestWithParam<PlanCase> {};

TEST_P(SubscriptionPlanTable, PlansTheExpectedSteps) {
  const PlanCase& c = GetParam();
  SubscriptionPlanConfig config;
  config.max_departed = c.max_departed;
  const auto plan = plan_subscriptions(c.users, c.healthy, c.current, kNow, config);
  std::vector<std::string> got;
  for (const auto& s : plan.steps) got.push_back(describe(s));
  EXPECT_EQ(got, c.steps);
  EXPECT_EQ(plan.uncovered.size(), c.uncovered);
  EXPECT_EQ(plan.status.uncovered, c.uncovered);
  EXPECT_EQ(plan.status.spare_accounts, c.spare);
  if (c.message.empty()) {
    EXPECT_EQ(plan.status.message, "");
  } else {
    EXPECT_EQ(plan.status.message.substr(0, c.message.size()), c.message) << plan.status.message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SubscriptionPlanTable,
    ::testing::Values(
        PlanCase{"InitialPlanFillsWholeSubscriptions",
                 ids(0, 1400),
                 accounts(4),
                 {},
                 {"create a1 n=650", "create a2 n=650", "create a3 n=100"},
                 0,
                 1,
                 ""},
        PlanCase{"NoSpareLeftIsReported",
                 ids(0, 1400),
                 accounts(3),
                 {},
                 {"create a1 n=650", "create a2 n=650", "create a3 n=100"},
                 0,
                 0,
                 "no spare sync account: 1400 users use all 3 healthy accounts, so a change of "
                 "subscriptions leaves their users without notifications for a few seconds"},
        PlanCase{"NotEnoughAccountsLeavesUsersUncovered",
                 ids(0, 1400),
                 accounts(2),
                 {},
                 {"create a1 n=650", "create a2 n=650"},
                 100,
                 0,
                 "not enough sync accounts: 1400 users need 3 accounts, 2 are healthy; 100 "
                 "users rely on bulk reads only"},
        PlanCase{
            "NoHealthyAccount",
            ids(0, 10),
            {},
            {},
            {},
            10,
            0,
            "not enough sync accounts: 10 users need 1 account, 0 are healthy; 10 users rely on "
            "bulk reads only"},
        PlanCase{"DuplicateUsersAndAccountsCountOnce",
                 ids(0, 5) + ids(0, 5),
                 {SyncAccountId{1}, SyncAccountId{1}, SyncAccountId{2}},
                 {},
                 {"create a1 n=5"},
                 0,
                 1,
                 ""},
        PlanCase{"StableSetChangesNothing",
                 ids(0, 10),
                 accounts(2),
                 {sub("s1", 1, ids(0, 10))},
                 {},
                 0,
                 1,
                 ""},
        PlanCase{"RenewsWithinTheMargin",
                 ids(0, 10),
                 accounts(2),
                 {sub("s1", 1, ids(0, 10), minutes{15})},
                 {"renew s1"},
                 0,
                 1,
                 ""},
        PlanCase{"NoRenewOutsideTheMargin",
                 ids(0, 10),
                 accounts(2),
                 {sub("s1", 1, ids(0, 10), minutes{16})},
                 {},
                 0,
                 1,
                 ""},
        PlanCase{"JoinRotatesThroughTheSpareAccount",
                 ids(0, 11),
                 accounts(2),
                 {sub("s1", 1, ids(0, 10))},
                 {"create a2 n=11 replaces s1", "delete s1 replaced"},
                 0,
                 1,
                 ""},
        PlanCase{"JoinWithoutSpareAcceptsAGap",
                 ids(0, 11),
                 accounts(1),
                 {sub("s1", 1, ids(0, 10))},
                 {"delete s1 replaced", "create a1 n=11 replaces s1 gap"},
                 0,
                 0,
                 "no spare sync account"},
        PlanCase{"LeaveChangesNothing",
                 ids(0, 9),
                 accounts(2),
                 {sub("s1", 1, ids(0, 10))},
                 {},
                 0,
                 1,
                 ""},
        PlanCase{"ManyDeparturesRecreate",
                 ids(0, 7),
                 accounts(2),
                 {sub("s1", 1, ids(0, 10))},
                 {"create a2 n=7 replaces s1", "delete s1 replaced"},
                 0,
                 1,
                 "",
                 2},
        PlanCase{"NoUsersLeftDeletes",
                 {},
                 accounts(2),
                 {sub("s1", 1, ids(0, 10))},
                 {"delete s1 no_users"},
                 0,
                 2,
                 ""},
        PlanCase{"RemovedIsForgottenAndRecreated",
                 ids(0, 10),
                 accounts(1),
                 {sub("s1", 1, ids(0, 10), minutes{40}, SubscriptionHealth::removed)},
                 {"forget s1 removed", "create a1 n=10"},
                 0,
                 0,
                 "no spare"},
        PlanCase{"ExpiredIsForgottenAndRecreated",
                 ids(0, 10),
                 accounts(2),
                 {sub("s1", 2, ids(0, 10), minutes{0})},
                 {"forget s1 expired", "create a1 n=10"},
                 0,
                 1,
                 ""},
        PlanCase{
            "FailedReauthorizationRecreatesThroughTheSpare",
            ids(0, 10),
            accounts(2),
            {sub("s1", 1, ids(0, 10), minutes{40}, SubscriptionHealth::reauthorization_failed)},
            {"create a2 n=10 replaces s1", "delete s1 replaced"},
            0,
            1,
            ""},
        PlanCase{"UnhealthyAccountUsersMoveThenDeleteBestEffort",
                 ids(0, 10),
                 {SyncAccountId{2}},
                 {sub("s1", 1, ids(0, 10))},
                 {"create a2 n=10", "delete s1 account_unhealthy"},
                 0,
                 0,
                 "no spare"},
        PlanCase{"RemainderGoesToTheTightestFit",
                 ids(0, 600) + ids(1000, 640) + ids(5000, 20),
                 accounts(3),
                 {sub("s1", 1, ids(0, 600)), sub("s2", 2, ids(1000, 640))},
                 {"create a3 n=620 replaces s1", "delete s1 replaced"},
                 0,
                 1,
                 ""},
        PlanCase{"WholeChunkNewThenRemainderReplaces",
                 ids(0, 100) + ids(5000, 700),
                 accounts(3),
                 {sub("s1", 1, ids(0, 100))},
                 {"create a2 n=150 replaces s1", "delete s1 replaced", "create a3 n=650"},
                 0,
                 1,
                 ""},
        PlanCase{"RemainderSpreadsWhenNothingElseFits",
                 ids(0, 640) + ids(1000, 640) + ids(5000, 15),
                 accounts(2),
                 {sub("s1", 1, ids(0, 640)), sub("s2", 2, ids(1000, 640))},
                 {"delete s1 replaced", "create a1 n=650 replaces s1 gap", "delete s2 replaced",
                  "create a2 n=645 replaces s2 gap"},
                 0,
                 0,
                 "no spare"},
        PlanCase{"CoveredUsersAreNotEvictedForNewcomers",
                 ids(0, 651),
                 accounts(1),
                 {sub("s1", 1, ids(0, 650))},
                 {},
                 1,
                 0,
                 "not enough sync accounts: 651 users"},
        PlanCase{
            "SecondSubscriptionOfAnAccountIsDeletedFirst",
            ids(0, 20),
            accounts(2),
            {sub("s1", 1, ids(0, 10)), sub("s2", 1, ids(10, 10))},
            {"delete s2 duplicate_account", "create a2 n=20 replaces s1", "delete s1 replaced"},
            0,
            1,
            ""},
        PlanCase{
            "ReplacedSubscriptionTakesNewcomersFirst",
            ids(0, 10) + ids(100, 5),
            accounts(3),
            {sub("s1", 1, ids(0, 10), minutes{40}, SubscriptionHealth::reauthorization_failed)},
            {"create a2 n=15 replaces s1", "delete s1 replaced"},
            0,
            2,
            ""}),
    [](const ::testing::TestParamInfo<PlanCase>& tp) { return tp.param.name; });

TEST(SubscriptionPlanConfig, RejectsValuesGraphWouldRefuse) {
  SubscriptionPlanConfig c;
  EXPECT_TRUE(validate(c));
  c.max_ids = 651;
  EXPECT_FALSE(validate(c));
  c = {};
  c.lifetime = minutes{61};
  EXPECT_FALSE(validate(c));
  c = {};
  c.renew_margin = c.lifetime;
  EXPECT_FALSE(validate(c));
}

// A model of Graph's side: one subscription per account, at most 650 ids, and a replacement
// must not leave a watched user uncovered unless the plan says it accepts a gap.
class GraphModel {
 public:
  void run(const SubscriptionPlan& plan, Timestamp now) {
    for (const auto& step : plan.steps) {
      if (const auto* c = std::get_if<CreateSubscription>(&step)) {
        ASSERT_LE(c->user_ids.size(), 650u);
        for (const auto& [id, s] : subs_) ASSERT_NE(s.account, c->account) << "second on account";
        const std::string id = "s" + std::to_string(++next_id_);
        subs_[id] = {id, c->account, c->user_ids, c->expiration, SubscriptionHealth::ok};
        if (c->gap) ++gaps_;
      } else if (const auto* d = std::get_if<DeleteSubscription>(&step)) {
        subs_.erase(d->subscription_id);
      } else if (const auto* r = std::get_if<RenewSubscription>(&step)) {
        subs_.at(r->subscription_id).expiration = r->expiration;
      } else if (const auto* f = std::get_if<ForgetSubscription>(&step)) {
        subs_.erase(f->subscription_id);
      }
    }
    (void)now;
  }
  std::vector<CurrentSubscription> current() const {
    std::vector<CurrentSubscription> out;
    for (const auto& [id, s] : subs_) out.push_back(s);
    return out;
  }
  std::set<std::string> covered() const {
    std::set<std::string> out;
    for (const auto& [id, s] : subs_) out.insert(s.user_ids.begin(), s.user_ids.end());
    return out;
  }
  int gaps() const { return gaps_; }

 private:
  std::map<std::string, CurrentSubscription> subs_;
  int next_id_ = 0;
  int gaps_ = 0;
};

TEST(SubscriptionPlanChurn, EveryoneStaysCoveredWithoutGapsAndFewChanges) {
  std::mt19937 rng(7);
  std::vector<std::string> users = ids(0, 2000);
  int next_user = 2000;
  GraphModel graph;
  const auto healthy = accounts(5);  // 4 needed for 2,000 users: one spare
  Timestamp now = kNow;
  graph.run(plan_subscriptions(users, healthy, graph.current(), now), now);
  std::size_t changes = 0;
  for (int round = 0; round < 150; ++round) {
    now += minutes{1};
    // One agent joins or leaves per round (an admin linking or unlinking a Teams user).
    if (rng() % 2 == 0 || users.size() < 1500) {
      users.push_back("u" + std::to_string(next_user++));
    } else {
      users.erase(users.begin() + static_cast<std::ptrdiff_t>(rng() % users.size()));
    }
    const auto plan = plan_subscriptions(users, healthy, graph.current(), now);
    ASSERT_TRUE(plan.uncovered.empty()) << "round " << round;
    for (const auto& s : plan.steps) {
      if (!std::holds_alternative<RenewSubscription>(s)) ++changes;
    }
    graph.run(plan, now);
    const auto covered = graph.covered();
    for (const auto& u : users) ASSERT_TRUE(covered.contains(u)) << u << " round " << round;
    // Planning again from the result is a fixed point (no further creates or deletes).
    for (const auto& s : plan_subscriptions(users, healthy, graph.current(), now).steps) {
      ASSERT_TRUE(std::holds_alternative<RenewSubscription>(s)) << describe(s);
    }
  }
  EXPECT_EQ(graph.gaps(), 0);
  // A join replaces one subscription (create + delete); most departures change nothing.
  EXPECT_LE(changes, 150u * 2);
}

}  // namespace
}  // namespace ccteams::sync
