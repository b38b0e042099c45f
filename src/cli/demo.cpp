#include "cli/demo.hpp"

#include <openssl/rand.h>

#include "app/user_service.hpp"

namespace ccteams::cli {

Result<DemoAccounts> seed_demo_accounts(UserService& users, const std::string& password,
                                        int agent_count) {
  auto org = users.ensure_org(kDemoOrgName);
  if (!org) return std::move(org).error();
  DemoAccounts out{org->name, {}};
  std::vector<NewUser> wanted = {
      {"admin", password, "Alex Admin", RoleSet{Role::admin}},
      {"supervisor", password, "Sam Supervisor", RoleSet{Role::supervisor, Role::agent}},
  };
  for (int i = 1; i <= agent_count; ++i) {
    wanted.push_back({"agent" + std::to_string(i), password, "Agent " + std::to_string(i),
                      RoleSet{Role::agent}});
  }
  for (const auto& u : wanted) {
    auto r = users.upsert(org->id, u);
    if (!r) return std::move(r).error();
    out.usernames.push_back(u.username);
  }
  return out;
}

std::string random_demo_password() {
  static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof bytes);
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i > 0 && i % 4 == 0) out.push_back('-');
    out.push_back(kAlphabet[bytes[i] % (sizeof kAlphabet - 1)]);
  }
  return out;
}

}  // namespace ccteams::cli
