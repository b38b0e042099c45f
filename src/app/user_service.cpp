#include "app/user_service.hpp"

namespace ccteams {

UserService::UserService(AccountStore& store, const PasswordHasher& hasher, const Clock& clock,
                         std::size_t min_password_length)
    : store_(store), hasher_(hasher), clock_(clock), min_password_length_(min_password_length) {}

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

Result<UserAccount> UserService::create(OrgId org, const NewUser& user) {
  if (auto r = validate(user); !r) return std::move(r).error();
  auto hash = hasher_.hash(user.password);
  if (!hash) return std::move(hash).error();
  UserAccount account;
  account.org_id = org;
  account.username = user.username;
  account.display_name = user.display_name.empty() ? user.username : user.display_name;
  account.roles = user.roles;
  account.password_hash = std::move(*hash);
  account.created_at = clock_.now();
  auto created = store_.create_user(account);
  if (!created && created.error().code == Errc::conflict) {
    return make_error(Errc::conflict, "username '" + user.username + "' is already taken");
  }
  return created;
}

Result<std::vector<UserAccount>> UserService::list(OrgId org) { return store_.list_users(org); }

Result<UserAccount> UserService::get(OrgId org, UserId id) { return store_.get_user(org, id); }

Result<UserAccount> UserService::update(const Caller& caller, UserId id,
                                        const UserChanges& changes) {
  auto current = store_.get_user(caller.org_id, id);
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
    auto hash = hasher_.hash(*changes.password);
    if (!hash) return std::move(hash).error();
    next.password_hash = std::move(*hash);
  }
  auto updated = store_.update_user(caller.org_id, next);
  if (!updated) return updated;
  if (auto r = end_sessions_after_update(caller, *current, *updated, changes.password.has_value());
      !r) {
    return std::move(r).error();
  }
  return updated;
}

Result<void> UserService::end_sessions_after_update(const Caller& caller,
                                                    const UserAccount& before,
                                                    const UserAccount& after,
                                                    bool password_changed) {
  const bool disabled = after.disabled && !before.disabled;
  const bool roles_changed = after.roles.bits() != before.roles.bits();
  if (!disabled && !password_changed && !roles_changed) return ok();
  // Whoever changes their own password stays signed in where they did it; everyone else who
  // held the old password (or a session of a disabled account) is signed out everywhere.
  std::string keep;
  if (password_changed && !disabled && after.id == caller.user_id) keep = caller.session_digest;
  if (disabled || password_changed) {
    auto n = store_.delete_user_sessions(after.org_id, after.id, keep);
    if (!n) {
      return make_error(n.error().code,
                        "the change was saved but the user's sessions could not be ended (" +
                            n.error().message + "); save it again");
    }
  }
  if (sockets_) sockets_->end_user(after.org_id, after.id, keep);
  return ok();
}

Result<void> UserService::remove(const Caller& caller, UserId id) {
  if (id == caller.user_id) {
    return make_error(Errc::conflict, "you cannot delete your own account; ask another admin");
  }
  // The store removes the sessions with the user.
  if (auto r = store_.delete_user(caller.org_id, id); !r) return r;
  if (sockets_) sockets_->end_user(caller.org_id, id);
  return ok();
}

Result<Organisation> UserService::ensure_org(const std::string& name) {
  if (auto r = validate_org_name(name); !r) return std::move(r).error();
  auto found = store_.find_org_by_name(name);
  if (found || found.error().code != Errc::not_found) return found;
  return store_.create_org(name, clock_.now());
}

Result<UserAccount> UserService::upsert(OrgId org, const NewUser& user) {
  auto existing = store_.find_user_by_username(user.username);
  if (!existing) {
    if (existing.error().code != Errc::not_found) return existing;
    return create(org, user);
  }
  if (existing->org_id != org) {
    return make_error(Errc::conflict,
                      "username '" + user.username + "' belongs to another organisation");
  }
  if (auto r = validate(user); !r) return std::move(r).error();
  UserAccount next = *existing;
  // Re-hashing is slow (Argon2id); keep the hash when the password is unchanged.
  if (!hasher_.verify(next.password_hash, user.password)) {
    auto hash = hasher_.hash(user.password);
    if (!hash) return std::move(hash).error();
    next.password_hash = std::move(*hash);
  }
  next.roles = user.roles;
  next.disabled = false;
  if (!user.display_name.empty()) next.display_name = user.display_name;
  return store_.update_user(org, next);
}

}  // namespace ccteams
