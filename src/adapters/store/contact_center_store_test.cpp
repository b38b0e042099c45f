// The contact-center store and CcConfigService on every backend (SQLite and PostgreSQL): org
// scoping, the RONA system code, usage checks (a held idle code is refused at its own delete,
// inside a job that goes on), validation that changes nothing, live state round trips, the
// event log, an organisation's removal taking everything of it; CcConfigService's
// configuration-change hook.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "adapters/store/cc_flow_test_support.hpp"
#include "adapters/store/store_backends_test_support.hpp"
#include "app/cc_config_service.hpp"
#include "app/testing/run_awaitable.hpp"

namespace ccteams::store {
namespace {

using testing::StoreBackend;

const Timestamp kT0 = from_unix_millis(1'790'000'000'000);

class CcStoreTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    ASSERT_EQ(backend_.open(), "");
    cc_ = &backend_.stores().contact_center();
    config_ = std::make_unique<CcConfigService>(backend_.store(),
                                                [this](OrgId org) { changed_.push_back(org); });
    org_ = backend_.stores().accounts().create_org("A", kT0)->id;
    other_ = backend_.stores().accounts().create_org("B", kT0)->id;
    agent_ = add_user(org_, "alice", RoleSet{Role::agent});
    admin_ = add_user(org_, "root", RoleSet{Role::admin});
    other_agent_ = add_user(other_, "bob", RoleSet{Role::agent});
  }

  UserId add_user(OrgId org, const std::string& name, RoleSet roles) {
    UserAccount u;
    u.org_id = org;
    u.username = name;
    u.display_name = name;
    u.roles = roles;
    u.password_hash = "x";
    u.created_at = kT0;
    return backend_.stores().accounts().create_user(u)->id;
  }

  testing::BackendStore backend_{GetParam()};
  ContactCenterStore* cc_ = nullptr;  // the synchronous side's
  std::unique_ptr<CcConfigService> config_;
  std::vector<OrgId> changed_;  // config_'s on_change calls (on the test's thread)
  OrgId org_, other_;
  UserId agent_, admin_, other_agent_;
};

TEST_P(CcStoreTest, EveryOrgGetsOneRonaCodeThatCannotBeCreatedChangedOrDeleted) {
  auto codes = run_awaitable(config_->list_idle_codes(org_));
  ASSERT_TRUE(codes);
  ASSERT_EQ(codes->size(), 1u);
  EXPECT_EQ((*codes)[0].name, "RONA");
  EXPECT_TRUE((*codes)[0].system);
  EXPECT_EQ(run_awaitable(config_->list_idle_codes(org_))->size(), 1u);  // idempotent
  const IdleCodeId rona = (*codes)[0].id;

  auto by_hand = run_awaitable(config_->create_idle_code(org_, "RONA", true));
  ASSERT_FALSE(by_hand);
  EXPECT_EQ(by_hand.error().code, Errc::conflict);
  auto rename =
      run_awaitable(config_->update_idle_code(org_, rona, IdleCodeChanges{"Ring", std::nullopt}));
  ASSERT_FALSE(rename);
  EXPECT_EQ(rename.error().code, Errc::conflict);
  auto del = run_awaitable(config_->delete_idle_code(org_, rona));
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().code, Errc::conflict);
  EXPECT_EQ(run_awaitable(config_->list_idle_codes(org_))->size(), 1u);
}

TEST_P(CcStoreTest, IdleCodesAreScopedToTheirOrganisation) {
  auto lunch = run_awaitable(config_->create_idle_code(org_, "Lunch", true));
  ASSERT_TRUE(lunch) << lunch.error().message;
  EXPECT_EQ(run_awaitable(config_->get_idle_code(other_, lunch->id)).error().code, Errc::not_found);
  EXPECT_EQ(
      run_awaitable(config_->update_idle_code(other_, lunch->id, {"X", std::nullopt})).error().code,
      Errc::not_found);
  EXPECT_EQ(run_awaitable(config_->delete_idle_code(other_, lunch->id)).error().code,
            Errc::not_found);
  EXPECT_TRUE(
      run_awaitable(config_->create_idle_code(other_, "Lunch", true)));  // same name, other org
  auto dup = run_awaitable(config_->create_idle_code(org_, "Lunch", true));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Errc::conflict);
}

TEST_P(CcStoreTest, InvalidNameIsRefusedNamingTheFieldAndChangesNothing) {
  auto bad = run_awaitable(config_->create_idle_code(org_, "   ", true));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_input);
  EXPECT_NE(bad.error().message.find("name"), std::string::npos);
  EXPECT_EQ(run_awaitable(config_->list_idle_codes(org_))->size(), 1u);
}

TEST_P(CcStoreTest, CodeAllowedByAProfileCannotBeDeletedAndTheProfileIsNamed) {
  auto lunch = run_awaitable(config_->create_idle_code(org_, "Lunch", true));
  ASSERT_TRUE(lunch);
  DesktopProfile p;
  p.name = "Sales";
  p.allowed_idle_codes = {lunch->id};
  auto created = run_awaitable(config_->create_desktop_profile(org_, p));
  ASSERT_TRUE(created) << created.error().message;
  auto del = run_awaitable(config_->delete_idle_code(org_, lunch->id));
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().code, Errc::conflict);
  EXPECT_NE(del.error().message.find("Sales"), std::string::npos) << del.error().message;

  DesktopProfileChanges none_allowed;
  none_allowed.allowed_idle_codes = std::vector<IdleCodeId>{};
  ASSERT_TRUE(run_awaitable(config_->update_desktop_profile(org_, created->id, none_allowed)));
  EXPECT_TRUE(run_awaitable(config_->delete_idle_code(org_, lunch->id)));
}

TEST_P(CcStoreTest, ProfileRoundTripsAndRejectsBadFieldsAndForeignCodes) {
  auto lunch = run_awaitable(config_->create_idle_code(org_, "Lunch", true));
  auto foreign = run_awaitable(config_->create_idle_code(other_, "Theirs", true));
  DesktopProfile p;
  p.name = "Support";
  p.microsoft_teams = true;
  p.rona_timeout_seconds = 8;
  p.wrap_up_seconds = 30;
  p.allowed_idle_codes = {lunch->id};
  auto created = run_awaitable(config_->create_desktop_profile(org_, p));
  ASSERT_TRUE(created);
  auto read = run_awaitable(config_->get_desktop_profile(org_, created->id));
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, *created);
  EXPECT_EQ(read->allowed_idle_codes, std::vector<IdleCodeId>{lunch->id});
  EXPECT_EQ(run_awaitable(config_->get_desktop_profile(other_, created->id)).error().code,
            Errc::not_found);

  DesktopProfileChanges bad;
  bad.rona_timeout_seconds = 2;
  auto r = run_awaitable(config_->update_desktop_profile(org_, created->id, bad));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);
  EXPECT_NE(r.error().message.find("ronaTimeoutSeconds"), std::string::npos);
  EXPECT_EQ(run_awaitable(config_->get_desktop_profile(org_, created->id))->rona_timeout_seconds,
            8);

  DesktopProfileChanges cross;
  cross.allowed_idle_codes = std::vector<IdleCodeId>{foreign->id};
  auto x = run_awaitable(config_->update_desktop_profile(org_, created->id, cross));
  ASSERT_FALSE(x);
  EXPECT_EQ(x.error().code, Errc::invalid_input);
  EXPECT_EQ(run_awaitable(config_->get_desktop_profile(org_, created->id))->allowed_idle_codes,
            std::vector<IdleCodeId>{lunch->id});
}

TEST_P(CcStoreTest, AgentsNeedTheAgentRoleAndTheirOrgsProfileAndQueues) {
  auto q1 = run_awaitable(config_->create_queue(org_, "Sales"));
  auto q2 = run_awaitable(config_->create_queue(org_, "Support"));
  auto foreign_q = run_awaitable(config_->create_queue(other_, "Sales"));
  DesktopProfile p;
  p.name = "P";
  auto profile = run_awaitable(config_->create_desktop_profile(org_, p));
  ASSERT_TRUE(q1 && q2 && foreign_q && profile);

  AgentChanges c;
  c.desktop_profile = std::optional<DesktopProfileId>{profile->id};
  c.queues = std::vector<QueueId>{q2->id, q1->id};
  c.teams_user_id = std::optional<std::string>{"aad-1"};
  auto a = run_awaitable(config_->put_agent(org_, agent_, c));
  ASSERT_TRUE(a) << a.error().message;
  auto read = run_awaitable(config_->get_agent(org_, agent_));
  ASSERT_TRUE(read);
  EXPECT_TRUE(read->configured);
  EXPECT_EQ(read->config.queues, (std::vector<QueueId>{q2->id, q1->id}));
  EXPECT_EQ(read->config.teams_user_id, "aad-1");

  EXPECT_EQ(run_awaitable(config_->put_agent(org_, admin_, c)).error().code, Errc::invalid_input);
  EXPECT_EQ(run_awaitable(config_->put_agent(org_, other_agent_, c)).error().code, Errc::not_found);
  AgentChanges cross;
  cross.queues = std::vector<QueueId>{foreign_q->id};
  auto x = run_awaitable(config_->put_agent(org_, agent_, cross));
  ASSERT_FALSE(x);
  EXPECT_EQ(x.error().code, Errc::invalid_input);
  EXPECT_EQ(run_awaitable(config_->get_agent(org_, agent_))->config.queues,
            (std::vector<QueueId>{q2->id, q1->id}));  // unchanged: the write rolled back

  auto in_use = run_awaitable(config_->delete_desktop_profile(org_, profile->id));
  ASSERT_FALSE(in_use);
  EXPECT_EQ(in_use.error().code, Errc::conflict);

  ASSERT_TRUE(run_awaitable(config_->delete_queue(org_, q1->id)));
  EXPECT_EQ(run_awaitable(config_->get_agent(org_, agent_))->config.queues,
            std::vector<QueueId>{q2->id});
  auto list = run_awaitable(config_->list_agents(org_));
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);  // alice; root is not an agent
  ASSERT_TRUE(run_awaitable(config_->delete_agent(org_, agent_)));
  EXPECT_FALSE(run_awaitable(config_->get_agent(org_, agent_))->configured);
}

TEST_P(CcStoreTest, AgentStateAndContactsRoundTrip) {
  ASSERT_TRUE(cc_->put_agent(AgentConfig{agent_, org_, std::nullopt, {}, std::nullopt}));
  auto q = run_awaitable(config_->create_queue(org_, "Sales"));
  AgentState s = logged_out_agent(agent_, kT0);
  s.status = AgentStatus::idle;
  s.idle_code = IdleCodeId{7};
  s.origin = IdleOrigin::rona;
  ASSERT_TRUE(cc_flow::put_state(*cc_, org_, s));
  EXPECT_EQ(cc_flow::put_state(*cc_, other_, s).error().code, Errc::not_found);
  auto states = cc_->list_agent_states(org_);
  ASSERT_TRUE(states);
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ((*states)[0], s);
  EXPECT_TRUE(cc_->list_agent_states(other_)->empty());

  auto c = cc_->put_contact(new_contact(ContactId{}, org_, q->id, "+15550100", kT0));
  ASSERT_TRUE(c);
  EXPECT_GT(c->id.value, 0);
  Contact moved = *c;
  moved.status = ContactStatus::consulting;
  moved.agent = agent_;
  moved.party = PhoneParty{"+14255550100", "aad-9"};
  moved.offers = 2;
  moved.ronas = 1;
  ASSERT_TRUE(cc_->put_contact(moved));
  EXPECT_EQ(*cc_->get_contact(org_, c->id), moved);
  EXPECT_EQ(cc_->get_contact(other_, c->id).error().code, Errc::not_found);
  EXPECT_EQ(cc_->list_open_contacts(org_)->size(), 1u);
  EXPECT_EQ(*cc_->orgs_with_live_state(), std::vector<OrgId>{org_});
  moved.status = ContactStatus::ended;
  moved.end_reason = EndReason::transferred_out;
  ASSERT_TRUE(cc_->put_contact(moved));
  EXPECT_TRUE(cc_->list_open_contacts(org_)->empty());
  EXPECT_EQ(cc_->get_contact(org_, c->id)->end_reason, EndReason::transferred_out);
}

TEST_P(CcStoreTest, EventLogNumbersEventsAndReplaysPerOrgAndPrunesByAge) {
  auto e1 =
      cc_flow::append_one(*cc_, org_, agent_, "agent.state", kT0, R"({"type":"agent.state"})");
  auto e2 = cc_flow::append_one(*cc_, other_, std::nullopt, "queue.stats", kT0, R"({"type":"q"})");
  auto e3 = cc_flow::append_one(*cc_, org_, std::nullopt, "queue.stats", kT0 + Millis{5000}, "{}");
  ASSERT_TRUE(e1 && e2 && e3);
  EXPECT_LT(e1->seq, e2->seq);
  EXPECT_EQ(e1->body, "{\"seq\":" + std::to_string(e1->seq) + ",\"type\":\"agent.state\"}");
  EXPECT_EQ(e3->body, "{\"seq\":" + std::to_string(e3->seq) + "}");
  auto all = cc_->events_after(org_, 0, 100);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].agent, agent_);
  EXPECT_EQ((*all)[1].seq, e3->seq);
  EXPECT_EQ(cc_->events_after(org_, e1->seq, 100)->size(), 1u);
  EXPECT_EQ(cc_->events_after(org_, 0, 1)->size(), 1u);
  EXPECT_EQ(*cc_->prune_events(kT0 + Millis{1}), 2);
  EXPECT_EQ(cc_->events_after(org_, 0, 100)->size(), 1u);
}

// The configuration-change hook: called with the organisation after every successful write of
// idle codes, desktop profiles, queues and agents, never after a read or a refused write.
TEST_P(CcStoreTest, EveryKindOfConfigWriteReportsItsOrganisationOnce) {
  auto code = run_awaitable(config_->create_idle_code(org_, "Lunch", true));
  ASSERT_TRUE(code);
  EXPECT_EQ(std::exchange(changed_, {}), std::vector<OrgId>{org_});
  IdleCodeChanges rename;
  rename.name = "Long lunch";
  ASSERT_TRUE(run_awaitable(config_->update_idle_code(org_, code->id, rename)));
  EXPECT_EQ(std::exchange(changed_, {}), std::vector<OrgId>{org_});

  DesktopProfile p;
  p.name = "Day";
  auto profile = run_awaitable(config_->create_desktop_profile(org_, p));
  ASSERT_TRUE(profile);
  EXPECT_EQ(std::exchange(changed_, {}), std::vector<OrgId>{org_});
  DesktopProfileChanges wrap;
  wrap.wrap_up_seconds = 30;
  ASSERT_TRUE(run_awaitable(config_->update_desktop_profile(org_, profile->id, wrap)));
  EXPECT_EQ(std::exchange(changed_, {}), std::vector<OrgId>{org_});

  auto queue = run_awaitable(config_->create_queue(org_, "Sales"));
  ASSERT_TRUE(queue);
  EXPECT_EQ(std::exchange(changed_, {}), std::vector<OrgId>{org_});
  ASSERT_TRUE(run_awaitable(config_->rename_queue(org_, queue->id, "Sales EU")));
  EXPECT_EQ(std::exchange(changed_, {}), std::vector<OrgId>{org_});

  AgentChanges agent;
  agent.desktop_profile = std::optional<DesktopProfileId>{profile->id};
  agent.queues = std::vector<QueueId>{queue->id};
  ASSERT_TRUE(run_awaitable(config_->put_agent(org_, agent_, agent)));
  EXPECT_EQ(std::exchange(changed_, {}), std::vector<OrgId>{org_});
  ASSERT_TRUE(run_awaitable(config_->delete_agent(org_, agent_)));
  EXPECT_EQ(std::exchange(changed_, {}), std::vector<OrgId>{org_});

  ASSERT_TRUE(run_awaitable(config_->delete_queue(org_, queue->id)));
  EXPECT_EQ(std::exchange(changed_, {}), std::vector<OrgId>{org_});
  ASSERT_TRUE(run_awaitable(config_->delete_desktop_profile(org_, profile->id)));
  EXPECT_EQ(std::exchange(changed_, {}), std::vector<OrgId>{org_});
  ASSERT_TRUE(run_awaitable(config_->delete_idle_code(org_, code->id)));
  EXPECT_EQ(std::exchange(changed_, {}), std::vector<OrgId>{org_});
}

TEST_P(CcStoreTest, ConfigReadsAndRefusedWritesReportNoChange) {
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
  EXPECT_TRUE(changed_.empty());
}

// PostgreSQL checks the references to an idle code at COMMIT (its schema says why); the store
// still answers "in use" at its own delete, as SQLite's RESTRICT does, so a job that meets it
// goes on, and what it wrote besides lasts.
TEST_P(CcStoreTest, AHeldIdleCodeIsRefusedAtItsDeleteAndTheJobGoesOn) {
  auto lunch = cc_->create_idle_code(org_, IdleCode{IdleCodeId{}, org_, "Lunch", false, true});
  auto dnd = cc_->create_idle_code(org_, IdleCode{IdleCodeId{}, org_, "Teams DND", false, true});
  ASSERT_TRUE(lunch && dnd);
  DesktopProfile p;
  p.org = org_;
  p.name = "Sales";
  p.allowed_idle_codes = {lunch->id};
  ASSERT_TRUE(cc_->create_desktop_profile(p));
  TeamsConnector c;
  c.org = org_;
  c.status = ConnectorStatus::active;
  c.updated_at = kT0;
  c.mapping = PresenceMapping({{Availability::do_not_disturb, std::nullopt, dnd->id}});
  ASSERT_TRUE(backend_.stores().connectors().save_connector(c, 0));

  struct Outcome {
    Result<void> by_profile;
    Result<void> by_mapping;
    Result<CcQueue> afterwards;
  };
  auto job = [&](Stores& s) {
    ContactCenterStore& cc = s.contact_center();
    return Outcome{cc.delete_idle_code(org_, lunch->id), cc.delete_idle_code(org_, dnd->id),
                   cc.create_queue(CcQueue{QueueId{}, org_, "After"})};
  };
  Outcome out = run_awaitable(backend_.store().run(job));
  ASSERT_FALSE(out.by_profile);
  EXPECT_EQ(out.by_profile.error().code, Errc::conflict);
  ASSERT_FALSE(out.by_mapping);
  EXPECT_EQ(out.by_mapping.error().code, Errc::conflict);
  ASSERT_TRUE(out.afterwards) << out.afterwards.error().message;
  EXPECT_TRUE(cc_->get_idle_code(org_, lunch->id));
  EXPECT_TRUE(cc_->get_idle_code(org_, dnd->id));
  EXPECT_TRUE(cc_->get_queue(org_, out.afterwards->id));

  // Outside a job too (the synchronous side: one transaction per call).
  EXPECT_EQ(cc_->delete_idle_code(org_, lunch->id).error().code, Errc::conflict);
  auto free = cc_->create_idle_code(org_, IdleCode{IdleCodeId{}, org_, "Free", false, true});
  ASSERT_TRUE(free);
  EXPECT_TRUE(cc_->delete_idle_code(org_, free->id));
}

// Removing an organisation cascades to every row of it. PostgreSQL removes it with a profile
// still allowing its code and an agent still on its profile (those references are deferred: the
// cascade goes through both ends of each); SQLite's RESTRICT refuses that half-way, so there
// they are released first. Nothing in ccteams removes an organisation yet (no port call).
TEST_P(CcStoreTest, AnOrganisationGoesWithEverythingOfIt) {
  auto lunch = cc_->create_idle_code(org_, IdleCode{IdleCodeId{}, org_, "Lunch", false, true});
  ASSERT_TRUE(lunch);
  DesktopProfile p;
  p.org = org_;
  p.name = "Sales";
  p.allowed_idle_codes = {lunch->id};
  auto profile = cc_->create_desktop_profile(p);
  auto queue = cc_->create_queue(CcQueue{QueueId{}, org_, "Sales"});
  ASSERT_TRUE(profile && queue);
  ASSERT_TRUE(cc_->put_agent(AgentConfig{agent_, org_, profile->id, {queue->id}, std::nullopt}));
  AgentState s = logged_out_agent(agent_, kT0);
  s.status = AgentStatus::available;
  ASSERT_TRUE(cc_flow::put_state(*cc_, org_, s));
  Contact offered = new_contact(ContactId{}, org_, queue->id, "+15550100", kT0);
  offered.offers = 1;
  ASSERT_TRUE(cc_->put_contact(offered));
  ASSERT_TRUE(cc_flow::append_one(*cc_, org_, agent_, "agent.state", kT0, "{}"));
  ASSERT_TRUE(cc_->create_queue(CcQueue{QueueId{}, other_, "Theirs"}));

  if (GetParam() == StoreBackend::sqlite) {
    p = *profile;
    p.allowed_idle_codes.clear();
    ASSERT_TRUE(cc_->update_desktop_profile(p));
    ASSERT_TRUE(cc_->put_agent(AgentConfig{agent_, org_, std::nullopt, {queue->id}, std::nullopt}));
  }
  ASSERT_EQ(backend_.exec("DELETE FROM organisations WHERE id = " + std::to_string(org_.value)),
            "");
  for (const char* table :
       {"idle_codes", "desktop_profiles", "desktop_profile_idle_codes", "agent_settings",
        "agent_queues", "agent_states", "contacts", "cc_events", "queue_counters"}) {
    EXPECT_EQ(backend_.query_int(std::string("SELECT COUNT(*) FROM ") + table +
                                 " WHERE org_id = " + std::to_string(org_.value)),
              0)
        << table;
  }
  EXPECT_EQ(backend_.query_int("SELECT COUNT(*) FROM queues"), 1);  // the other org's
}

// Queue counters move with the contacts that carry them, in the statement that stores them.
TEST_P(CcStoreTest, QueueCountersFollowTheContactsCounts) {
  auto queue = cc_->create_queue(CcQueue{QueueId{}, org_, "Sales"});
  ASSERT_TRUE(queue);
  EXPECT_TRUE(cc_->list_queue_counts(org_)->empty());
  Contact c = new_contact(ContactId{}, org_, queue->id, "+15550100", kT0);
  c.offers = 1;
  auto stored = cc_->put_contact(c);
  ASSERT_TRUE(stored);
  Contact later = *stored;
  later.offers = 3;
  later.ronas = 2;
  later.answers = 1;
  ASSERT_TRUE(cc_->put_contact(later));
  ASSERT_TRUE(cc_->put_contact(new_contact(ContactId{}, org_, queue->id, "+15550101", kT0)));
  auto counts = cc_->list_queue_counts(org_);
  ASSERT_TRUE(counts);
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0], (QueueCounts{queue->id, 3, 1, 2}));
  EXPECT_TRUE(cc_->list_queue_counts(other_)->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, CcStoreTest, testing::kAllBackends, testing::backend_name);

}  // namespace
}  // namespace ccteams::store
