#pragma once
// AccountStore on SQLite (schema: migrations 1 and 2 in sqlite_migrations.cpp).

#include "app/ports/account_store.hpp"

namespace ccteams::store {

class SqliteDb;

// Implements the port's contract exactly: user rows are always addressed by (org, id), so a
// row of another organisation is not_found; usernames are unique across the service (conflict);
// deleting a user deletes its sessions through the foreign key's cascade.
// Thread-safety: any thread; each call takes the database's lock, so each call is atomic.
class SqliteAccountStore final : public AccountStore {
 public:
  // db must outlive this store; it must be migrated to version 2 or later.
  explicit SqliteAccountStore(SqliteDb& db) : db_(db) {}

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
  SqliteDb& db_;
};

}  // namespace ccteams::store
