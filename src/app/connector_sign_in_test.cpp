// Issue 23: the tenant a Set up binds is the one the administrator's verified ID token proves.
// The consent redirect's `tenant` is browser text and can be forged: it must equal the proven
// tenant, the app token must name it too, and the account must be a tenant administrator.
// Every refusal changes nothing and is audited.
#include "app/connector_service_test_support.hpp"

namespace ccteams::connector_test {
namespace {

const std::string kOtherTenant = "0c0ffee0-2222-4333-8444-955566667777";
const std::string kUserRole = "b79fbf4d-3ef9-4689-8143-76b194e85509";

TEST_F(ConnectorServiceTest, SignInRedeemsTheCodeVerifiesTheIdTokenThenAsksThatTenantOnly) {
  auto start = run(service_->authorize(admin_));
  ASSERT_TRUE(start);
  const std::string url = start->authorization_url;
  auto step = run(service_->callback(signed_in(state_of(url), "the-code")));
  ASSERT_TRUE(step) << step.error().message;
  ASSERT_TRUE(step->redirect_url);
  EXPECT_FALSE(step->connector);

  // The code went to the organizations authority with the verifier behind the challenge.
  EXPECT_EQ(entra_.last_code_tenant, "organizations");
  EXPECT_EQ("S256(" + entra_.last_code_verifier + ")", query_value(url, "code_challenge"));
  EXPECT_EQ(entra_.last_code_scope, std::string(kAdminSignInScopes));
  // The ID token was verified for our app and the nonce of this sign-in.
  ASSERT_EQ(id_tokens_.seen.size(), 1u);
  EXPECT_EQ(id_tokens_.tokens[0], "id-token:the-code");
  EXPECT_EQ(id_tokens_.seen[0].client_id, "app-id");
  EXPECT_EQ(id_tokens_.seen[0].nonce, query_value(url, "nonce"));
  EXPECT_EQ(entra_.role_calls, 0);  // wids was in the token

  // Admin consent goes to the proven tenant, never to organizations or common.
  const std::string consent_state = state_of(*step->redirect_url);
  ASSERT_EQ(links_.consents.size(), 1u);
  const AdminConsentLinkRequest& asked = links_.consents[0];
  EXPECT_EQ(asked.tenant, entra_.tid);
  EXPECT_EQ(asked.client_id, "app-id");
  EXPECT_EQ(asked.redirect_uri, "https://cc.example/api/v1/connectors/msteams/callback");
  EXPECT_EQ(asked.state, consent_state);
  EXPECT_EQ(*step->redirect_url, "consent:" + entra_.tid + "?state=" + consent_state);
  ConsentRequest stored;
  for (const auto& r : store_.requests()) {
    if (r.state_digest == "d(" + consent_state + ")") stored = r;
  }
  EXPECT_EQ(stored.stage, ConsentStage::consent);
  EXPECT_EQ(stored.tenant_id, entra_.tid);
  EXPECT_EQ(stored.entra_upn, "ada@contoso.example");
  EXPECT_EQ(stored.entra_oid, "oid-of-ada");
  EXPECT_EQ(stored.session_digest, admin_.session_digest);
  EXPECT_EQ(audit().front().action, "sign-in");
  EXPECT_NE(audit().front().detail.find("ada@contoso.example"), std::string::npos);
  EXPECT_EQ(entra_.calls, 0);  // no app token yet: nothing is consented so far
  EXPECT_EQ(current(org_).status, ConnectorStatus::authorizing);
}

// The attack of the issue: A's admin finishes the consent with B's tenant id.
TEST_F(ConnectorServiceTest, AForgedTenantInTheConsentAnswerIsRefusedAndChangesNothing) {
  auto state = sign_in_step(admin_);
  ASSERT_TRUE(state);
  const int writes = store_.writes;
  auto forged = accepted(*state);
  forged.tenant = kOtherTenant;
  auto r = run(service_->callback(forged));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::forbidden);
  EXPECT_NE(r.error().message.find("another Microsoft 365 tenant"), std::string::npos);
  EXPECT_EQ(entra_.calls, 0);  // not even an app token was asked for B's tenant
  EXPECT_EQ(store_.writes, writes);
  EXPECT_EQ(current(org_).status, ConnectorStatus::authorizing);
  EXPECT_TRUE(current(org_).tenant_id.empty());
  EXPECT_EQ(audit().front().result, AuditResult::error);
  // The state is spent: replaying it with the right tenant does not help.
  EXPECT_NE(run(service_->callback(accepted(*state))).error().message.find("already used"),
            std::string::npos);
}

TEST_F(ConnectorServiceTest, TheSignInStepCannotBeSkippedWithAConsentShapedAnswer) {
  auto start = run(service_->authorize(admin_));
  auto r = run(service_->callback(accepted(state_of(start->authorization_url))));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);
  EXPECT_EQ(entra_.code_calls, 0);
  EXPECT_EQ(entra_.calls, 0);
  EXPECT_EQ(current(org_).status, ConnectorStatus::authorizing);
}

TEST_F(ConnectorServiceTest, AnIdTokenThatFailsVerificationIsRefused) {
  id_tokens_.refusal = make_error(Errc::unauthenticated,
                                  "The Microsoft Entra ID token was refused: nonce (replayed)");
  auto r = sign_in_step(admin_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::forbidden);
  EXPECT_NE(r.error().message.find("nonce"), std::string::npos);
  EXPECT_EQ(store_.requests().size(), 1u);  // no consent step was created
  EXPECT_EQ(entra_.role_calls, 0);
  EXPECT_EQ(audit().front().result, AuditResult::error);

  id_tokens_.refusal = make_error(Errc::unavailable, "Entra signing keys unavailable");
  EXPECT_EQ(sign_in_step(admin_).error().code, Errc::unavailable);
}

TEST_F(ConnectorServiceTest, EntraFailuresAtTheSignInAreRefusedClearly) {
  const std::vector<std::pair<FakeEntraScript::SignIn, Errc>> rows = {
      {FakeEntraScript::SignIn::refused, Errc::forbidden},
      {FakeEntraScript::SignIn::unavailable, Errc::unavailable},
      {FakeEntraScript::SignIn::no_id_token, Errc::forbidden},
  };
  for (const auto& [answer, code] : rows) {
    entra_.sign_in = answer;
    auto r = sign_in_step(admin_);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, code) << r.error().message;
    EXPECT_TRUE(id_tokens_.seen.empty());
  }
  EXPECT_EQ(current(org_).status, ConnectorStatus::authorizing);
}

TEST_F(ConnectorServiceTest, AnAccountWithoutAnAdminRoleIsRefusedAtTheSignIn) {
  id_tokens_.proves.wids = std::vector<std::string>{kUserRole};
  auto r = sign_in_step(admin_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::forbidden);
  EXPECT_NE(r.error().message.find("ada@contoso.example is not a Global Administrator or "
                                   "Privileged Role Administrator"),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(entra_.role_calls, 0);  // wids answered
  id_tokens_.proves.wids =
      std::vector<std::string>{kUserRole, std::string(kPrivilegedRoleAdministratorRole)};
  EXPECT_TRUE(sign_in_step(admin_));
}

// Entra emits wids only when the registration asks for directory roles in tokens: without it
// the roles are read from Graph with the sign-in's delegated token.
TEST_F(ConnectorServiceTest, WithoutWidsTheRolesAreReadFromGraph) {
  id_tokens_.proves.wids.reset();
  struct Row {
    std::vector<std::string> roles;
    bool complete;
    FakeEntraScript::Roles answer;
    std::optional<Errc> refused;
    const char* says;
  };
  const std::vector<Row> rows = {
      {{std::string(kPrivilegedRoleAdministratorRole)},
       true,
       FakeEntraScript::Roles::ok,
       std::nullopt,
       ""},
      {{kUserRole}, true, FakeEntraScript::Roles::ok, Errc::forbidden, "is not a Global"},
      {{}, false, FakeEntraScript::Roles::ok, Errc::forbidden, "groupMembershipClaims"},
      {{}, true, FakeEntraScript::Roles::refused, Errc::forbidden, "refused to read"},
      {{}, true, FakeEntraScript::Roles::unavailable, Errc::unavailable, "could not be reached"},
  };
  int calls = 0;
  for (const auto& row : rows) {
    entra_.directory_roles = row.roles;
    entra_.directory_roles_complete = row.complete;
    entra_.roles_answer = row.answer;
    auto r = sign_in_step(admin_);
    EXPECT_EQ(entra_.role_calls, ++calls);
    if (!row.refused) {
      EXPECT_TRUE(r) << r.error().message;
      continue;
    }
    ASSERT_FALSE(r) << row.says;
    EXPECT_EQ(r.error().code, *row.refused) << r.error().message;
    EXPECT_NE(r.error().message.find(row.says), std::string::npos) << r.error().message;
  }
}

TEST_F(ConnectorServiceTest, AConnectorKeepsItsTenantWhenReauthorised) {
  ASSERT_TRUE(consent(admin_));
  entra_.answer = FakeEntraScript::Answer::refused;
  ASSERT_EQ(run(service_->check_health(org_)).value(), ConnectorStatus::authorization_error);
  entra_.answer = FakeEntraScript::Answer::token;

  // The admin signs in to another tenant: refused, the connector still names its own.
  const std::string own = entra_.tid;
  id_tokens_.proves.tid = kOtherTenant;
  auto r = sign_in_step(admin_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::conflict);
  EXPECT_NE(r.error().message.find("belongs to the Microsoft 365 tenant " + own),
            std::string::npos);
  EXPECT_EQ(current(org_).tenant_id, own);

  // Its own tenant's administrator re-authorises it.
  id_tokens_.proves.tid = own;
  auto back = consent(admin_);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->status, ConnectorStatus::active);
}

// [cluster] Entra's redirect lands on any instance. One that does not serve the organisation
// uses nothing up (the HTTP layer forwards the redirect to the owner): no call to Entra, no
// participant told, and the same state then completes on the owner, whose participants start.
TEST_F(ConnectorServiceTest, ACallbackOnANonOwnerUsesNothingUpAndTheOwnerCompletesIt) {
  struct ServesNothing final : OrgOwnership {
    bool serves(OrgId) const override { return false; }
  };
  const ServesNothing elsewhere;
  ConnectorServiceConfig config;
  config.client_id = "app-id";
  config.redirect_uri = "https://cc.example/api/v1/connectors/msteams/callback";
  config.ownership = &elsewhere;
  ConnectorService non_owner(port_, *graph_, id_tokens_, links_, sealer_, pkce_, tokens_, clock_,
                             config);
  RecordingParticipant non_owner_participant;
  non_owner.add_participant(non_owner_participant);

  auto start = run(service_->authorize(admin_));
  ASSERT_TRUE(start);
  const auto sign_in = signed_in(state_of(start->authorization_url));
  auto refused = run(non_owner.callback(sign_in));
  ASSERT_FALSE(refused);
  EXPECT_TRUE(is_org_elsewhere(refused.error())) << refused.error().message;
  EXPECT_EQ(entra_.code_calls, 0);

  auto step = run(service_->callback(sign_in));
  ASSERT_TRUE(step) << step.error().message;
  ASSERT_TRUE(step->redirect_url);
  const auto consented = accepted(state_of(*step->redirect_url));
  auto refused_again = run(non_owner.callback(consented));
  ASSERT_FALSE(refused_again);
  EXPECT_TRUE(is_org_elsewhere(refused_again.error()));
  EXPECT_EQ(current(org_).status, ConnectorStatus::authorizing);

  auto done = run(service_->callback(consented));
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->connector->status, ConnectorStatus::active);
  EXPECT_EQ(participant_.calls, std::vector<std::string>{"active 1 " + entra_.tid});
  EXPECT_TRUE(non_owner_participant.calls.empty());
  // A used state is refused as such anywhere: nothing to forward.
  auto replay = run(non_owner.callback(consented));
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, Errc::conflict);
}

}  // namespace
}  // namespace ccteams::connector_test
