#pragma once
// Issue 17's oracle, shared by the kill-chaos run and the Graph fault storms: what the rules
// (docs/presence-sync.md, "The rules") give for an agent's final Teams presence, and the time
// until every agent's state says so.
//
// An agent with no contact whose last Teams change is to a mapped presence (Do not disturb,
// Presenting, Busy / In a call) is Idle by presence_sync (rule 1, or still idled by sync from
// an earlier mapped one); to an unmapped one (Available, Away, Be right back, Busy), Available
// (rule 2, or it stayed Available). The agent's teamsPresence must read the final presence too,
// so a state that matches by chance before the change arrives does not count.

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "support/chaos_system.hpp"

namespace ccteams::testing {

inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// What one agent must come to: its final Teams presence and whether the rules idle it.
struct ExpectedState {
  std::string availability, activity;
  bool idle = false;  // Idle by presence_sync; else Available
};

// The rules' answer for an agent with no contact under the default mapping.
inline ExpectedState expected_for(const std::string& availability, const std::string& activity) {
  const bool mapped = availability == "DoNotDisturb" ||
                      (availability == "Busy" &&
                       (activity == "InACall" || activity == "InAConferenceCall"));
  return {availability, activity, mapped};
}

// Whether an agent's state (an item of GET /api/v1/agents/states) is what was expected.
inline bool state_matches(const boost::json::object& s, const ExpectedState& want) {
  const auto& tp = s.at("teamsPresence");
  const bool teams_ok = tp.is_object() && tp.at("availability") == want.availability.c_str() &&
                        tp.at("activity") == want.activity.c_str();
  const bool state_ok = want.idle
                            ? (s.at("state") == "Idle" && s.at("origin") == "presence_sync")
                            : s.at("state") == "Available";
  return teams_ok && state_ok;
}

struct Convergence {
  std::vector<double> ms;                    // one per converged agent, from t0
  std::map<std::string, int> by_channel;     // teamsPresence.channel when it converged
  std::map<std::int64_t, ExpectedState> wrong;  // not converged by the deadline
};

// Polls the agents' states (every 20 ms) until each one in `want` matches, or the deadline
// (from t0) passes; the time of each is from t0.
inline Convergence measure_convergence(ChaosSystem& sys,
                                       const std::map<std::int64_t, ExpectedState>& want,
                                       std::chrono::steady_clock::time_point t0,
                                       std::chrono::milliseconds deadline) {
  Convergence out;
  std::map<std::int64_t, bool> done;
  const auto left = deadline - std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - t0);
  ChaosSystem::poll_until(std::max(left, std::chrono::milliseconds(0)), [&] {
    const auto states = sys.agent_states();
    if (states.empty()) return false;  // no answer: not a verdict
    bool all = true;
    for (const auto& [agent, w] : want) {
      if (done[agent]) continue;
      auto it = states.find(agent);
      if (it != states.end() && state_matches(it->second, w)) {
        done[agent] = true;
        out.ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
        ++out.by_channel[std::string(it->second.at("teamsPresence").at("channel").as_string())];
      } else {
        all = false;
      }
    }
    return all;
  });
  for (const auto& [agent, w] : want) {
    if (!done[agent]) out.wrong[agent] = w;
  }
  return out;
}

}  // namespace ccteams::testing
