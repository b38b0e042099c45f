// CcConfigService's configuration-change hook on a real (in-memory) database: called with the
// organisation after every successful write of idle codes, desktop profiles, queues and agents,
// never after a read or a refused write.
#include <gtest/gtest.h>

#include "adapters/store/sqlite_store.hpp"
#include "app/cc_config_service.hpp"
#include "app/testing/run_awaitable.hpp"

namespace ccteams::store {
namespace {

using ccteams::testing::run_awaitable;

const Timestamp kT0 = from_unix_millis(1'790'000'000'000);

class CcConfigOnChangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SqliteStore::open(":memory:");
    ASSERT_TRUE(s) << s.error().message;
    sqlite_ = std::move(*s);
    config_ =
        std::make_unique<CcConfigService>(*sqlite_, [this](OrgId org) { changed_.push_back(org); });
    org_ = sqlite_->accounts().create_org("A", kT0)->id;
    agent_ = add_user("alice", RoleSet{Role::agent});
    admin_ = add_user("root", RoleSet{Role::admin});
  }

  UserId add_user(const std::string& name, RoleSet roles) {
    UserAccount u;
    u.org_id = org_;
    u.username = name;
    u.display_name = name;
    u.roles = roles;
    u.password_hash = "x";
    u.created_at = kT0;
    return sqlite_->accounts().create_user(u)->id;
  }

  // The calls made since the last look.
  std::vector<OrgId> take() { return std::exchange(changed_, {}); }
  std::vector<OrgId> once() const { return {org_}; }

  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<CcConfigService> config_;
  std::vector<OrgId> changed_;  // appended on the test's thread (run_awaitable's io_context)
  OrgId org_;
  UserId agent_, admin_;
};

TEST_F(CcConfigOnChangeTest, EveryKindOfWriteReportsItsOrganisationOnce) {
  auto code = run_awaitable(config_->create_idle_code(org_, "Lunch", true));
  ASSERT_TRUE(code);
  EXPECT_EQ(take(), once());
  IdleCodeChanges rename;
  rename.name = "Long lunch";
  ASSERT_TRUE(run_awaitable(config_->update_idle_code(org_, code->id, rename)));
  EXPECT_EQ(take(), once());

  DesktopProfile p;
  p.name = "Day";
  auto profile = run_awaitable(config_->create_desktop_profile(org_, p));
  ASSERT_TRUE(profile);
  EXPECT_EQ(take(), once());
  DesktopProfileChanges wrap;
  wrap.wrap_up_seconds = 30;
  ASSERT_TRUE(run_awaitable(config_->update_desktop_profile(org_, profile->id, wrap)));
  EXPECT_EQ(take(), once());

  auto queue = run_awaitable(config_->create_queue(org_, "Sales"));
  ASSERT_TRUE(queue);
  EXPECT_EQ(take(), once());
  ASSERT_TRUE(run_awaitable(config_->rename_queue(org_, queue->id, "Sales EU")));
  EXPECT_EQ(take(), once());

  AgentChanges agent;
  agent.desktop_profile = std::optional<DesktopProfileId>{profile->id};
  agent.queues = std::vector<QueueId>{queue->id};
  ASSERT_TRUE(run_awaitable(config_->put_agent(org_, agent_, agent)));
  EXPECT_EQ(take(), once());
  ASSERT_TRUE(run_awaitable(config_->delete_agent(org_, agent_)));
  EXPECT_EQ(take(), once());

  ASSERT_TRUE(run_awaitable(config_->delete_queue(org_, queue->id)));
  EXPECT_EQ(take(), once());
  ASSERT_TRUE(run_awaitable(config_->delete_desktop_profile(org_, profile->id)));
  EXPECT_EQ(take(), once());
  ASSERT_TRUE(run_awaitable(config_->delete_idle_code(org_, code->id)));
  EXPECT_EQ(take(), once());
}

TEST_F(CcConfigOnChangeTest, ReadsAndRefusedWritesReportNothing) {
  auto codes = run_awaitable(config_->list_idle_codes(org_));  // creates RONA: not a change
  ASSERT_TRUE(codes);
  const IdleCodeId rona = (*codes)[0].id;
  EXPECT_TRUE(run_awaitable(config_->list_queues(org_)));
  EXPECT_TRUE(run_awaitable(config_->list_desktop_profiles(org_)));
  EXPECT_TRUE(run_awaitable(config_->list_agents(org_)));
  EXPECT_TRUE(run_awaitable(config_->desktop_of(org_, agent_)));

  EXPECT_FALSE(run_awaitable(config_->create_idle_code(org_, "RONA", true)));
  IdleCodeChanges off;
  off.active = false;
  EXPECT_FALSE(run_awaitable(config_->update_idle_code(org_, rona, off)));
  EXPECT_FALSE(run_awaitable(config_->delete_idle_code(org_, rona)));
  DesktopProfile bad;
  bad.name = "";
  EXPECT_FALSE(run_awaitable(config_->create_desktop_profile(org_, bad)));
  DesktopProfileChanges unknown_code;
  unknown_code.allowed_idle_codes = std::vector<IdleCodeId>{IdleCodeId{999}};
  EXPECT_FALSE(
      run_awaitable(config_->update_desktop_profile(org_, DesktopProfileId{999}, unknown_code)));
  EXPECT_FALSE(run_awaitable(config_->create_queue(org_, "")));
  EXPECT_FALSE(run_awaitable(config_->rename_queue(org_, QueueId{999}, "Nowhere")));
  EXPECT_FALSE(run_awaitable(config_->put_agent(org_, admin_, AgentChanges{})));  // no role
  AgentChanges twice;
  twice.queues = std::vector<QueueId>{QueueId{1}, QueueId{1}};
  EXPECT_FALSE(run_awaitable(config_->put_agent(org_, agent_, twice)));
  EXPECT_TRUE(take().empty());
}

}  // namespace
}  // namespace ccteams::store
