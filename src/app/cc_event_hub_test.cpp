#include "app/cc_event_hub.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace ccteams {
namespace {

using namespace std::chrono_literals;

CcEventRecord event_of(OrgId org, std::int64_t seq, std::optional<UserId> agent = {}) {
  return CcEventRecord{seq, org, agent, "agent.state", Timestamp{}, "{}"};
}

TEST(CcEventHub, PublishingVisitsOnlyTheEventsOrganisation) {
  CcEventHub hub;
  std::atomic<int> a_calls{0};
  std::atomic<int> b_calls{0};
  hub.subscribe({OrgId{1}, std::nullopt, [&](const CcEventRecord&) { ++a_calls; }});
  // Org B's subscriber counts visits, whatever the visibility rule would say.
  hub.subscribe({OrgId{2}, std::nullopt, [&](const CcEventRecord&) { ++b_calls; }});
  hub.publish(event_of(OrgId{1}, 1));
  EXPECT_EQ(a_calls, 1);
  EXPECT_EQ(b_calls, 0);
  EXPECT_EQ(hub.subscriber_count(OrgId{1}), 1u);
  EXPECT_EQ(hub.subscriber_count(OrgId{2}), 1u);
  EXPECT_EQ(hub.subscriber_count(), 2u);
}

TEST(CcEventHub, AnOrganisationStuckInDeliveryDoesNotHoldUpAnother) {
  CcEventHub hub;
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  hub.subscribe({OrgId{2}, std::nullopt, [&, released](const CcEventRecord&) {
                   entered.set_value();
                   released.wait();
                 }});
  std::promise<void> a_got;
  hub.subscribe({OrgId{1}, std::nullopt, [&](const CcEventRecord&) { a_got.set_value(); }});

  std::thread slow([&] { hub.publish(event_of(OrgId{2}, 1)); });
  entered.get_future().wait();  // org B's delivery is now blocked, holding whatever it holds
  auto a_publish = std::async(std::launch::async, [&] { hub.publish(event_of(OrgId{1}, 2)); });
  // With one lock for every organisation this would wait for org B and time out.
  const bool a_done = a_publish.wait_for(30s) == std::future_status::ready;
  release.set_value();
  slow.join();
  a_publish.wait();
  EXPECT_TRUE(a_done);
  EXPECT_EQ(a_got.get_future().wait_for(0s), std::future_status::ready);
}

TEST(CcEventHub, AgentsSeeOnlyTheirOwnEventsAndUnsubscribeIsFinal) {
  CcEventHub hub;
  std::vector<std::int64_t> seen;
  auto t = hub.subscribe({OrgId{1}, UserId{7}, [&](const CcEventRecord& e) {
                            seen.push_back(e.seq);
                          }});
  hub.publish(event_of(OrgId{1}, 1, UserId{7}));
  hub.publish(event_of(OrgId{1}, 2, UserId{8}));
  hub.publish(event_of(OrgId{1}, 3));
  hub.unsubscribe(t);
  hub.publish(event_of(OrgId{1}, 4, UserId{7}));
  EXPECT_EQ(seen, std::vector<std::int64_t>{1});
  EXPECT_EQ(hub.subscriber_count(), 0u);
  EXPECT_EQ(hub.subscriber_count(OrgId{1}), 0u);
}

}  // namespace
}  // namespace ccteams
