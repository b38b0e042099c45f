#pragma once
// An AccountStore in memory, for app-layer tests (STYLE §3: tests use in-memory ports).

#include <algorithm>
#include <map>
#include <mutex>

#include "app/ports/account_store.hpp"

namespace ccteams::testing {

class InMemoryAccountStore final : public AccountStore {
 public:
  Result<Organisation> create_org(const std::string& name, Timestamp now) override {
    std::lock_guard l(mu_);
    for (auto& [_, o] : orgs_) {
      if (o.name == name) return make_error(Errc::conflict, "organisation exists");
    }
    Organisation o{OrgId{next_++}, name, now};
    orgs_[o.id.value] = o;
    return o;
  }
  Result<Organisation> get_org(OrgId id) override {
    std::lock_guard l(mu_);
    auto it = orgs_.find(id.value);
    if (it == orgs_.end()) return make_error(Errc::not_found, "no such organisation");
    return it->second;
  }
  Result<Organisation> find_org_by_name(const std::string& name) override {
    std::lock_guard l(mu_);
    for (auto& [_, o] : orgs_) {
      if (o.name == name) return o;
    }
    return make_error(Errc::not_found, "no such organisation");
  }
  Result<std::vector<Organisation>> list_orgs() override {
    std::lock_guard l(mu_);
    std::vector<Organisation> out;
    for (auto& [_, o] : orgs_) out.push_back(o);
    return out;
  }
  Result<UserAccount> create_user(const UserAccount& account) override {
    std::lock_guard l(mu_);
    if (!orgs_.contains(account.org_id.value)) return make_error(Errc::not_found, "no such organisation");
    for (auto& [_, u] : users_) {
      if (u.username == account.username) return make_error(Errc::conflict, "username taken");
    }
    UserAccount u = account;
    u.id = UserId{next_++};
    users_[u.id.value] = u;
    return u;
  }
  Result<UserAccount> get_user(OrgId org, UserId id) override {
    std::lock_guard l(mu_);
    auto it = users_.find(id.value);
    if (it == users_.end() || it->second.org_id != org) return make_error(Errc::not_found, "no such user");
    return it->second;
  }
  Result<UserAccount> find_user_by_username(const std::string& username) override {
    std::lock_guard l(mu_);
    for (auto& [_, u] : users_) {
      if (u.username == username) return u;
    }
    return make_error(Errc::not_found, "no such user");
  }
  Result<std::vector<UserAccount>> list_users(OrgId org) override {
    std::lock_guard l(mu_);
    std::vector<UserAccount> out;
    for (auto& [_, u] : users_) {
      if (u.org_id == org) out.push_back(u);
    }
    return out;
  }
  Result<UserAccount> update_user(OrgId org, const UserAccount& account) override {
    std::lock_guard l(mu_);
    auto it = users_.find(account.id.value);
    if (it == users_.end() || it->second.org_id != org) return make_error(Errc::not_found, "no such user");
    it->second.display_name = account.display_name;
    it->second.roles = account.roles;
    it->second.password_hash = account.password_hash;
    it->second.disabled = account.disabled;
    return it->second;
  }
  Result<void> delete_user(OrgId org, UserId id) override {
    std::lock_guard l(mu_);
    auto it = users_.find(id.value);
    if (it == users_.end() || it->second.org_id != org) return make_error(Errc::not_found, "no such user");
    users_.erase(it);
    std::erase_if(sessions_, [&](auto& kv) { return kv.second.user_id == id; });
    return ok();
  }
  Result<void> put_session(const AuthSession& session) override {
    std::lock_guard l(mu_);
    sessions_[session.token_hash] = session;
    return ok();
  }
  Result<AuthSession> find_session(const std::string& token_hash, Timestamp now) override {
    std::lock_guard l(mu_);
    auto it = sessions_.find(token_hash);
    if (it == sessions_.end() || it->second.expires_at <= now) return make_error(Errc::not_found, "no session");
    return it->second;
  }
  Result<void> delete_session(const std::string& token_hash) override {
    std::lock_guard l(mu_);
    sessions_.erase(token_hash);
    return ok();
  }
  Result<int> delete_user_sessions(OrgId org, UserId user,
                                   const std::string& keep_token_hash) override {
    std::lock_guard l(mu_);
    return static_cast<int>(std::erase_if(sessions_, [&](auto& kv) {
      return kv.second.org_id == org && kv.second.user_id == user && kv.first != keep_token_hash;
    }));
  }
  // For tests: sessions held, expired ones included.
  std::size_t stored_sessions() const {
    std::lock_guard l(mu_);
    return sessions_.size();
  }
  Result<int> delete_expired_sessions(Timestamp now) override {
    std::lock_guard l(mu_);
    return static_cast<int>(std::erase_if(sessions_, [&](auto& kv) { return kv.second.expires_at <= now; }));
  }
  Result<void> record_login_failure(const std::string& key, Timestamp now) override {
    std::lock_guard l(mu_);
    failures_[key].push_back(now);
    return ok();
  }
  Result<int> count_login_failures(const std::string& key, Timestamp since) override {
    std::lock_guard l(mu_);
    auto& v = failures_[key];
    return static_cast<int>(std::count_if(v.begin(), v.end(), [&](Timestamp t) { return t >= since; }));
  }
  Result<std::optional<Timestamp>> last_login_failure(const std::string& key) override {
    std::lock_guard l(mu_);
    auto& v = failures_[key];
    if (v.empty()) return std::optional<Timestamp>{};
    return std::optional<Timestamp>{*std::max_element(v.begin(), v.end())};
  }
  Result<void> clear_login_failures(const std::string& key) override {
    std::lock_guard l(mu_);
    failures_.erase(key);
    return ok();
  }

  Result<int> prune_login_failures(Timestamp before) override {
    std::lock_guard l(mu_);
    int n = 0;
    for (auto& [_, v] : failures_) n += static_cast<int>(std::erase_if(v, [&](Timestamp t) { return t < before; }));
    return n;
  }

  // For tests: failure records held, over all keys.
  std::size_t stored_failures() const {
    std::lock_guard l(mu_);
    std::size_t n = 0;
    for (const auto& [_, v] : failures_) n += v.size();
    return n;
  }

  std::size_t session_count() {
    std::lock_guard l(mu_);
    return sessions_.size();
  }

  // For tests: everything stored, and putting it back (a job rolled back: TestStore::Rerun).
  struct Snapshot {
    std::int64_t next;
    std::map<std::int64_t, Organisation> orgs;
    std::map<std::int64_t, UserAccount> users;
    std::map<std::string, AuthSession> sessions;
    std::map<std::string, std::vector<Timestamp>> failures;
  };
  Snapshot snapshot() const {
    std::lock_guard l(mu_);
    return Snapshot{next_, orgs_, users_, sessions_, failures_};
  }
  void restore(Snapshot s) {
    std::lock_guard l(mu_);
    next_ = s.next;
    orgs_ = std::move(s.orgs);
    users_ = std::move(s.users);
    sessions_ = std::move(s.sessions);
    failures_ = std::move(s.failures);
  }

 private:
  mutable std::mutex mu_;
  std::int64_t next_ = 1;
  std::map<std::int64_t, Organisation> orgs_;
  std::map<std::int64_t, UserAccount> users_;
  std::map<std::string, AuthSession> sessions_;
  std::map<std::string, std::vector<Timestamp>> failures_;
};

}  // namespace ccteams::testing
