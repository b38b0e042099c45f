#pragma once
#include <string>
#include <vector>

#include "core/result.hpp"

namespace ccteams {
class UserService;
}

namespace ccteams::cli {

inline constexpr const char* kDemoOrgName = "Demo Contact Center";

struct DemoAccounts {
  std::string org_name;
  std::vector<std::string> usernames;
};

// Creates (or refreshes) the demo organisation with accounts admin, supervisor (also an
// agent), agent1..agentN, all with password. Idempotent: rerunning resets their passwords
// and roles to the given ones.
Result<DemoAccounts> seed_demo_accounts(UserService& users, const std::string& password,
                                        int agent_count);

// A random demo password that is easy to type: 4 groups of 4 lowercase letters/digits.
std::string random_demo_password();

}  // namespace ccteams::cli
