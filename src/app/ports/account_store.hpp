#pragma once
// Persistence of organisations, user accounts, sign-in sessions and failed sign-ins.
// Every call that touches a user takes the caller's OrgId: a row of another organisation
// is reported as not_found, never returned (DESIGN.md: every row belongs to exactly one org).

#include <optional>
#include <string>
#include <vector>

#include "core/account.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

struct AuthSession {
  std::string token_hash;  // SHA-256 of the bearer token, hex; the token itself is never stored
  UserId user_id;
  OrgId org_id;
  std::string csrf_token;  // for cookie-authenticated browser requests
  Timestamp created_at;
  Timestamp expires_at;
};

// Thread-safety: every call may be made from any thread; each call is atomic on its own.
class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Errors: conflict when the name is taken.
  virtual Result<Organisation> create_org(const std::string& name, Timestamp now) = 0;
  virtual Result<Organisation> get_org(OrgId id) = 0;
  virtual Result<Organisation> find_org_by_name(const std::string& name) = 0;
  virtual Result<std::vector<Organisation>> list_orgs() = 0;

  // Creates account (its id is ignored and assigned). Errors: conflict when the username is
  // taken (in any organisation), not_found when the organisation does not exist.
  virtual Result<UserAccount> create_user(const UserAccount& account) = 0;
  virtual Result<UserAccount> get_user(OrgId org, UserId id) = 0;
  // Sign-in looks a user up before the organisation is known.
  virtual Result<UserAccount> find_user_by_username(const std::string& username) = 0;
  virtual Result<std::vector<UserAccount>> list_users(OrgId org) = 0;
  // Replaces display_name, roles, password_hash and disabled of (org, account.id).
  virtual Result<UserAccount> update_user(OrgId org, const UserAccount& account) = 0;
  // Also removes the user's sessions.
  virtual Result<void> delete_user(OrgId org, UserId id) = 0;

  virtual Result<void> put_session(const AuthSession& session) = 0;
  // not_found when absent or expired at now.
  virtual Result<AuthSession> find_session(const std::string& token_hash, Timestamp now) = 0;
  virtual Result<void> delete_session(const std::string& token_hash) = 0;
  // Removes the user's sessions except keep_token_hash (empty: all); returns how many.
  virtual Result<int> delete_user_sessions(OrgId org, UserId user,
                                           const std::string& keep_token_hash) = 0;
  virtual Result<int> delete_expired_sessions(Timestamp now) = 0;

  // Failed sign-ins, keyed by an opaque string (e.g. "user:alice" or "ip:127.0.0.1").
  virtual Result<void> record_login_failure(const std::string& key, Timestamp now) = 0;
  // Failures recorded for key at or after since.
  virtual Result<int> count_login_failures(const std::string& key, Timestamp since) = 0;
  // Time of the most recent failure for key, if any.
  virtual Result<std::optional<Timestamp>> last_login_failure(const std::string& key) = 0;
  virtual Result<void> clear_login_failures(const std::string& key) = 0;
  // Removes failures older than before (all keys); returns how many.
  virtual Result<int> prune_login_failures(Timestamp before) = 0;
};

}  // namespace ccteams
