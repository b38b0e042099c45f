#pragma once
#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace ccteams {
class UserService;
class CcConfigService;
}  // namespace ccteams

namespace ccteams::cli {

inline constexpr const char* kDemoOrgName = "Demo Contact Center";

struct DemoAccounts {
  std::string org_name;
  std::vector<std::string> usernames;
};

// The name of demo organisation k (1-based): kDemoOrgName for 1, "Demo Contact Center 2"…
std::string demo_org_name(int k);
// Its account names: admin, supervisor, agent1..agentN for organisation 1; admin2,
// supervisor2, agent2-1..agent2-N for organisation 2 (usernames are unique across orgs).
std::vector<std::string> demo_usernames(int k, int agent_count);

// Creates (or refreshes) demo organisation k with accounts admin, supervisor (also an
// agent), agent1..agentN (demo_usernames), all with password. Idempotent: rerunning resets
// their passwords and roles to the given ones.
// Awaitable (the service's calls are); from plain code: cli::run_now (cli/run_now.hpp).
boost::asio::awaitable<Result<DemoAccounts>> seed_demo_accounts(UserService& users,
                                                                std::string password,
                                                                int agent_count, int k = 1);

// The demo organisation's contact center: idle codes Lunch, Meeting, Break (and RONA), the
// desktop profile "Demo agents" (Microsoft Teams on, RONA 15 s, no wrap-up), queues Sales and
// Support, and every agent account of the org in that profile serving both queues.
// Idempotent: what exists by name is kept as it is. Call after seed_demo_accounts.
// teams_users: linked in order to the agents that have no Teams user yet.
// org_name: which demo organisation (demo_org_name).
boost::asio::awaitable<Result<void>> seed_demo_contact_center(
    UserService& users, CcConfigService& config, std::vector<std::string> teams_users = {},
    std::string org_name = kDemoOrgName);

// A random demo password that is easy to type: 4 groups of 4 lowercase letters/digits.
std::string random_demo_password();

}  // namespace ccteams::cli
