#pragma once
// Administration of user accounts within one organisation (API: /api/v1/users).

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/auth_service.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/password_hasher.hpp"
#include "app/ports/password_workers.hpp"
#include "app/ports/store.hpp"
#include "app/session_sockets.hpp"
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

// Every operation is awaitable: passwords are hashed (Argon2id) on the password workers, never on
// the caller's thread or the store's; then one store job reads, decides and writes, so an
// operation is atomic with respect to every other store job.
// Thread-safety: all calls may run concurrently, from any coroutine.
class UserService {
 public:
  // sockets: the live WebSockets to close when a change takes a user's rights (not owned; null:
  // none).
  UserService(Store& store, PasswordWorkers& workers, const PasswordHasher& hasher,
              const Clock& clock, std::size_t min_password_length = 8,
              SessionSockets* sockets = nullptr);

  // Errors: invalid_input (naming the field), conflict (username taken), rate_limited when the
  // password workers are full.
  boost::asio::awaitable<Result<UserAccount>> create(OrgId org, NewUser user);
  boost::asio::awaitable<Result<std::vector<UserAccount>>> list(OrgId org);
  boost::asio::awaitable<Result<UserAccount>> get(OrgId org, UserId id);
  // An admin cannot remove their own admin role or disable themselves (locking the org out).
  // Sessions end with the change that takes their rights: disabling ends all the user's
  // sessions; a new password ends all but the caller's own; new roles close the user's
  // WebSockets (whose event filter was chosen by role at the upgrade) but keep the sessions,
  // because every request reads the roles again.
  boost::asio::awaitable<Result<UserAccount>> update(Caller caller, UserId id, UserChanges changes);
  // Also ends the user's sessions and closes their WebSockets.
  boost::asio::awaitable<Result<void>> remove(Caller caller, UserId id);

  // For the command line and the demo: creates the organisation when missing.
  boost::asio::awaitable<Result<Organisation>> ensure_org(std::string name);
  // Creates the account, or when the username exists in org, resets password and roles.
  boost::asio::awaitable<Result<UserAccount>> upsert(OrgId org, NewUser user);

 private:
  Result<void> validate(const NewUser& user) const;
  // Hashes password on the workers.
  boost::asio::awaitable<Result<std::string>> hash(const std::string& password);
  // These run on the store's executor, inside one Store::run job.
  Result<UserAccount> insert(AccountStore& st, OrgId org, const NewUser& user,
                             std::string password_hash);
  Result<UserAccount> apply_update(AccountStore& st, const Caller& caller, UserId id,
                                   const UserChanges& changes,
                                   const std::optional<std::string>& password_hash,
                                   bool& close_sockets, std::string& keep);
  Result<void> end_sessions_after_update(AccountStore& st, const Caller& caller,
                                         const UserAccount& before, const UserAccount& after,
                                         bool password_changed, bool& close_sockets,
                                         std::string& keep);

  Store& store_;
  PasswordWorkers& workers_;
  const PasswordHasher& hasher_;
  const Clock& clock_;
  std::size_t min_password_length_;
  SessionSockets* const sockets_;
};

}  // namespace ccteams
