#include "adapters/http/api/account_json.hpp"

#include <boost/json.hpp>

#include "adapters/http/json_io.hpp"

namespace ccteams::http {

namespace json = boost::json;

json::object user_to_json(const UserAccount& user) {
  json::array roles;
  for (auto& r : role_names(user.roles)) roles.emplace_back(r);
  return {{"id", user.id.value},
          {"orgId", user.org_id.value},
          {"username", user.username},
          {"displayName", user.display_name},
          {"roles", std::move(roles)},
          {"disabled", user.disabled},
          {"createdAt", format_iso8601(user.created_at)}};
}

Result<RoleSet> roles_from_json(const json::value& v) {
  if (!v.is_array()) {
    return make_error(Errc::invalid_input, "field 'roles' must be an array of role names");
  }
  RoleSet roles;
  for (const auto& item : v.as_array()) {
    const auto role = item.is_string() ? parse_role(item.as_string()) : std::nullopt;
    if (!role) {
      return make_error(Errc::invalid_input,
                        "field 'roles' may contain only \"admin\", \"supervisor\", \"agent\"");
    }
    roles.add(*role);
  }
  return roles;
}

Result<NewUser> new_user_from_json(const json::object& o) {
  for (const auto& [key, _] : o) {
    if (key != "username" && key != "password" && key != "displayName" && key != "roles") {
      return make_error(Errc::invalid_input, "unknown field '" + std::string(key) + "'");
    }
  }
  NewUser user;
  auto username = required_string(o, "username");
  if (!username) return std::move(username).error();
  auto password = required_string(o, "password");
  if (!password) return std::move(password).error();
  auto display = optional_string(o, "displayName");
  if (!display) return std::move(display).error();
  const auto* roles = o.if_contains("roles");
  if (roles == nullptr) return make_error(Errc::invalid_input, "field 'roles' is required");
  auto parsed = roles_from_json(*roles);
  if (!parsed) return std::move(parsed).error();
  user.username = std::move(*username);
  user.password = std::move(*password);
  user.display_name = display->value_or("");
  user.roles = *parsed;
  return user;
}

Result<UserChanges> user_changes_from_json(const json::object& o) {
  UserChanges c;
  for (const auto& [key, value] : o) {
    if (key == "displayName") {
      auto v = optional_string(o, key);
      if (!v) return std::move(v).error();
      c.display_name = *v;
    } else if (key == "password") {
      auto v = optional_string(o, key);
      if (!v) return std::move(v).error();
      c.password = *v;
    } else if (key == "disabled") {
      auto v = optional_bool(o, key);
      if (!v) return std::move(v).error();
      c.disabled = *v;
    } else if (key == "roles") {
      auto v = roles_from_json(value);
      if (!v) return std::move(v).error();
      c.roles = *v;
    } else {
      return make_error(Errc::invalid_input, "unknown field '" + std::string(key) + "'");
    }
  }
  return c;
}

}  // namespace ccteams::http
