#pragma once
// A SyncAccountStore in memory, for app-layer tests (STYLE §3), following the port's contract
// (the SQLite store's tests check the same behaviour on a real database).

#include <algorithm>
#include <map>
#include <mutex>

#include "app/ports/sync_account_store.hpp"

namespace ccteams::testing {

class InMemorySyncAccountStore final : public SyncAccountStore {
 public:
  Result<SyncAccountUpsert> upsert_account(const SyncAccount& account) override {
    std::lock_guard l(mu_);
    for (auto& [id, a] : accounts_) {
      if (a.org == account.org && a.oid == account.oid) {
        const auto keep = a.id;
        a = account;
        a.id = keep;
        return SyncAccountUpsert{a, true};
      }
    }
    SyncAccount a = account;
    a.id = SyncAccountId{next_++};
    accounts_[a.id] = a;
    return SyncAccountUpsert{a, false};
  }
  Result<std::vector<SyncAccount>> list_accounts(OrgId org) override {
    std::lock_guard l(mu_);
    std::vector<SyncAccount> out;
    for (auto& [_, a] : accounts_) {
      if (a.org == org) out.push_back(a);
    }
    std::sort(out.begin(), out.end(), [](auto& x, auto& y) { return x.upn < y.upn; });
    return out;
  }
  Result<SyncAccount> get_account(OrgId org, SyncAccountId id) override {
    std::lock_guard l(mu_);
    auto* a = find(org, id);
    if (a == nullptr) return missing();
    return *a;
  }
  Result<void> delete_account(OrgId org, SyncAccountId id) override {
    std::lock_guard l(mu_);
    if (find(org, id) == nullptr) return missing();
    accounts_.erase(id);
    return ok();
  }
  Result<void> rotate_refresh_token(OrgId org, SyncAccountId id, const std::string& expected_sealed,
                                    const std::string& new_sealed, Timestamp at) override {
    std::lock_guard l(mu_);
    auto* a = find(org, id);
    if (a == nullptr) return missing();
    if (a->sealed_refresh_token != expected_sealed) return changed();
    a->sealed_refresh_token = new_sealed;
    a->token_state = SyncTokenState::healthy;
    a->last_refreshed_at = at;
    a->last_error.clear();
    return ok();
  }
  Result<void> mark_failed(OrgId org, SyncAccountId id, const std::string& expected_sealed,
                           const std::string& reason) override {
    std::lock_guard l(mu_);
    auto* a = find(org, id);
    if (a == nullptr) return missing();
    if (a->sealed_refresh_token != expected_sealed) return changed();
    a->token_state = SyncTokenState::failed;
    a->last_error = reason;
    return ok();
  }
  Result<int> delete_org_data(OrgId org) override {
    std::lock_guard l(mu_);
    const auto n = std::erase_if(accounts_, [&](auto& kv) { return kv.second.org == org; });
    std::erase_if(sign_ins_, [&](auto& kv) { return kv.second.org == org; });
    return static_cast<int>(n);
  }
  Result<void> put_sign_in(const PendingSignIn& sign_in) override {
    std::lock_guard l(mu_);
    if (!sign_ins_.emplace(sign_in.state_digest, sign_in).second) {
      return make_error(Errc::conflict, "sign-in exists");
    }
    return ok();
  }
  Result<PendingSignIn> claim_sign_in(const std::string& state_digest) override {
    std::lock_guard l(mu_);
    auto it = sign_ins_.find(state_digest);
    if (it == sign_ins_.end()) return make_error(Errc::not_found, "no such sign-in request");
    PendingSignIn before = it->second;
    it->second.used = true;
    return before;
  }
  Result<int> prune_sign_ins(Timestamp before) override {
    std::lock_guard l(mu_);
    return static_cast<int>(
        std::erase_if(sign_ins_, [&](auto& kv) { return kv.second.expires_at < before; }));
  }

  // Test access.
  std::map<std::string, PendingSignIn> sign_ins() const {
    std::lock_guard l(mu_);
    return sign_ins_;
  }

 private:
  SyncAccount* find(OrgId org, SyncAccountId id) {
    auto it = accounts_.find(id);
    if (it == accounts_.end() || it->second.org != org) return nullptr;
    return &it->second;
  }
  static Error missing() { return make_error(Errc::not_found, "no such sync account"); }
  static Error changed() { return make_error(Errc::conflict, "token changed meanwhile"); }

  mutable std::mutex mu_;
  std::int64_t next_ = 1;
  std::map<SyncAccountId, SyncAccount> accounts_;
  std::map<std::string, PendingSignIn> sign_ins_;
};

}  // namespace ccteams::testing
