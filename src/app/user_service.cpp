#include "app/user_service.hpp"

namespace ccteams {

UserService::UserService(Store& store, PasswordWorkers& workers, const PasswordHasher& hasher,
                         const Clock& clock, std::size_t min_password_length,
                         SessionSockets* sockets)
    : store_(store),
      workers_(workers),
      hasher_(hasher),
      clock_(clock),
      min_password_length_(min_password_length),
      sockets_(sockets) {}

Result<void> UserService::validate(const NewUser& user) const {
  if (auto r = validate_username(user.username); !r) return r;
  if (auto r = validate_password(user.password, min_password_length_); !r) return r;
  if (user.display_name.size() > 128) {
    return make_error(Errc::invalid_input, "displayName must be at most 128 characters");
  }
  if (user.roles.empty()) {
    return make_error(Errc::invalid_input,
                      "roles must name at least one of admin, supervisor, agent");
  }
  return ok();
}

boost::asio::awaitable<Result<std::string>> UserService::hash(const std::string& password) {
  std::optional<Result<std::string>> hashed;
  auto ran = co_await workers_.run([&] { hashed.emplace(hasher_.hash(password)); });
  if (!ran) co_return std::move(ran).error();
  co_return std::move(*hashed);
}

Result<UserAccount> UserService::insert(AccountStore& st, OrgId org, const NewUser& user,
                                        std::string password_hash) {
  UserAccount account;
  account.org_id = org;
  account.username = user.username;
  account.display_name = user.display_name.empty() ? user.username : user.display_name;
  account.roles = user.roles;
  account.password_hash = std::move(password_hash);
  account.created_at = clock_.now();
  auto created = st.create_user(account);
  if (!created && created.error().code == Errc::conflict) {
    return make_error(Errc::conflict, "username '" + user.username + "' is already taken");
  }
  return created;
}

boost::asio::awaitable<Result<UserAccount>> UserService::create(OrgId org, NewUser user) {
  if (auto r = validate(user); !r) co_return std::move(r).error();
  auto hashed = co_await hash(user.password);
  if (!hashed) co_return std::move(hashed).error();
  // A copy of the hash: a rerun job (store.hpp) must find its inputs as they were.
  co_return co_await store_.run(
      [&](Stores& s) { return insert(s.accounts(), org, user, *hashed); });
}

boost::asio::awaitable<Result<std::vector<UserAccount>>> UserService::list(OrgId org) {
  co_return co_await store_.read([&](Stores& s) { return s.accounts().list_users(org); });
}

boost::asio::awaitable<Result<UserAccount>> UserService::get(OrgId org, UserId id) {
  co_return co_await store_.read([&](Stores& s) { return s.accounts().get_user(org, id); });
}

boost::asio::awaitable<Result<UserAccount>> UserService::update(Caller caller, UserId id,
                                                                UserChanges changes) {
  // The hash first, on the workers (a refused update may have hashed for nothing; the store's
  // thread never waits for Argon2id). A password that fails validation is not hashed: the job
  // reports it where the rules check it.
  std::optional<std::string> password_hash;
  if (changes.password && validate_password(*changes.password, min_password_length_)) {
    auto hashed = co_await hash(*changes.password);
    if (!hashed) co_return std::move(hashed).error();
    password_hash = std::move(*hashed);
  }
  bool close_sockets = false;
  std::string keep;
  auto updated = co_await store_.run([&](Stores& s) {
    // Only the last run's outcome counts (store.hpp): an earlier run's must not linger.
    close_sockets = false;
    keep.clear();
    return apply_update(s.accounts(), caller, id, changes, password_hash, close_sockets, keep);
  });
  if (close_sockets && sockets_) sockets_->end_user(caller.org_id, id, keep);
  co_return updated;
}

Result<UserAccount> UserService::apply_update(AccountStore& st, const Caller& caller, UserId id,
                                              const UserChanges& changes,
                                              const std::optional<std::string>& password_hash,
                                              bool& close_sockets, std::string& keep) {
  auto current = st.get_user(caller.org_id, id);
  if (!current) return current;
  UserAccount next = *current;
  if (changes.display_name) {
    if (changes.display_name->empty() || changes.display_name->size() > 128) {
      return make_error(Errc::invalid_input, "displayName must be 1 to 128 characters");
    }
    next.display_name = *changes.display_name;
  }
  if (changes.roles) {
    if (changes.roles->empty()) {
      return make_error(Errc::invalid_input,
                        "roles must name at least one of admin, supervisor, agent");
    }
    next.roles = *changes.roles;
  }
  if (changes.disabled) next.disabled = *changes.disabled;
  if (id == caller.user_id && (!next.roles.has(Role::admin) || next.disabled)) {
    return make_error(Errc::conflict,
                      "you cannot remove your own admin role or disable yourself; ask another "
                      "admin");
  }
  if (changes.password) {
    if (auto r = validate_password(*changes.password, min_password_length_); !r) {
      return std::move(r).error();
    }
    next.password_hash = *password_hash;
  }
  auto updated = st.update_user(caller.org_id, next);
  if (!updated) return updated;
  if (auto r = end_sessions_after_update(st, caller, *current, *updated,
                                         changes.password.has_value(), close_sockets, keep);
      !r) {
    return std::move(r).error();
  }
  return updated;
}

Result<void> UserService::end_sessions_after_update(AccountStore& st, const Caller& caller,
                                                    const UserAccount& before,
                                                    const UserAccount& after, bool password_changed,
                                                    bool& close_sockets, std::string& keep) {
  const bool disabled = after.disabled && !before.disabled;
  const bool roles_changed = after.roles.bits() != before.roles.bits();
  if (!disabled && !password_changed && !roles_changed) return ok();
  // Whoever changes their own password stays signed in where they did it; everyone else who
  // held the old password (or a session of a disabled account) is signed out everywhere.
  if (password_changed && !disabled && after.id == caller.user_id) keep = caller.session_digest;
  if (disabled || password_changed) {
    auto n = st.delete_user_sessions(after.org_id, after.id, keep);
    if (!n) {
      return make_error(n.error().code,
                        "the change was saved but the user's sessions could not be ended (" +
                            n.error().message + "); save it again");
    }
  }
  // The sockets close once the job is done, on the caller's executor.
  close_sockets = true;
  return ok();
}

boost::asio::awaitable<Result<void>> UserService::remove(Caller caller, UserId id) {
  if (id == caller.user_id) {
    co_return make_error(Errc::conflict, "you cannot delete your own account; ask another admin");
  }
  // The store removes the sessions with the user.
  auto r =
      co_await store_.run([&](Stores& s) { return s.accounts().delete_user(caller.org_id, id); });
  if (!r) co_return r;
  if (sockets_) sockets_->end_user(caller.org_id, id);
  co_return ok();
}

boost::asio::awaitable<Result<Organisation>> UserService::ensure_org(std::string name) {
  if (auto r = validate_org_name(name); !r) co_return std::move(r).error();
  co_return co_await store_.run([&](Stores& s) -> Result<Organisation> {
    auto found = s.accounts().find_org_by_name(name);
    if (found || found.error().code != Errc::not_found) return found;
    return s.accounts().create_org(name, clock_.now());
  });
}

boost::asio::awaitable<Result<UserAccount>> UserService::upsert(OrgId org, NewUser user) {
  auto existing = co_await store_.run(
      [&](Stores& s) { return s.accounts().find_user_by_username(user.username); });
  if (!existing) {
    if (existing.error().code != Errc::not_found) co_return existing;
    co_return co_await create(org, std::move(user));
  }
  if (existing->org_id != org) {
    co_return make_error(Errc::conflict,
                         "username '" + user.username + "' belongs to another organisation");
  }
  if (auto r = validate(user); !r) co_return std::move(r).error();
  // Re-hashing is slow (Argon2id); keep the hash when the password is unchanged. Both the
  // check and the hash run on the workers.
  std::optional<Result<std::string>> new_hash;
  auto ran = co_await workers_.run([&] {
    if (!hasher_.verify(existing->password_hash, user.password)) {
      new_hash.emplace(hasher_.hash(user.password));
    }
  });
  if (!ran) co_return std::move(ran).error();
  if (new_hash && !*new_hash) co_return std::move(*new_hash).error();
  co_return co_await store_.run([&](Stores& s) {
    UserAccount next = *existing;
    if (new_hash) next.password_hash = **new_hash;  // copied: the job may run again
    next.roles = user.roles;
    next.disabled = false;
    if (!user.display_name.empty()) next.display_name = user.display_name;
    return s.accounts().update_user(org, next);
  });
}

}  // namespace ccteams
