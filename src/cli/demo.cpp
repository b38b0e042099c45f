#include "cli/demo.hpp"

#include <openssl/rand.h>

#include "app/cc_config_service.hpp"
#include "app/user_service.hpp"

namespace ccteams::cli {

std::string demo_org_name(int k) {
  return k == 1 ? std::string(kDemoOrgName) : std::string(kDemoOrgName) + " " + std::to_string(k);
}

std::vector<std::string> demo_usernames(int k, int agent_count) {
  const std::string n = k == 1 ? std::string() : std::to_string(k);
  std::vector<std::string> out{"admin" + n, "supervisor" + n};
  for (int i = 1; i <= agent_count; ++i) {
    out.push_back("agent" + (n.empty() ? std::string() : n + "-") + std::to_string(i));
  }
  return out;
}

boost::asio::awaitable<Result<DemoAccounts>> seed_demo_accounts(UserService& users,
                                                                std::string password,
                                                                int agent_count, int k) {
  auto org = co_await users.ensure_org(demo_org_name(k));
  if (!org) co_return std::move(org).error();
  DemoAccounts out{org->name, {}};
  const auto names = demo_usernames(k, agent_count);
  const std::string of_org = k == 1 ? std::string() : " (" + std::to_string(k) + ")";
  std::vector<NewUser> wanted = {
      {names[0], password, "Alex Admin" + of_org, RoleSet{Role::admin}},
      {names[1], password, "Sam Supervisor" + of_org, RoleSet{Role::supervisor, Role::agent}},
  };
  for (int i = 1; i <= agent_count; ++i) {
    wanted.push_back({names[static_cast<std::size_t>(i + 1)], password,
                      "Agent " + std::to_string(i) + of_org, RoleSet{Role::agent}});
  }
  for (const auto& u : wanted) {
    auto r = co_await users.upsert(org->id, u);
    if (!r) co_return std::move(r).error();
    out.usernames.push_back(u.username);
  }
  co_return out;
}

namespace {

// Arrays, not braced lists: GCC 12 miscompiles a braced list in a coroutine.
constexpr const char* kDemoIdleCodes[] = {"Lunch", "Meeting", "Break"};
constexpr const char* kDemoQueues[] = {"Sales", "Support"};

template <class T, class Named>
std::optional<T> find_named(const std::vector<T>& items, const Named& name) {
  for (const auto& i : items) {
    if (i.name == name) return i;
  }
  return std::nullopt;
}

}  // namespace

boost::asio::awaitable<Result<void>> seed_demo_contact_center(UserService& users,
                                                              CcConfigService& config,
                                                              std::vector<std::string> teams_users,
                                                              std::string org_name) {
  auto org = co_await users.ensure_org(org_name);
  if (!org) co_return std::move(org).error();
  const OrgId id = org->id;
  auto codes = co_await config.list_idle_codes(id);
  if (!codes) co_return std::move(codes).error();
  std::vector<IdleCodeId> allowed;
  for (const char* name : kDemoIdleCodes) {
    auto code = find_named(*codes, std::string(name));
    if (!code) {
      auto created = co_await config.create_idle_code(id, name, true);
      if (!created) co_return std::move(created).error();
      code = *created;
    }
    allowed.push_back(code->id);
  }
  auto profiles = co_await config.list_desktop_profiles(id);
  if (!profiles) co_return std::move(profiles).error();
  auto profile = find_named(*profiles, std::string("Demo agents"));
  if (!profile) {
    DesktopProfile p;
    p.name = "Demo agents";
    p.microsoft_teams = true;
    p.allowed_idle_codes = allowed;
    auto created = co_await config.create_desktop_profile(id, p);
    if (!created) co_return std::move(created).error();
    profile = *created;
  }
  auto queues = co_await config.list_queues(id);
  if (!queues) co_return std::move(queues).error();
  std::vector<QueueId> queue_ids;
  for (const char* name : kDemoQueues) {
    auto q = find_named(*queues, std::string(name));
    if (!q) {
      auto created = co_await config.create_queue(id, name);
      if (!created) co_return std::move(created).error();
      q = *created;
    }
    queue_ids.push_back(q->id);
  }
  auto agents = co_await config.list_agents(id);
  if (!agents) co_return std::move(agents).error();
  std::size_t next_teams_user = 0;
  for (const auto& a : *agents) {
    AgentChanges changes;
    if (!a.configured) {
      changes.desktop_profile = std::optional<DesktopProfileId>{profile->id};
      changes.queues = queue_ids;
    }
    if (!a.config.teams_user_id && next_teams_user < teams_users.size()) {
      changes.teams_user_id = std::optional<std::string>{teams_users[next_teams_user++]};
    }
    if (!changes.desktop_profile && !changes.teams_user_id) continue;
    if (auto r = co_await config.put_agent(id, a.user.id, changes); !r) {
      co_return std::move(r).error();
    }
  }
  co_return ok();
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
