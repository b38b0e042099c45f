#pragma once
// The watch set (presence_sync.hpp, "watch set"): which agents are linked (a Teams user and a
// desktop profile enabling Microsoft Teams), which of them hold SyncEnabled in the contact
// center, and which Teams users are watched (read) because a linked agent is logged in.
// Recomputed when due(): every `refresh`, soon after a log-in or log-out (debounced), at once
// when the connector's settings change. Each recomputation says which users need a first read
// (newly watched, or gaining an agent) and whether the set of watched users changed (the
// cadence and the subscriptions follow it).
//
// Thread-safety: none; the organisation's strand drives it.

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "app/ports/contact_center_store.hpp"
#include "core/agent_state.hpp"
#include "core/desktop_profile.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams::presence {

// What a recomputation reads: the org's agents, desktop profiles and agent states.
struct WatchInputs {
  std::vector<AgentConfig> agents;
  std::vector<DesktopProfile> profiles;
  std::unordered_map<UserId, AgentStatus> status;  // agents without one count as logged out
};

struct WatchSetDeps {
  OrgId org;
  Millis refresh{5'000};  // presence_sync.watch_refresh
  // SyncEnabled (true) or SyncDisabled (false) for these agents in the contact center.
  std::function<boost::asio::awaitable<Result<void>>(std::vector<UserId>, bool)> set_sync_enabled;
};

class WatchSet {
 public:
  explicit WatchSet(WatchSetDeps deps) : deps_(std::move(deps)) {}

  // ---- when to recompute
  Timestamp due() const { return due_; }
  // A recomputation at `at` at the latest; true when that moved it earlier (wake the loop).
  bool due_by(Timestamp at);
  // An agent logged in or out at `now`: a recomputation soon, not at once (a shift starting,
  // many log-ins a second, makes a few recomputations, not one per agent). true: wake the loop.
  bool agent_logged_in_or_out(Timestamp now);

  struct Change {
    std::vector<std::string> first_reads;  // users newly watched or gaining an agent
    bool users_changed = false;            // the watched users are not the same set as before
  };
  // From the org's agents, profiles and states now (read by the caller: the store's part is a
  // Store::run job), gives SyncEnabled/SyncDisabled to agents whose link changed, and updates
  // the watched users; the next one is due `refresh` after t. nullopt: the inputs could not be
  // read (logged); nothing changed until the next try.
  boost::asio::awaitable<std::optional<Change>> recompute(Timestamp t, Result<WatchInputs> inputs);
  // Switching off: SyncDisabled for every agent that holds SyncEnabled (logged when refused).
  boost::asio::awaitable<void> disable_all();

  // ---- what is watched
  bool watched(const std::string& teams_user) const { return by_user_.contains(teams_user); }
  // The logged-in agents linked to teams_user (null when not watched).
  const std::vector<UserId>* agents_of(const std::string& teams_user) const;
  // The agent's Teams user while the agent is linked.
  std::optional<std::string> teams_user(UserId agent) const;
  // The watched Teams users, sorted.
  std::vector<std::string> watched_ids() const;
  std::size_t linked() const { return teams_of_.size(); }
  std::size_t watched_count() const { return by_user_.size(); }
  bool sync_enabled(UserId agent) const { return enabled_.contains(agent); }

 private:
  boost::asio::awaitable<void> give(std::vector<UserId> agents, bool enabled);

  WatchSetDeps deps_;
  Timestamp due_{};                                               // the first recomputation at once
  std::unordered_map<UserId, std::string> teams_of_;              // linked agents -> Teams user
  std::unordered_set<UserId> enabled_;                            // agents we gave SyncEnabled
  std::unordered_map<std::string, std::vector<UserId>> by_user_;  // watched Teams users
};

}  // namespace ccteams::presence
