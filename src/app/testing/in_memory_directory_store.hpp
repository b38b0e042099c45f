#pragma once
// DirectoryStore in memory, for app-layer tests. Thread-safe (one mutex).

#include <map>
#include <mutex>

#include "app/ports/directory_store.hpp"

namespace ccteams::testing {

class InMemoryDirectoryStore final : public DirectoryStore {
 public:
  Result<void> replace_all(OrgId org, const std::vector<DirectoryUser>& users,
                           const DirectorySyncState& state) override {
    std::lock_guard lock(mu_);
    ++writes;
    auto& rows = users_[org];
    rows.clear();
    for (const auto& u : users) rows[u.user.id] = u;
    states_[org] = state;
    states_[org].user_count = rows.size();
    return ok();
  }
  Result<void> apply_delta(OrgId org, const std::vector<DirectoryUser>& upserts,
                           const std::vector<std::string>& removed_ids,
                           const DirectorySyncState& state) override {
    std::lock_guard lock(mu_);
    ++writes;
    auto& rows = users_[org];
    for (const auto& u : upserts) rows[u.user.id] = u;
    for (const auto& id : removed_ids) rows.erase(id);
    states_[org] = state;
    states_[org].user_count = rows.size();
    return ok();
  }
  Result<std::vector<DirectoryUser>> load_users(OrgId org) override {
    std::lock_guard lock(mu_);
    std::vector<DirectoryUser> out;
    for (const auto& [id, u] : users_[org]) out.push_back(u);
    return out;
  }
  Result<std::optional<DirectorySyncState>> sync_state(OrgId org) override {
    std::lock_guard lock(mu_);
    auto it = states_.find(org);
    if (it == states_.end()) return std::optional<DirectorySyncState>{};
    return std::optional<DirectorySyncState>{it->second};
  }
  Result<int> delete_org(OrgId org) override {
    std::lock_guard lock(mu_);
    const int n = static_cast<int>(users_[org].size());
    users_.erase(org);
    states_.erase(org);
    return n;
  }

  int writes = 0;

 private:
  std::mutex mu_;
  std::map<OrgId, std::map<std::string, DirectoryUser>> users_;
  std::map<OrgId, DirectorySyncState> states_;
};

}  // namespace ccteams::testing
