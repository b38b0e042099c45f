// The Teams-connector store on every backend (SQLite and PostgreSQL): one connector per org,
// optimistic versions, mapping rules bound to the org's idle codes (RESTRICT), consent requests
// claimed once and stored by digest only, and the audit log paged newest first.
#include <gtest/gtest.h>

#include "adapters/store/store_backends_test_support.hpp"

namespace ccteams::store {
namespace {

using testing::StoreBackend;

const Timestamp kT0 = from_unix_millis(1'790'000'000'000);

class ConnectorStoreTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    ASSERT_EQ(backend_.open(), "");
    store_ = &backend_.stores().connectors();
    org_ = backend_.stores().accounts().create_org("A", kT0)->id;
    other_ = backend_.stores().accounts().create_org("B", kT0)->id;
    dnd_ = code(org_, "Teams - Do not disturb");
    call_ = code(org_, "Teams - In a call");
    foreign_ = code(other_, "Theirs");
  }

  IdleCodeId code(OrgId org, const std::string& name) {
    IdleCode c;
    c.name = name;
    return backend_.stores().contact_center().create_idle_code(org, c)->id;
  }
  Result<void> delete_code(OrgId org, IdleCodeId id) {
    return backend_.stores().contact_center().delete_idle_code(org, id);
  }

  TeamsConnector active() const {
    TeamsConnector c;
    c.org = org_;
    c.status = ConnectorStatus::active;
    c.tenant_id = "tid-1";
    c.consented_by = UserId{7};
    c.consented_by_username = "root";
    c.consented_at = kT0;
    c.consented_by_entra_upn = "ada@contoso.example";
    c.consented_by_entra_oid = "oid-of-ada";
    c.granted_permissions = {"User.Read.All", "Presence.ReadWrite.All"};
    c.show_user_details = false;
    c.mapping = PresenceMapping({{Availability::do_not_disturb, std::nullopt, dnd_},
                                 {Availability::busy, Activity::in_a_call, call_}});
    c.updated_at = kT0;
    return c;
  }

  testing::BackendStore backend_{GetParam()};
  ConnectorStore* store_ = nullptr;
  OrgId org_, other_;
  IdleCodeId dnd_, call_, foreign_;
};

TEST_P(ConnectorStoreTest, NoConnectorUntilSavedThenRoundTripsEveryField) {
  auto none = store_->find_connector(org_);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  auto saved = store_->save_connector(active(), 0);
  ASSERT_TRUE(saved) << saved.error().message;
  EXPECT_EQ(saved->version, 1);
  auto back = store_->find_connector(org_);
  ASSERT_TRUE(back && back->has_value());
  EXPECT_EQ(**back, *saved);
  EXPECT_FALSE(store_->find_connector(other_)->has_value());  // another org sees nothing
}

TEST_P(ConnectorStoreTest, OnlyOneConnectorPerOrgAndStaleVersionsAreRefused) {
  ASSERT_TRUE(store_->save_connector(active(), 0));
  auto twice = store_->save_connector(active(), 0);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Errc::conflict);
  auto c = active();
  c.status = ConnectorStatus::inactive;
  auto v2 = store_->save_connector(c, 1);
  ASSERT_TRUE(v2) << v2.error().message;
  EXPECT_EQ(v2->version, 2);
  auto stale = store_->save_connector(active(), 1);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Errc::conflict);
  EXPECT_EQ((*store_->find_connector(org_))->status, ConnectorStatus::inactive);
}

TEST_P(ConnectorStoreTest, ATenantBelongsToOneOrganisationAtMost) {
  ASSERT_TRUE(store_->save_connector(active(), 0));
  EXPECT_EQ(*store_->find_org_by_tenant("tid-1"), std::optional<OrgId>{org_});
  EXPECT_FALSE(store_->find_org_by_tenant("tid-2")->has_value());
  EXPECT_FALSE(store_->find_org_by_tenant("")->has_value());
  // Another organisation cannot take it, by insert or by update, and nothing of theirs changes.
  TeamsConnector theirs;
  theirs.org = other_;
  theirs.status = ConnectorStatus::authorizing;
  theirs.updated_at = kT0;
  ASSERT_TRUE(store_->save_connector(theirs, 0));  // no tenant yet: fine beside org_'s
  theirs.tenant_id = "tid-1";
  theirs.status = ConnectorStatus::active;
  auto taken = store_->save_connector(theirs, 1);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, Errc::conflict);
  EXPECT_EQ(taken.error().message, std::string(kTenantTakenMessage));
  EXPECT_EQ((*store_->find_connector(other_))->status, ConnectorStatus::authorizing);
  // The database itself refuses it, whatever the code in front of it does.
  EXPECT_NE(backend_.exec("UPDATE teams_connectors SET tenant_id = 'tid-1' WHERE org_id = " +
                          std::to_string(other_.value)),
            "");
}

TEST_P(ConnectorStoreTest, MappingMustUseTheOrgsIdleCodesAndRefusalChangesNothing) {
  ASSERT_TRUE(store_->save_connector(active(), 0));
  auto c = active();
  c.mapping = PresenceMapping({{Availability::away, std::nullopt, foreign_}});
  auto r = store_->save_connector(c, 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  auto back = store_->find_connector(org_);
  EXPECT_EQ((*back)->mapping, active().mapping);
  EXPECT_EQ((*back)->version, 1);
}

TEST_P(ConnectorStoreTest, MappedIdleCodeCannotBeDeleted) {
  ASSERT_TRUE(store_->save_connector(active(), 0));
  auto del = delete_code(org_, dnd_);
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().code, Errc::conflict) << del.error().message;
}

TEST_P(ConnectorStoreTest, DeleteRemovesConnectorMappingAndConsentRequestsButKeepsAudit) {
  ASSERT_TRUE(store_->save_connector(active(), 0));
  ASSERT_TRUE(store_->put_consent_request({"d1", org_, UserId{7}, "root", "s", kT0, kT0, false}));
  ASSERT_TRUE(
      store_->append_audit({0, org_, UserId{7}, "root", "delete", AuditResult::ok, "x", kT0}));
  ASSERT_TRUE(store_->delete_connector(org_));
  EXPECT_FALSE(store_->find_connector(org_)->has_value());
  EXPECT_EQ(store_->claim_consent_request("d1").error().code, Errc::not_found);
  EXPECT_EQ(backend_.query_int("SELECT COUNT(*) FROM teams_connector_mapping_rules"), 0);
  EXPECT_EQ(store_->list_audit(org_, 10, std::nullopt)->size(), 1u);
  EXPECT_TRUE(delete_code(org_, dnd_));  // no longer mapped
  EXPECT_EQ(store_->delete_connector(org_).error().code, Errc::not_found);
}

TEST_P(ConnectorStoreTest, ConsentRequestIsClaimedOnceAndCanBeReleased) {
  const ConsentRequest req{"digest", org_, UserId{7}, "root", "sess", kT0, kT0 + Millis(600'000),
                           false};
  ASSERT_TRUE(store_->put_consent_request(req));
  EXPECT_EQ(store_->put_consent_request(req).error().code, Errc::conflict);
  auto first = store_->claim_consent_request("digest");
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->used);
  EXPECT_EQ(first->org, org_);
  EXPECT_EQ(first->session_digest, "sess");
  EXPECT_EQ(first->expires_at, req.expires_at);
  auto second = store_->claim_consent_request("digest");
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->used);
  ASSERT_TRUE(store_->release_consent_request("digest"));
  EXPECT_FALSE(store_->claim_consent_request("digest")->used);
  EXPECT_EQ(store_->claim_consent_request("unknown").error().code, Errc::not_found);
  EXPECT_EQ(store_->prune_consent_requests(kT0 + Millis(600'001)).value(), 1);
}

// The two steps of a Set up round-trip what each carries (issue 23).
TEST_P(ConnectorStoreTest, ConsentRequestKeepsItsStageAndWhatTheSignInProved) {
  ConsentRequest sign_in{"d-sign-in",           org_, UserId{7}, "root", "sess", kT0,
                         kT0 + Millis(600'000), false};
  sign_in.nonce = "n-1";
  sign_in.sealed_code_verifier = "sealed-verifier";
  ConsentRequest consent{"d-consent",           org_, UserId{7}, "root", "sess", kT0,
                         kT0 + Millis(600'000), false};
  consent.stage = ConsentStage::consent;
  consent.tenant_id = "6f1c2a9e-1111-4222-8333-944455556666";
  consent.entra_upn = "ada@contoso.example";
  consent.entra_oid = "oid-of-ada";
  ASSERT_TRUE(store_->put_consent_request(sign_in));
  ASSERT_TRUE(store_->put_consent_request(consent));
  auto a = store_->claim_consent_request("d-sign-in");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->stage, ConsentStage::sign_in);
  EXPECT_EQ(a->nonce, "n-1");
  EXPECT_EQ(a->sealed_code_verifier, "sealed-verifier");
  EXPECT_TRUE(a->tenant_id.empty());
  auto b = store_->claim_consent_request("d-consent");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->stage, ConsentStage::consent);
  EXPECT_EQ(b->tenant_id, consent.tenant_id);
  EXPECT_EQ(b->entra_upn, "ada@contoso.example");
  EXPECT_EQ(b->entra_oid, "oid-of-ada");
}

TEST_P(ConnectorStoreTest, AuditIsPagedNewestFirstPerOrg) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_->append_audit({0, org_, UserId{7}, "root", "update", AuditResult::ok,
                                      "n" + std::to_string(i), kT0 + Millis(i)}));
  }
  ASSERT_TRUE(store_->append_audit(
      {0, other_, std::nullopt, "", "health", AuditResult::error, "theirs", kT0}));
  auto page = store_->list_audit(org_, 3, std::nullopt);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].detail, "n4");
  EXPECT_EQ((*page)[2].detail, "n2");
  auto rest = store_->list_audit(org_, 10, (*page)[2].id);
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[1].detail, "n0");
  auto theirs = store_->list_audit(other_, 10, std::nullopt);
  ASSERT_EQ(theirs->size(), 1u);
  EXPECT_FALSE((*theirs)[0].actor.has_value());
  EXPECT_EQ((*theirs)[0].result, AuditResult::error);
}

TEST_P(ConnectorStoreTest, OrgsWithStatus) {
  ASSERT_TRUE(store_->save_connector(active(), 0));
  EXPECT_EQ(store_->orgs_with_status(ConnectorStatus::active).value(), std::vector<OrgId>{org_});
  EXPECT_TRUE(store_->orgs_with_status(ConnectorStatus::inactive)->empty());
}

// Removing an organisation removes its connector, mapping and idle codes together: the
// mapping's reference to a code refuses a delete of the code alone, not the cascade.
TEST_P(ConnectorStoreTest, ConnectorAndMappingGoWithTheirOrganisation) {
  ASSERT_TRUE(store_->save_connector(active(), 0));
  ASSERT_EQ(backend_.exec("DELETE FROM organisations WHERE id = " + std::to_string(org_.value)),
            "");
  EXPECT_EQ(backend_.query_int("SELECT COUNT(*) FROM teams_connectors"), 0);
  EXPECT_EQ(backend_.query_int("SELECT COUNT(*) FROM teams_connector_mapping_rules"), 0);
  EXPECT_EQ(backend_.query_int("SELECT COUNT(*) FROM idle_codes WHERE org_id = " +
                               std::to_string(org_.value)),
            0);
  EXPECT_EQ(backend_.query_int("SELECT COUNT(*) FROM idle_codes"), 1);  // the other org's
}

INSTANTIATE_TEST_SUITE_P(Backends, ConnectorStoreTest, testing::kAllBackends,
                         testing::backend_name);

}  // namespace
}  // namespace ccteams::store
