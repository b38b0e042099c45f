// DirectoryService over a scripted tenant (FakeDirectoryGraph) and an in-memory store: the
// first sync mirrors /users and ends on a deltaLink; delta syncs add, change, remove and drop
// disabled users; an expired delta token runs a full resync; the mirror resumes from the store;
// removal deletes everything; the showUserDetails gate hides presence and the detail fields;
// presence is read in bulk; Teams users resolve to E.164 parties. What depends on time and
// Graph's latency: directory_service_time_test.cpp.
#include "app/directory_service.hpp"

#include "app/directory_service_test_support.hpp"

namespace ccteams::directory_test {
namespace {

TEST_F(DirectoryServiceTest, FirstSyncMirrorsTheListAndEndsOnADeltaLink) {
  auto report = sync();
  EXPECT_TRUE(report.full);
  EXPECT_EQ(report.users, 5u);
  EXPECT_EQ(graph_.list_calls, 1);
  EXPECT_EQ(graph_.delta_start_calls, 1);
  auto state = *store_.sync_state(kOrg);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->tenant, "tid-1");
  EXPECT_EQ(state->delta_link.rfind("delta:", 0), 0u);
  EXPECT_EQ(state->user_count, 5u);
  // Normalised once, at mirror time, with the reason when not dialable.
  auto stored = *store_.load_users(kOrg);
  for (const auto& u : stored) {
    if (u.user.id == "u2") {
      EXPECT_EQ(u.phone, "+14255550100");
    } else if (u.user.id == "u3") {
      EXPECT_EQ(u.dialability, Dialability::missing);
    } else if (u.user.id == "u4") {
      EXPECT_EQ(u.dialability, Dialability::not_e164);
    }
  }
  // The second sync follows the deltaLink.
  auto again = sync();
  EXPECT_FALSE(again.full);
  EXPECT_EQ(graph_.list_calls, 1);
  EXPECT_EQ(graph_.delta_calls, 1);
}

TEST_F(DirectoryServiceTest, DeltaAddsChangesRemovesAndDropsDisabledUsers) {
  sync();
  graph_.put(graph_user("u6", "Fay", "Quinn", "Billing"));  // added
  auto renamed = graph_user("u2", "Ben", "Moore-Hall", "Support");
  renamed.department.reset();  // Graph omitted it: the mirror keeps "Billing"
  graph_.put(renamed);
  graph_.remove("u5");
  graph_.disable("u1");
  auto report = sync();
  EXPECT_FALSE(report.full);
  EXPECT_EQ(report.upserted, 2u);
  EXPECT_EQ(report.removed, 2u);
  EXPECT_EQ(report.users, 4u);
  EXPECT_EQ(mirrored(), 4u);
  EXPECT_EQ(store_.load_users(kOrg)->size(), 4u);
  EXPECT_EQ(ids(search("fay")), std::vector<std::string>{"u6"});
  EXPECT_TRUE(search("eve").items.empty());
  EXPECT_TRUE(search("ada").items.empty());  // disabled: gone from search
  auto ben = search("moore-hall");
  ASSERT_EQ(ben.items.size(), 1u);
  EXPECT_EQ(ben.items[0].hit.user.user.department, "Billing");
  // The removed and the disabled are not consult targets either.
  auto r = run(service_->resolve_party(kOrg, "u5"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);
}

TEST_F(DirectoryServiceTest, ExpiredDeltaTokenRunsAFullResync) {
  sync();
  graph_.put(graph_user("u6", "Fay", "Quinn", "Billing"));
  graph_.expire_tokens();
  auto report = sync();
  EXPECT_TRUE(report.full);
  EXPECT_EQ(report.users, 6u);
  EXPECT_EQ(graph_.list_calls, 2);
}

TEST_F(DirectoryServiceTest, ResumesFromTheStoreAfterARestartWithoutAFullSync) {
  sync();
  graph_.put(graph_user("u6", "Fay", "Quinn", "Billing"));
  make_service();  // a restart: same store, new service
  run_void(service_->resume_all());
  EXPECT_EQ(graph_.list_calls, 1);  // no new full sync
  EXPECT_EQ(graph_.delta_calls, 1);
  EXPECT_EQ(mirrored(), 6u);
}

TEST_F(DirectoryServiceTest, RemovalDeletesMirrorIndexAndState) {
  sync();
  auto summary = run(service_->remove_connector_artefacts(kOrg, "tid-1"));
  ASSERT_TRUE(summary);
  EXPECT_EQ(*summary, "5 mirrored Teams directory users removed");
  EXPECT_EQ(mirrored(), 0u);
  EXPECT_FALSE(store_.sync_state(kOrg)->has_value());
  // Set up again: a full sync, not a delta on a dead token.
  auto report = sync();
  EXPECT_TRUE(report.full);
}

TEST_F(DirectoryServiceTest, InactiveConnectorRefusesSearchAndSync) {
  sync();
  connector_.reset();
  auto s = run(service_->search(caller(), DirectoryQuery{"billing"}));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::conflict);
  auto r = run(service_->sync(kOrg));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::conflict);
}

TEST_F(DirectoryServiceTest, SearchPutsTheDepartmentFirstWithPresenceReadInBulk) {
  sync();
  graph_.set_presence("u2", "Busy", "InACall");
  auto r = search("billing");
  EXPECT_TRUE(r.show_user_details);
  ASSERT_EQ(r.items.size(), 4u);
  // The surname prefix "Billings" (a name token) ranks first, then the whole-department
  // matches, by name.
  EXPECT_EQ(ids(r), (std::vector<std::string>{"u1", "u2", "u3", "u5"}));
  EXPECT_EQ(graph_.presence_calls, 1);
  EXPECT_EQ(graph_.presence_ids_read, 4u);
  ASSERT_TRUE(r.items[1].presence);
  EXPECT_EQ(r.items[1].presence->availability, "Busy");
  // Cached for a few seconds: browsing again does not call Graph.
  search("billing");
  EXPECT_EQ(graph_.presence_calls, 1);
  time_.advance(6s);
  search("billing");
  EXPECT_EQ(graph_.presence_calls, 2);
}

TEST_F(DirectoryServiceTest, GateOffHidesPresenceAndDetailFields) {
  sync();
  connector_->show_user_details = false;
  auto r = search("billing");
  EXPECT_FALSE(r.show_user_details);
  // Only the surname "Billings" matches: department and title are not searched.
  EXPECT_EQ(ids(r), std::vector<std::string>{"u1"});
  EXPECT_FALSE(r.items[0].presence);
  EXPECT_EQ(graph_.presence_calls, 0);
  DirectoryQuery filtered;
  filtered.department = "Billing";
  auto f = run(service_->search(caller(), filtered));
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::invalid_input);
  // Back on: the fields are searchable again without re-indexing.
  connector_->show_user_details = true;
  EXPECT_EQ(search("", "Billing").items.size(), 3u);
}

TEST_F(DirectoryServiceTest, PresenceFailureStillAnswersTheSearch) {
  sync();
  graph_.fail_presence(true);
  auto r = search("billing");
  EXPECT_TRUE(r.presence_unavailable);
  EXPECT_EQ(r.items.size(), 4u);
}

TEST_F(DirectoryServiceTest, ResolvesATeamsUserToItsE164NumberWithABusyWarning) {
  sync();
  graph_.set_presence("u2", "DoNotDisturb", "Presenting");
  auto r = run(service_->resolve_party(kOrg, "u2"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->party);
  EXPECT_EQ(r->party->number, "+14255550100");
  EXPECT_EQ(r->party->teams_user_id, "u2");
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0].code, "teams_user_busy");
  // Checked at that moment, not from the cache.
  graph_.set_presence("u2", "Available", "Available");
  auto again = run(service_->resolve_party(kOrg, "u2"));
  EXPECT_TRUE(again->warnings.empty());
  EXPECT_EQ(graph_.presence_calls, 2);
}

TEST_F(DirectoryServiceTest, NotDialableUsersResolveWithoutAPartyAndTheReason) {
  sync();
  auto missing = run(service_->resolve_party(kOrg, "u3"));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->party);
  EXPECT_EQ(missing->user.dialability, Dialability::missing);
  auto bad = run(service_->resolve_party(kOrg, "u4"));
  ASSERT_TRUE(bad);
  EXPECT_FALSE(bad->party);
  EXPECT_EQ(bad->user.dialability, Dialability::not_e164);
  EXPECT_EQ(graph_.presence_calls, 0);  // nothing to call, no presence read
}

TEST_F(DirectoryServiceTest, OnDemandSyncIsForAdminsOnly) {
  sync();
  auto refused = run(service_->sync_for(caller()));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::forbidden);
  auto ok = run(service_->sync_for(caller(RoleSet{Role::admin})));
  EXPECT_TRUE(ok);
}

TEST_F(DirectoryServiceTest, SearchBeforeTheFirstSyncIsUnavailable) {
  auto r = run(service_->search(caller(), DirectoryQuery{"billing"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unavailable);
}

}  // namespace
// With several instances (docs/postgresql.md), only the organisation's owner keeps its mirror:
// it loads and syncs on gaining the lease, drops the mirror on losing it; elsewhere searches,
// syncs and resolutions answer org_elsewhere and the schedule leaves the organisation alone.
TEST_F(DirectoryServiceTest, OnlyTheOrganisationsOwnerKeepsAndSyncsItsMirror) {
  struct Switch final : OrgOwnership {
    bool owned = false;
    bool serves(OrgId) const override { return owned; }
  } ownership;
  DirectoryServiceOptions options;
  options.ownership = &ownership;
  make_service(options);

  run_void(service_->resume_all());
  run_void(service_->sync_all());
  EXPECT_EQ(graph_.list_calls, 0);
  DirectoryQuery query;
  query.text = "ada";
  auto refused = run(service_->search(caller(), query));
  ASSERT_FALSE(refused);
  EXPECT_TRUE(is_org_elsewhere(refused.error())) << refused.error().message;
  auto sync_refused = run(service_->sync(kOrg));
  ASSERT_FALSE(sync_refused);
  EXPECT_TRUE(is_org_elsewhere(sync_refused.error()));
  auto resolve_refused = run(service_->resolve_party(kOrg, "u2"));
  ASSERT_FALSE(resolve_refused);
  EXPECT_TRUE(is_org_elsewhere(resolve_refused.error()));
  EXPECT_EQ(mirrored(), 0u);

  ownership.owned = true;
  service_->org_gained(kOrg);
  settle([this] { return graph_.list_calls == 1 && store_.sync_state(kOrg)->has_value(); });
  EXPECT_EQ(mirrored(), 5u);
  EXPECT_EQ(ids(search("ada")), std::vector<std::string>{"u1"});

  ownership.owned = false;
  service_->org_lost(kOrg);
  testing::SimulatedTime::drain(ioc_);
  EXPECT_EQ(mirrored(), 0u);  // out of memory; the stored mirror stays for the next owner
  EXPECT_EQ((*store_.load_users(kOrg)).size(), 5u);

  // Gained again: loaded from the store and followed by a delta sync, no new full sync.
  ownership.owned = true;
  service_->org_gained(kOrg);
  settle([this] { return graph_.delta_calls == 1; });
  EXPECT_EQ(graph_.list_calls, 1);
  EXPECT_EQ(mirrored(), 5u);
}

}  // namespace ccteams::directory_test
