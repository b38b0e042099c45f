#pragma once
// Organisations and user accounts: the people who sign in to ccteams.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

enum class Role : std::uint8_t { admin = 1, supervisor = 2, agent = 4 };

// A set of roles: a supervisor may also be an agent (DESIGN.md, concepts).
class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) bits_ |= static_cast<std::uint8_t>(r);
  }
  constexpr bool has(Role r) const { return (bits_ & static_cast<std::uint8_t>(r)) != 0; }
  constexpr void add(Role r) { bits_ |= static_cast<std::uint8_t>(r); }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr std::uint8_t bits() const { return bits_; }
  static constexpr RoleSet from_bits(std::uint8_t b) { RoleSet s; s.bits_ = b & 7; return s; }
  friend constexpr bool operator==(RoleSet, RoleSet) = default;

 private:
  std::uint8_t bits_ = 0;
};

std::string_view role_name(Role r);                      // "admin", "supervisor", "agent"
std::optional<Role> parse_role(std::string_view name);   // exact, lower-case
std::vector<std::string> role_names(RoleSet roles);      // in admin, supervisor, agent order

struct Organisation {
  OrgId id;
  std::string name;
  Timestamp created_at;
};

struct UserAccount {
  UserId id;
  OrgId org_id;
  std::string username;      // unique across the service; what people type to sign in
  std::string display_name;
  RoleSet roles;
  std::string password_hash; // Argon2id encoded string (libsodium); never leaves the server
  bool disabled = false;
  Timestamp created_at;
};

// Usernames: 1-64 characters of letters, digits and . _ - @ (case preserved, compared exactly).
Result<void> validate_username(std::string_view username);
// Passwords: 8-256 bytes except in demo/tests, where the caller may allow shorter ones.
Result<void> validate_password(std::string_view password, std::size_t min_length = 8);
Result<void> validate_org_name(std::string_view name);

}  // namespace ccteams
