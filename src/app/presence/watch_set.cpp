#include "app/presence/watch_set.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ccteams::presence {

namespace {

// A log-in or log-out is taken into the watch set this long after it (agent_logged_in_or_out).
constexpr Millis kLoginRefreshDelay{250};

}  // namespace

bool WatchSet::due_by(Timestamp at) {
  if (due_ <= at) return false;
  due_ = at;
  return true;
}

bool WatchSet::agent_logged_in_or_out(Timestamp now) { return due_by(now + kLoginRefreshDelay); }

boost::asio::awaitable<std::optional<WatchSet::Change>> WatchSet::recompute(
    Timestamp t, Result<WatchInputs> inputs) {
  due_ = t + deps_.refresh;
  if (!inputs) {
    spdlog::warn("presence sync: org {}: cannot read agents: {}", deps_.org.value,
                 inputs.error().message);
    co_return std::nullopt;
  }
  Change change;
  std::unordered_set<DesktopProfileId> teams_profiles;
  for (const auto& p : inputs->profiles) {
    if (p.microsoft_teams) teams_profiles.insert(p.id);
  }
  std::unordered_map<UserId, std::string> next_teams;
  std::unordered_map<std::string, std::vector<UserId>> next_watch;
  for (const auto& a : inputs->agents) {
    if (!a.teams_user_id || a.teams_user_id->empty()) continue;
    if (!a.desktop_profile || !teams_profiles.contains(*a.desktop_profile)) continue;
    next_teams.emplace(a.user, *a.teams_user_id);
    auto s = inputs->status.find(a.user);
    if (s != inputs->status.end() && s->second != AgentStatus::logged_out) {
      next_watch[*a.teams_user_id].push_back(a.user);
    }
  }
  std::vector<UserId> enable, disable;
  for (const auto& [agent, user] : next_teams) {
    if (!enabled_.contains(agent)) enable.push_back(agent);
  }
  for (UserId agent : enabled_) {
    if (!next_teams.contains(agent)) disable.push_back(agent);
  }
  co_await give(std::move(disable), false);
  co_await give(std::move(enable), true);
  // Newly watched Teams users, and users gaining an agent, get a first read.
  change.users_changed = next_watch.size() != by_user_.size();
  for (const auto& [user, list] : next_watch) {
    auto old = by_user_.find(user);
    if (old == by_user_.end() || old->second.size() < list.size()) {
      change.users_changed = change.users_changed || old == by_user_.end();
      change.first_reads.push_back(user);
    }
  }
  std::sort(change.first_reads.begin(), change.first_reads.end());
  teams_of_ = std::move(next_teams);
  by_user_ = std::move(next_watch);
  co_return change;
}

// Agents whose call was refused keep their old standing: the next recomputation tries again.
boost::asio::awaitable<void> WatchSet::give(std::vector<UserId> agents, bool enabled) {
  if (agents.empty()) co_return;
  if (auto r = co_await deps_.set_sync_enabled(agents, enabled); !r) {
    spdlog::warn("presence sync: org {}: {} failed: {}", deps_.org.value,
                 enabled ? "SyncEnabled" : "SyncDisabled", r.error().message);
    co_return;
  }
  for (UserId a : agents) {
    if (enabled) {
      enabled_.insert(a);
    } else {
      enabled_.erase(a);
    }
  }
}

boost::asio::awaitable<void> WatchSet::disable_all() {
  std::vector<UserId> all(enabled_.begin(), enabled_.end());
  if (!all.empty()) {
    if (auto r = co_await deps_.set_sync_enabled(all, false); !r) {
      spdlog::warn("presence sync: org {}: SyncDisabled failed: {}", deps_.org.value,
                   r.error().message);
    }
  }
  enabled_.clear();
}

const std::vector<UserId>* WatchSet::agents_of(const std::string& teams_user) const {
  auto it = by_user_.find(teams_user);
  return it == by_user_.end() ? nullptr : &it->second;
}

std::optional<std::string> WatchSet::teams_user(UserId agent) const {
  auto it = teams_of_.find(agent);
  if (it == teams_of_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> WatchSet::watched_ids() const {
  std::vector<std::string> ids;
  ids.reserve(by_user_.size());
  for (const auto& kv : by_user_) ids.push_back(kv.first);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace ccteams::presence
