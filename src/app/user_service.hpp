#pragma once
// Administration of user accounts within one organisation (API: /api/v1/users).

#include <optional>
#include <string>
#include <vector>

#include "app/auth_service.hpp"
#include "app/session_sockets.hpp"
#include "app/ports/account_store.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/password_hasher.hpp"
#include "core/account.hpp"

namespace ccteams {

struct NewUser {
  std::string username;
  std::string password;
  std::string display_name;  // defaults to username
  RoleSet roles;
};

struct UserChanges {
  std::optional<std::string> display_name;
  std::optional<RoleSet> roles;
  std::optional<std::string> password;
  std::optional<bool> disabled;
};

// Thread-safety: as thread-safe as the store.
class UserService {
 public:
  UserService(AccountStore& store, const PasswordHasher& hasher, const Clock& clock,
              std::size_t min_password_length = 8);

  // Errors: invalid_input (naming the field), conflict (username taken).
  Result<UserAccount> create(OrgId org, const NewUser& user);
  Result<std::vector<UserAccount>> list(OrgId org);
  Result<UserAccount> get(OrgId org, UserId id);
  // An admin cannot remove their own admin role or disable themselves (locking the org out).
  // Sessions end with the change that takes their rights: disabling ends all the user's
  // sessions; a new password ends all but the caller's own; new roles close the user's
  // WebSockets (whose event filter was chosen by role at the upgrade) but keep the sessions,
  // because every request reads the roles again.
  Result<UserAccount> update(const Caller& caller, UserId id, const UserChanges& changes);
  // Also ends the user's sessions and closes their WebSockets.
  Result<void> remove(const Caller& caller, UserId id);

  // For the command line and the demo: creates the organisation when missing.
  Result<Organisation> ensure_org(const std::string& name);
  // Creates the account, or when the username exists in org, resets password and roles.
  Result<UserAccount> upsert(OrgId org, const NewUser& user);

  // The live WebSockets to close (not owned; null: none). Set by the wiring.
  void set_session_sockets(SessionSockets* sockets) { sockets_ = sockets; }

 private:
  Result<void> validate(const NewUser& user) const;
  Result<void> end_sessions_after_update(const Caller& caller, const UserAccount& before,
                                         const UserAccount& after, bool password_changed);

  AccountStore& store_;
  const PasswordHasher& hasher_;
  const Clock& clock_;
  std::size_t min_password_length_;
  SessionSockets* sockets_ = nullptr;
};

}  // namespace ccteams
