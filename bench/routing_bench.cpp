// routing_bench: how fast the core router decides offers, and what it costs in memory.
//
// Setup (issue 5): 10,000 agents spread over 50 queues (each agent serves 3 queues) and 1,000
// queued contacts. Prints plain figures:
//   * batch: 1,000 waiting contacts, 10,000 available agents, one take_offers() call;
//   * agent trickle: every agent busy, 1,000 contacts waiting; one agent at a time becomes
//     Available and take_offers() gives it the oldest contact of its queues;
//   * contact trickle: 10,000 agents available, one contact at a time arrives;
//   * bytes per agent and per contact of the routing structures (glibc mallinfo2 delta).
// Usage: routing_bench [rounds]   (default 20 batch rounds)

#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/routing.hpp"

namespace {

using ccteams::ContactId;
using ccteams::QueueId;
using ccteams::RoutingTable;
using ccteams::Timestamp;
using ccteams::UserId;
using Clock = std::chrono::steady_clock;

constexpr int kAgents = 10'000;
constexpr int kQueues = 50;
constexpr int kQueuesPerAgent = 3;
constexpr int kContacts = 1'000;

const Timestamp kT0 = ccteams::from_unix_millis(1'790'000'000'000);

std::vector<QueueId> queues_of(int agent) {
  std::vector<QueueId> q;
  for (int i = 0; i < kQueuesPerAgent; ++i) q.push_back(QueueId{(agent * 7 + i * 17) % kQueues});
  return q;
}

Timestamp at_ms(std::int64_t ms) { return kT0 + ccteams::Millis{ms}; }

std::size_t heap_in_use() { return mallinfo2().uordblks; }

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void add_all_agents(RoutingTable& table, std::int64_t base_ms) {
  for (int a = 0; a < kAgents; ++a) table.agent_available(UserId{a}, queues_of(a), at_ms(base_ms + a));
}

void memory_figures() {
  const std::size_t before = heap_in_use();
  auto* table = new RoutingTable();
  const std::size_t empty = heap_in_use();
  add_all_agents(*table, 0);
  const std::size_t with_agents = heap_in_use();
  for (int c = 0; c < kContacts; ++c) table->enqueue(ContactId{c}, QueueId{c % kQueues}, at_ms(c));
  const std::size_t with_contacts = heap_in_use();
  std::printf("memory: %.1f bytes per available agent (%d queues each), %.1f bytes per waiting "
              "contact, table overhead %zu bytes\n",
              static_cast<double>(with_agents - empty) / kAgents, kQueuesPerAgent,
              static_cast<double>(with_contacts - with_agents) / kContacts, empty - before);
  delete table;
}

void batch_figures(int rounds) {
  RoutingTable table;
  add_all_agents(table, 0);
  std::int64_t clock_ms = kAgents;
  int next_contact = 0;
  double take_seconds = 0;
  double cycle_seconds = 0;
  std::size_t offers_total = 0;
  for (int round = 0; round < rounds; ++round) {
    for (int c = 0; c < kContacts; ++c, ++next_contact) {
      table.enqueue(ContactId{next_contact}, QueueId{next_contact % kQueues}, at_ms(clock_ms++));
    }
    const auto cycle_start = Clock::now();
    const auto start = Clock::now();
    const auto offers = table.take_offers();
    take_seconds += seconds_since(start);
    offers_total += offers.size();
    // The offered agents come back Available (contact handled), longest-available order moves.
    for (const auto& o : offers) {
      table.agent_available(o.agent, queues_of(static_cast<int>(o.agent.value)), at_ms(clock_ms++));
    }
    cycle_seconds += seconds_since(cycle_start);
    if (offers.size() != kContacts) {
      std::fprintf(stderr, "unexpected: %zu offers in round %d\n", offers.size(), round);
      std::exit(1);
    }
  }
  std::printf("batch: %d agents, %d queues, %d waiting contacts per round, %d rounds: "
              "%.0f offers/s (take_offers alone), %.0f offers/s including the agents' return "
              "(%.2f ms per 1,000-offer round)\n",
              kAgents, kQueues, kContacts, rounds, offers_total / take_seconds,
              offers_total / cycle_seconds, 1e3 * cycle_seconds / rounds);
}

void agent_trickle_figures() {
  RoutingTable table;
  std::int64_t clock_ms = 0;
  int next_contact = 0;
  for (; next_contact < kContacts; ++next_contact) {
    table.enqueue(ContactId{next_contact}, QueueId{next_contact % kQueues}, at_ms(clock_ms++));
  }
  std::size_t offers = 0;
  const auto start = Clock::now();
  for (int a = 0; a < kAgents; ++a) {
    table.agent_available(UserId{a}, queues_of(a), at_ms(clock_ms++));
    for (const auto& o : table.take_offers()) {
      ++offers;
      // Keep 1,000 waiting: a new caller replaces the one just offered.
      table.enqueue(ContactId{next_contact}, o.queue, at_ms(clock_ms++));
      ++next_contact;
    }
  }
  const double s = seconds_since(start);
  std::printf("agent trickle: %d agents becoming Available one by one against %d waiting "
              "contacts: %zu offers, %.0f decisions/s (%.2f us each)\n",
              kAgents, kContacts, offers, kAgents / s, 1e6 * s / kAgents);
}

void contact_trickle_figures() {
  RoutingTable table;
  add_all_agents(table, 0);
  std::int64_t clock_ms = kAgents;
  constexpr int kArrivals = 100'000;
  std::size_t offers = 0;
  const auto start = Clock::now();
  for (int c = 0; c < kArrivals; ++c) {
    table.enqueue(ContactId{c}, QueueId{c % kQueues}, at_ms(clock_ms++));
    for (const auto& o : table.take_offers()) {
      ++offers;
      table.agent_available(o.agent, queues_of(static_cast<int>(o.agent.value)), at_ms(clock_ms++));
    }
  }
  const double s = seconds_since(start);
  std::printf("contact trickle: %d arrivals with %d agents available: %zu offers, %.0f offers/s "
              "(%.2f us each, agent return included)\n",
              kArrivals, kAgents, offers, offers / s, 1e6 * s / kArrivals);
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  memory_figures();
  batch_figures(rounds);
  agent_trickle_figures();
  contact_trickle_figures();
  return 0;
}
