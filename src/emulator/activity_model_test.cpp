// The background activity simulation: off at rate 0, deterministic per seed, plausible
// episodes that end back in Available.
#include "emulator/activity_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace ccteams::emulator {
namespace {

const Timestamp kT0 = from_unix_millis(1'800'000'000'000);

std::vector<std::string> users(int n) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back("u" + std::to_string(i));
  return v;
}

// Runs the model for minutes of simulated time, one tick per 10 s.
std::vector<ActivityChange> run(ActivityModel& m, int n_users, int minutes) {
  std::vector<ActivityChange> all;
  const auto ids = users(n_users);
  for (int s = 0; s <= minutes * 60; s += 10) {
    for (auto& c : m.tick(ids, kT0 + std::chrono::seconds(s))) all.push_back(std::move(c));
  }
  return all;
}

TEST(ActivityModel, RateZeroIsOff) {
  ActivityModel m(1, 0);
  EXPECT_FALSE(m.enabled());
  EXPECT_TRUE(run(m, 20, 120).empty());
}

TEST(ActivityModel, SameSeedSameStory) {
  ActivityModel a(7, 6);
  ActivityModel b(7, 6);
  auto x = run(a, 20, 60);
  auto y = run(b, 20, 60);
  ASSERT_EQ(x.size(), y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(x[i].user_id, y[i].user_id);
    EXPECT_EQ(x[i].state, y[i].state);
  }
}

TEST(ActivityModel, EpisodesCoverTheTeamsStatesAndEndAvailable) {
  ActivityModel m(3, 4);
  auto changes = run(m, 50, 240);
  std::set<std::string> activities;
  std::map<std::string, std::string> last;
  for (const auto& c : changes) {
    activities.insert(c.state.activity);
    // Every episode returns to Available before the user's next episode starts.
    auto it = last.find(c.user_id);
    if (it != last.end() && it->second != "Available") {
      EXPECT_EQ(c.state.activity, "Available") << c.user_id;
    }
    last[c.user_id] = c.state.activity;
  }
  for (const char* a : {"InAMeeting", "InACall", "Presenting", "DoNotDisturb", "Away",
                        "Available"}) {
    EXPECT_TRUE(activities.contains(a)) << a;
  }
  // About 4 episodes per user-hour: 50 users × 4 h × 4 ≈ 800 starts, fewer because busy
  // users do not start new ones; the bounds only catch an order-of-magnitude error.
  const auto starts = std::count_if(changes.begin(), changes.end(), [](const auto& c) {
    return c.state.activity != "Available";
  });
  EXPECT_GT(starts, 150);
  EXPECT_LT(starts, 900);
}

TEST(ActivityModel, LongGapDoesNotBurst) {
  ActivityModel m(11, 2);
  const auto ids = users(100);
  m.tick(ids, kT0);
  // Ten hours without a tick count as one minute: ~2/60 per user -> a few starts, not 100.
  auto changes = m.tick(ids, kT0 + std::chrono::hours(10));
  EXPECT_LT(changes.size(), 15u);
}

}  // namespace
}  // namespace ccteams::emulator
