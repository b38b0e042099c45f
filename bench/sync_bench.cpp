// sync_bench: what the pure presence-sync core costs per decision (issue 6: "milliseconds of our
// own processing" starts here). No I/O: every figure is CPU time of core code on this machine.
//
// Prints plain figures:
//   * subscription planning: 10,000 agents into 650-id subscriptions over 20 sync accounts,
//     first plan and a re-plan after one agent joins (the steady-state case);
//   * bulk-read cadence: the schedule for 10,000 users at 50 % of 1,500 requests / 30 s, and
//     the cost of one PollScheduler::next() decision;
//   * notification coalescing: ids/s through NotificationCoalescer (25 % duplicates);
//   * outbound intents: busy/clear intents/s through OutboundQueue, answers included;
//   * presence updates through the agent state machine (core/agent_state.hpp): updates/s and
//     ns/update, for Graph's strings -> Presence -> mapping -> apply(), with the new state kept.
// Usage: sync_bench [rounds]   (default 5: each figure is the best of `rounds` runs)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/agent_state.hpp"
#include "core/sync_budget.hpp"
#include "core/sync_coalescer.hpp"
#include "core/sync_outbound.hpp"
#include "core/sync_polling.hpp"
#include "core/sync_subscriptions.hpp"

namespace {

using namespace ccteams;        // NOLINT: bench brevity
using namespace ccteams::sync;  // NOLINT
using Clock = std::chrono::steady_clock;

constexpr int kAgents = 10'000;
const Timestamp kT0 = from_unix_millis(1'790'000'000'000);

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A Graph-like object id (36 chars), so that hashing and copying cost what they will in production.
std::string teams_id(int i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-1d2c-4b7a-9e3f-%012d", 0x5a000000 + i, i);
  return buf;
}

std::vector<std::string> teams_ids(int n) {
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out.push_back(teams_id(i));
  return out;
}

// Keeps the optimiser from dropping work whose result is otherwise unused.
volatile std::size_t g_sink = 0;

void planning_figures(int rounds) {
  const auto users = teams_ids(kAgents);
  std::vector<SyncAccountId> accounts;
  for (int a = 1; a <= 20; ++a) accounts.push_back(SyncAccountId{a});
  double first_best = 1e9;
  SubscriptionPlan first;
  for (int r = 0; r < rounds; ++r) {
    const auto start = Clock::now();
    first = plan_subscriptions(users, accounts, {}, kT0);
    first_best = std::min(first_best, seconds_since(start));
  }
  // What we hold after carrying out the first plan.
  std::vector<CurrentSubscription> held;
  int n = 0;
  for (const auto& step : first.steps) {
    const auto& c = std::get<CreateSubscription>(step);
    held.push_back({"sub" + std::to_string(n++), c.account, c.user_ids, c.expiration, {}});
  }
  auto joined = users;
  joined.push_back(teams_id(kAgents));
  double join_best = 1e9;
  std::size_t join_steps = 0;
  for (int r = 0; r < rounds; ++r) {
    const auto start = Clock::now();
    const auto plan = plan_subscriptions(joined, accounts, held, kT0 + Millis{60'000});
    join_best = std::min(join_best, seconds_since(start));
    join_steps = plan.steps.size();
  }
  std::printf(
      "subscription planning: %d agents, 20 sync accounts: first plan %.2f ms "
      "(%zu subscriptions, %zu spare accounts); re-plan after one join %.2f ms "
      "(%zu steps)\n",
      kAgents, 1e3 * first_best, first.status.subscriptions, first.status.spare_accounts,
      1e3 * join_best, join_steps);
}

void polling_figures(int rounds) {
  const auto users = teams_ids(kAgents);
  double set_best = 1e9;
  double run_best = 1e9;
  std::size_t calls = 0;
  std::size_t decisions = 0;
  std::size_t batches = 0;
  Millis spacing{};
  Millis round{};
  int share = 0;
  for (int r = 0; r < rounds; ++r) {
    PresenceBudget budget({});
    PollScheduler poll({}, budget);
    const auto start = Clock::now();
    poll.set_users(users);
    set_best = std::min(set_best, seconds_since(start));
    // Ten simulated minutes of decisions, asking at every time the scheduler names.
    Timestamp now = kT0;
    calls = 0;
    decisions = 0;
    const auto run_start = Clock::now();
    while (now < kT0 + Millis{600'000}) {
      const auto step = poll.next(now);
      ++decisions;
      if (step.batch) {
        ++calls;
        poll.on_result(now, *step.batch, ReadOutcome::ok);
      }
      now = std::max(step.next_at, now + Millis{1});
    }
    run_best = std::min(run_best, seconds_since(run_start));
    batches = poll.batches();
    spacing = poll.spacing(kT0);
    round = poll.round_interval(kT0);
    share = budget.share();
  }
  std::printf(
      "bulk-read cadence: %d users -> %zu calls per round, a call every %lld ms, a round "
      "every %lld ms; %zu calls in 10 simulated minutes (%.0f per 30 s, budget share %d "
      "/ 30 s); set_users %.2f ms, %.0f ns per next() decision\n",
      kAgents, batches, static_cast<long long>(spacing.count()),
      static_cast<long long>(round.count()), calls, static_cast<double>(calls) / 20, share,
      1e3 * set_best, 1e9 * run_best / static_cast<double>(decisions));
}

void coalescer_figures(int rounds) {
  const auto users = teams_ids(kAgents);
  constexpr int kIds = 1'000'000;
  double best = 1e9;
  std::size_t read_ids = 0;
  std::size_t reads = 0;
  for (int r = 0; r < rounds; ++r) {
    NotificationCoalescer q;
    read_ids = 0;
    reads = 0;
    const auto start = Clock::now();
    for (int i = 0; i < kIds; ++i) {
      // Every fourth notification repeats a user seen just before (Teams flapping).
      const int user = (i % 4 == 3) ? (i * 7 - 7) % kAgents : (i * 7) % kAgents;
      const Timestamp now = kT0 + Millis{i / 100};  // 100,000 notifications/s
      q.add(users[static_cast<std::size_t>(user)], now);
      while (auto batch = q.take(now)) {
        read_ids += batch->size();
        ++reads;
      }
    }
    while (auto batch = q.take_now()) read_ids += batch->size();
    best = std::min(best, seconds_since(start));
  }
  std::printf(
      "notification coalescing: %d notifications -> %zu bulk reads of %zu ids in all: "
      "%.1f M ids/s (%.0f ns per notification)\n",
      kIds, reads, read_ids, kIds / best / 1e6, 1e9 * best / kIds);
}

void outbound_figures(int rounds) {
  double best = 1e9;
  std::size_t writes = 0;
  constexpr int kCycles = 5;  // each agent: busy, set answered, clear, clear answered
  for (int r = 0; r < rounds; ++r) {
    PresenceBudgetConfig bc;
    bc.graph_limit = 100'000'000;  // the budget is not what is measured here
    bc.share_percent = 100;
    PresenceBudget budget(bc);
    OutboundQueue q({}, budget);
    writes = 0;
    Timestamp now = kT0;
    const auto start = Clock::now();
    for (int cycle = 0; cycle < kCycles; ++cycle) {
      for (int a = 0; a < kAgents; ++a) q.want_busy(UserId{a}, now);
      while (auto w = q.next(now).write) {
        ++writes;
        q.on_result(now, *w, WriteOutcome::ok);
      }
      now += Millis{1'000};
      for (int a = 0; a < kAgents; ++a) q.want_clear(UserId{a}, now);
      while (auto w = q.next(now).write) {
        ++writes;
        q.on_result(now, *w, WriteOutcome::ok);
      }
      now += Millis{1'000};
    }
    best = std::min(best, seconds_since(start));
  }
  const double intents = 2.0 * kCycles * kAgents;
  std::printf(
      "outbound intents: %.0f intents (%d agents busy then clear, %d times), %zu writes "
      "sent and answered: %.2f M intents/s (%.0f ns per intent incl. its write)\n",
      intents, kAgents, kCycles, writes, intents / best / 1e6, 1e9 * best / intents);
}

void agent_state_figures(int rounds) {
  const IdleCodeId dnd{11};
  const auto mapping =
      default_presence_mapping({dnd, IdleCodeId{12}, IdleCodeId{13}, IdleCodeId{14}});
  std::vector<AgentState> agents;
  agents.reserve(kAgents);
  for (int a = 0; a < kAgents; ++a) {
    AgentState s = logged_out_agent(UserId{a}, kT0);
    s = apply(s, Login{}, kT0).value().state;
    s = apply(s, SyncEnabled{}, kT0).value().state;
    agents.push_back(std::move(s));
  }
  // Graph's strings as a bulk read or a decrypted notification gives them.
  struct Wire {
    const char* availability;
    const char* activity;
  };
  const Wire wire[] = {{"DoNotDisturb", "Presenting"},
                       {"Available", "Available"},
                       {"Busy", "InACall"},
                       {"Available", "Available"}};
  constexpr int kUpdatesPerAgent = 20;
  double best = 1e9;
  std::size_t applied = 0;
  std::uint64_t seq = 0;
  for (int r = 0; r < rounds; ++r) {
    applied = 0;
    const auto start = Clock::now();
    for (int u = 0; u < kUpdatesPerAgent; ++u) {
      const Wire& w = wire[u % 4];
      const Timestamp now = kT0 + Millis{1'000 * (r * kUpdatesPerAgent + u + 1)};
      ++seq;
      char stamp[24];
      std::snprintf(stamp, sizeof stamp, "A%015llu", static_cast<unsigned long long>(seq));
      for (auto& s : agents) {
        ObservedPresence seen{parse_presence(w.availability, w.activity), now,
                              PresenceChannel::notification, stamp};
        auto t = apply(s, presence_changed(std::move(seen), mapping), now);
        if (!t) std::abort();
        for (const auto& e : t->effects) applied += std::holds_alternative<StateChanged>(e);
        s = std::move(t->state);
      }
    }
    best = std::min(best, seconds_since(start));
  }
  const double updates = static_cast<double>(kUpdatesPerAgent) * kAgents;
  g_sink = applied;
  std::printf(
      "presence updates through the agent state machine: %d agents x %d updates "
      "(DND/Presenting, Available, Busy/InACall, Available; sequence-ordered), %zu state "
      "changes: %.2f M updates/s, %.0f ns per update (parse + mapping + apply + store)\n",
      kAgents, kUpdatesPerAgent, applied, updates / best / 1e6, 1e9 * best / updates);

  // The common case of the bulk-read channel: a round where nobody's presence changed, once
  // with Graph's stamp repeated (dropped as a duplicate) and once without a stamp (compared with
  // the baseline). Every agent is Available/Available with the last stamp from above.
  char last_stamp[24];
  std::snprintf(last_stamp, sizeof last_stamp, "A%015llu", static_cast<unsigned long long>(seq));
  for (const bool with_stamp : {true, false}) {
    double round_best = 1e9;
    std::size_t changes = 0;
    for (int r = 0; r < rounds; ++r) {
      const Timestamp now = kT0 + Millis{10'000'000 + r};
      const auto start = Clock::now();
      for (auto& s : agents) {
        ObservedPresence seen{parse_presence("Available", "Available"), now, PresenceChannel::poll,
                              with_stamp ? last_stamp : ""};
        auto t = apply(s, presence_changed(std::move(seen), mapping), now);
        if (!t) std::abort();
        changes += t->effects.size();
        s = std::move(t->state);
      }
      round_best = std::min(round_best, seconds_since(start));
    }
    g_sink = changes;
    std::printf(
        "unchanged bulk-read round (%s): %d agents in %.2f ms, %.0f ns per agent, %zu "
        "effects\n",
        with_stamp ? "same sequenceNumber" : "no sequenceNumber", kAgents, 1e3 * round_best,
        1e9 * round_best / kAgents, changes);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  planning_figures(rounds);
  polling_figures(rounds);
  coalescer_figures(rounds);
  outbound_figures(rounds);
  agent_state_figures(rounds);
  return 0;
}
