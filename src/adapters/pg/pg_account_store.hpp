#pragma once
// AccountStore on PostgreSQL (schema: PostgreSQL migration 1), the twin of SqliteAccountStore:
// the same contract, the same rows.

#include "app/ports/account_store.hpp"

namespace ccteams::store {

class PgDb;

// Implements the port's contract exactly, as SqliteAccountStore does: users are addressed by
// (org, id); usernames are unique across the service (conflict); deleting a user deletes its
// sessions (cascade).
// Thread-safety: any thread; each call takes the connection's lock.
class PgAccountStore final : public AccountStore {
 public:
  // db must outlive this store and be migrated.
  explicit PgAccountStore(PgDb& db) : db_(db) {}

  // AccountStore
  Result<Organisation> create_org(const std::string& name, Timestamp now) override;
  Result<Organisation> get_org(OrgId id) override;
  Result<Organisation> find_org_by_name(const std::string& name) override;
  Result<std::vector<Organisation>> list_orgs() override;
  Result<UserAccount> create_user(const UserAccount& account) override;
  Result<UserAccount> get_user(OrgId org, UserId id) override;
  Result<UserAccount> find_user_by_username(const std::string& username) override;
  Result<std::vector<UserAccount>> list_users(OrgId org) override;
  Result<UserAccount> update_user(OrgId org, const UserAccount& account) override;
  Result<void> delete_user(OrgId org, UserId id) override;
  Result<void> put_session(const AuthSession& session) override;
  Result<AuthSession> find_session(const std::string& token_hash, Timestamp now) override;
  Result<void> delete_session(const std::string& token_hash) override;
  Result<int> delete_user_sessions(OrgId org, UserId user,
                                   const std::string& keep_token_hash) override;
  Result<int> delete_expired_sessions(Timestamp now) override;
  Result<void> record_login_failure(const std::string& key, Timestamp now) override;
  Result<int> count_login_failures(const std::string& key, Timestamp since) override;
  Result<std::optional<Timestamp>> last_login_failure(const std::string& key) override;
  Result<void> clear_login_failures(const std::string& key) override;
  Result<int> prune_login_failures(Timestamp before) override;

 private:
  PgDb& db_;
};

}  // namespace ccteams::store
