#include "core/account.hpp"

#include <cctype>

namespace ccteams {

std::string_view role_name(Role r) {
  switch (r) {
    case Role::admin: return "admin";
    case Role::supervisor: return "supervisor";
    case Role::agent: return "agent";
  }
  return "agent";
}

std::optional<Role> parse_role(std::string_view name) {
  if (name == "admin") return Role::admin;
  if (name == "supervisor") return Role::supervisor;
  if (name == "agent") return Role::agent;
  return std::nullopt;
}

std::vector<std::string> role_names(RoleSet roles) {
  std::vector<std::string> out;
  for (Role r : {Role::admin, Role::supervisor, Role::agent}) {
    if (roles.has(r)) out.emplace_back(role_name(r));
  }
  return out;
}

Result<void> validate_username(std::string_view username) {
  if (username.empty() || username.size() > 64) {
    return make_error(Errc::invalid_input, "username must be 1 to 64 characters");
  }
  for (char c : username) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '.' && c != '_' && c != '-' && c != '@') {
      return make_error(Errc::invalid_input,
                        "username may contain only letters, digits and . _ - @");
    }
  }
  return ok();
}

Result<void> validate_password(std::string_view password, std::size_t min_length) {
  if (password.size() < min_length) {
    return make_error(Errc::invalid_input,
                      "password must be at least " + std::to_string(min_length) + " characters");
  }
  if (password.size() > 256) {
    return make_error(Errc::invalid_input, "password must be at most 256 characters");
  }
  return ok();
}

Result<void> validate_org_name(std::string_view name) {
  if (name.empty() || name.size() > 128) {
    return make_error(Errc::invalid_input, "organisation name must be 1 to 128 characters");
  }
  return ok();
}

}  // namespace ccteams
