#include "core/routing.hpp"

#include <gtest/gtest.h>

namespace ccteams {
namespace {

const Timestamp kT0 = from_unix_millis(1'790'000'000'000);
Timestamp t(int s) { return kT0 + std::chrono::seconds{s}; }
constexpr QueueId kSales{1};
constexpr QueueId kSupport{2};
UserId agent(int id) { return UserId{id}; }
ContactId contact(int id) { return ContactId{id}; }

TEST(Routing, LongestAvailableAgentGetsTheOldestContact) {
  RoutingTable r;
  r.agent_available(agent(1), {kSales}, t(30));
  r.agent_available(agent(2), {kSales}, t(10));  // available longest
  r.agent_available(agent(3), {kSales}, t(20));
  r.enqueue(contact(100), kSales, t(50));
  r.enqueue(contact(101), kSales, t(40));  // oldest
  const auto offers = r.take_offers();
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(offers[0], (RoutingOffer{contact(101), kSales, agent(2)}));
  EXPECT_EQ(offers[1], (RoutingOffer{contact(100), kSales, agent(3)}));
  EXPECT_TRUE(r.is_available(agent(1)));
  EXPECT_FALSE(r.is_available(agent(2)));
  EXPECT_EQ(r.waiting_contact_count(), 0u);
  EXPECT_TRUE(r.take_offers().empty());
}

TEST(Routing, OldestContactFirstAcrossQueuesAndOneOfferPerAgent) {
  RoutingTable r;
  r.agent_available(agent(1), {kSales, kSupport}, t(0));  // serves both
  r.agent_available(agent(2), {kSales}, t(5));
  r.enqueue(contact(100), kSales, t(20));
  r.enqueue(contact(200), kSupport, t(10));  // oldest overall
  r.enqueue(contact(101), kSales, t(30));
  const auto offers = r.take_offers();
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(offers[0], (RoutingOffer{contact(200), kSupport, agent(1)}));
  EXPECT_EQ(offers[1], (RoutingOffer{contact(100), kSales, agent(2)}));
  EXPECT_TRUE(r.is_waiting(contact(101)));
  EXPECT_EQ(r.queue_stats(kSales, t(60)).waiting, 1u);
  EXPECT_EQ(r.queue_stats(kSales, t(60)).longest_wait, std::chrono::seconds{30});
}

TEST(Routing, RonaRequeueKeepsItsPlace) {
  RoutingTable r;
  r.agent_available(agent(1), {kSales}, t(0));
  r.enqueue(contact(100), kSales, t(10));
  auto first = r.take_offers();
  ASSERT_EQ(first.size(), 1u);
  r.enqueue(contact(101), kSales, t(12));  // arrives while 100 rings
  // Agent 1 lets it ring out (RONA: not available); 100 goes back with its original time.
  r.enqueue(contact(100), kSales, t(10));
  r.agent_available(agent(2), {kSales}, t(25));
  auto second = r.take_offers();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].contact, contact(100));
  EXPECT_EQ(second[0].agent, agent(2));
}

TEST(Routing, UpdatesReplaceAndRemovalsAreIdempotent) {
  RoutingTable r;
  r.agent_available(agent(1), {kSales}, t(0));
  r.agent_available(agent(1), {kSupport, kSupport}, t(5));  // moved queues; duplicates ignored
  r.enqueue(contact(100), kSales, t(1));
  EXPECT_TRUE(r.take_offers().empty());
  EXPECT_EQ(r.queue_stats(kSupport, t(6)).available_agents, 1u);
  r.agent_unavailable(agent(1));
  r.agent_unavailable(agent(1));
  r.agent_unavailable(agent(99));
  r.remove_contact(contact(100));
  r.remove_contact(contact(100));
  EXPECT_EQ(r.available_agent_count(), 0u);
  EXPECT_EQ(r.waiting_contact_count(), 0u);
  EXPECT_EQ(r.queue_stats(kSales, t(6)).waiting, 0u);
  EXPECT_EQ(r.queue_stats(kSales, t(6)).longest_wait, Millis{0});
}

TEST(Routing, LimitAndAgentsWithoutQueues) {
  RoutingTable r;
  r.agent_available(agent(9), {}, t(0));
  for (int i = 0; i < 3; ++i) r.agent_available(agent(i + 1), {kSales}, t(i));
  for (int i = 0; i < 3; ++i) r.enqueue(contact(100 + i), kSales, t(10 + i));
  EXPECT_EQ(r.take_offers(2).size(), 2u);
  EXPECT_EQ(r.take_offers().size(), 1u);
  EXPECT_TRUE(r.is_available(agent(9)));
}

TEST(Routing, TiesBreakByIdSoTheOrderIsStable) {
  RoutingTable r;
  r.agent_available(agent(7), {kSales}, t(0));
  r.agent_available(agent(3), {kSales}, t(0));
  r.enqueue(contact(9), kSales, t(1));
  r.enqueue(contact(4), kSales, t(1));
  const auto offers = r.take_offers();
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(offers[0], (RoutingOffer{contact(4), kSales, agent(3)}));
  EXPECT_EQ(offers[1], (RoutingOffer{contact(9), kSales, agent(7)}));
}

// Greedy matching checked against a brute-force reference on a random-looking but fixed setup.
TEST(Routing, ManyQueuesMatchReference) {
  RoutingTable r;
  struct A { int id; int since; std::vector<QueueId> queues; };
  std::vector<A> agents;
  for (int i = 0; i < 200; ++i) {
    A a{i + 1, (i * 37) % 101, {QueueId{i % 7}, QueueId{(i * 3) % 7}}};
    agents.push_back(a);
    r.agent_available(agent(a.id), a.queues, t(a.since));
  }
  struct C { int id; int at; QueueId q; };
  std::vector<C> contacts;
  for (int i = 0; i < 300; ++i) {
    contacts.push_back({1000 + i, (i * 53) % 211, QueueId{(i * 5) % 7}});
    r.enqueue(contact(contacts.back().id), contacts.back().q, t(contacts.back().at));
  }
  std::vector<RoutingOffer> want;
  std::sort(contacts.begin(), contacts.end(),
            [](const C& a, const C& b) { return std::pair(a.at, a.id) < std::pair(b.at, b.id); });
  std::vector<bool> used(agents.size() + 1, false);
  for (const C& c : contacts) {
    const A* best = nullptr;
    for (const A& a : agents) {
      if (used[a.id] || std::find(a.queues.begin(), a.queues.end(), c.q) == a.queues.end()) continue;
      if (!best || std::pair(a.since, a.id) < std::pair(best->since, best->id)) best = &a;
    }
    if (best) {
      used[best->id] = true;
      want.push_back({contact(c.id), c.q, agent(best->id)});
    }
  }
  EXPECT_EQ(r.take_offers(), want);
}

}  // namespace
}  // namespace ccteams
