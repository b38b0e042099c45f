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
  return store_.update_user(caller.org_id, next);
}

Result<void> UserService::remove(const Caller& caller, UserId id) {
  if (id == caller.user_id) {
    return make_error(Errc::conflict, "you cannot delete your own account; ask another admin");
  }
  return store_.delete_user(caller.org_id, id);
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
