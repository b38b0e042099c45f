// ConnectorService with a scripted Entra and in-memory stores: the Set up's common checks
// (state, session binding, error-first, tenant confirmation), features and mapping, the
// lifecycle steps, authorisation errors, health checks, participants and the audit log. The
// sign-in step's proofs are in connector_sign_in_test.cpp.
#include "app/connector_service_test_support.hpp"

namespace ccteams::connector_test {
namespace {

TEST_F(ConnectorServiceTest, NotConfiguredUntilSetUpAndOnlyAdminsMayLook) {
  EXPECT_EQ(current(org_).status, ConnectorStatus::not_configured);
  EXPECT_EQ(run(service_->list(supervisor_)).error().code, Errc::forbidden);
  EXPECT_EQ(run(service_->authorize(supervisor_)).error().code, Errc::forbidden);
}

// Nothing is on before Set up: the console must not show the optional features switched on
// for a connector that does not exist (issue 19; Set up applies the server's default).
TEST_F(ConnectorServiceTest, ANeverSetUpConnectorReportsTheOptionalFeaturesOff) {
  auto c = run(service_->get(admin_));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->status, ConnectorStatus::not_configured);
  EXPECT_FALSE(c->show_user_details);
  EXPECT_FALSE(c->presence_sync);
}

TEST_F(ConnectorServiceTest, AuthorizeStartsTheSignInAndStoresOnlyTheDigest) {
  auto start = run(service_->authorize(admin_));
  ASSERT_TRUE(start) << start.error().message;
  // tok1 is the state, tok2..tok16 the PKCE verifier, tok17 the nonce (CountingTokens).
  const std::string verifier =
      "tok2tok3tok4tok5tok6tok7tok8tok9tok10tok11tok12tok13tok14tok15tok16";
  // The link's wire form is EntraLinkBuilder's (adapters/graph/entra_link_builder_test.cpp).
  ASSERT_EQ(links_.sign_ins.size(), 1u);
  const SignInLinkRequest& asked = links_.sign_ins[0];
  EXPECT_EQ(asked.tenant, "organizations");
  EXPECT_EQ(asked.client_id, "app-id");
  EXPECT_EQ(asked.redirect_uri, "https://cc.example/api/v1/connectors/msteams/callback");
  EXPECT_EQ(asked.scope, "openid profile User.Read");
  EXPECT_EQ(asked.state, "tok1");
  EXPECT_EQ(asked.nonce, "tok17");
  EXPECT_EQ(asked.code_challenge, "S256(" + verifier + ")");
  EXPECT_EQ(start->authorization_url.rfind("sign-in:organizations?state=tok1&", 0), 0u);
  EXPECT_EQ(start->expires_at, kT0 + std::chrono::minutes(10));
  auto requests = store_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].state_digest, "d(tok1)");
  EXPECT_EQ(requests[0].session_digest, admin_.session_digest);
  EXPECT_EQ(requests[0].stage, ConsentStage::sign_in);
  EXPECT_EQ(requests[0].nonce, "tok17");
  // The verifier is stored sealed, bound to this request.
  EXPECT_EQ(requests[0].sealed_code_verifier.find(verifier), std::string::npos);
  EXPECT_EQ(current(org_).status, ConnectorStatus::authorizing);
  EXPECT_EQ(current(other_org_).status, ConnectorStatus::not_configured);
}

TEST_F(ConnectorServiceTest, AcceptedConsentConfirmsTheTenantAndActivatesWithDefaults) {
  clock_.advance(std::chrono::minutes(3));
  auto c = consent(admin_);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->status, ConnectorStatus::active);
  EXPECT_EQ(c->tenant_id, entra_.tid);
  EXPECT_EQ(entra_.last_tenant, entra_.tid);
  EXPECT_EQ(c->consented_by, admin_.user_id);
  EXPECT_EQ(c->consented_by_username, "root");
  EXPECT_EQ(c->consented_at, clock_.now());
  EXPECT_EQ(c->consented_by_entra_upn, "ada@contoso.example");
  EXPECT_EQ(c->consented_by_entra_oid, "oid-of-ada");
  EXPECT_EQ(c->granted_permissions, entra_.roles);
  ASSERT_EQ(c->mapping.rules().size(), 4u);
  std::vector<std::string> names;
  for (const auto& [_, code] : codes_.codes) names.push_back(code.name);
  EXPECT_EQ(names, (std::vector<std::string>{kTeamsDndCodeName, kTeamsInACallCodeName,
                                             kTeamsConferenceCodeName, kTeamsPresentingCodeName}));
  EXPECT_EQ(c->mapping.lookup(make_presence(Availability::busy, Activity::in_a_call)),
            IdleCodeId{101});
  EXPECT_EQ(participant_.calls, std::vector<std::string>{"active 1 " + entra_.tid});
  auto act = run(service_->active(org_));
  ASSERT_TRUE(act);
  EXPECT_EQ(act->tenant, entra_.tid);
  EXPECT_EQ(run(service_->active_tenant_lookup()(org_)).value(), entra_.tid);
  EXPECT_EQ(run(service_->active(other_org_)).error().code, Errc::not_found);
  EXPECT_EQ(audit().front().action, "callback");
  EXPECT_EQ(audit().front().result, AuditResult::ok);
}

TEST_F(ConnectorServiceTest, ExistingIdleCodesAreReusedByName) {
  auto mine = codes_.create_idle_code(org_, IdleCode{{}, org_, kTeamsDndCodeName, false, true});
  ASSERT_TRUE(consent(admin_));
  EXPECT_EQ(codes_.codes.size(), 4u);
  EXPECT_EQ(current(org_).mapping.lookup(
                make_presence(Availability::do_not_disturb, Activity::do_not_disturb)),
            mine->id);
}

TEST_F(ConnectorServiceTest, ReplayedForgedAndExpiredStatesChangeNothing) {
  auto start = run(service_->authorize(admin_));
  const std::string sign_in_state = state_of(start->authorization_url);
  auto step = run(service_->callback(signed_in(sign_in_state)));
  ASSERT_TRUE(step && step->redirect_url);
  const std::string state = state_of(*step->redirect_url);
  ASSERT_TRUE(run(service_->callback(accepted(state))));
  const int writes = store_.writes;
  for (const auto& replayed : {accepted(state), signed_in(sign_in_state)}) {
    auto replay = run(service_->callback(replayed));
    ASSERT_FALSE(replay);
    EXPECT_NE(replay.error().message.find("already used"), std::string::npos);
  }
  auto forged = run(service_->callback(accepted("tok999")));
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().code, Errc::invalid_input);
  EXPECT_FALSE(run(service_->callback(accepted(""))));
  EXPECT_EQ(store_.writes, writes);
  EXPECT_EQ(entra_.calls, 1);
  EXPECT_EQ(entra_.code_calls, 1);

  ASSERT_TRUE(run(service_->deactivate(admin_)));
  ASSERT_TRUE(run(service_->remove(admin_)));
  auto again = run(service_->authorize(admin_));
  clock_.advance(std::chrono::minutes(10));
  auto late = run(service_->callback(signed_in(state_of(again->authorization_url))));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().message, "The Set up request expired; start again with Set up");
  EXPECT_EQ(current(org_).status, ConnectorStatus::authorizing);
}

TEST_F(ConnectorServiceTest, EntraErrorIsCheckedFirstAndRecorded) {
  auto state = sign_in_step(admin_);
  ASSERT_TRUE(state) << state.error().message;
  auto r = run(service_->callback(entra_error(
      *state, "access_denied", "AADSTS90094: Admin consent is required.\r\nTrace ID: 1")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::forbidden);
  EXPECT_NE(r.error().message.find("not a Global Administrator or Privileged Role Administrator "
                                   "(AADSTS90094)"),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(entra_.calls, 0);  // no app token was asked for
  EXPECT_EQ(current(org_).status, ConnectorStatus::authorizing);
  EXPECT_EQ(audit().front().result, AuditResult::error);
  EXPECT_EQ(audit().front().detail, r.error().message);

  auto cancel = sign_in_step(admin_);
  auto c =
      run(service_->callback(entra_error(*cancel, "consent_required", "AADSTS65004: declined")));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("cancelled"), std::string::npos);

  // An error at the sign-in step: no code is redeemed.
  auto start = run(service_->authorize(admin_));
  auto s = run(service_->callback(entra_error(state_of(start->authorization_url), "access_denied",
                                              "AADSTS65004: the user cancelled")));
  ASSERT_FALSE(s);
  EXPECT_EQ(entra_.code_calls, 2);
}

TEST_F(ConnectorServiceTest, TenantIsConfirmedByTheTokenNotTheParameter) {
  // The app token names another tenant than the one the sign-in proved.
  entra_.tid = "99999999-0000-0000-0000-000000000000";
  auto state = sign_in_step(admin_);
  auto p = accepted(*state);
  p.tenant = id_tokens_.proves.tid;
  auto r = run(service_->callback(p));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("is not the tenant"), std::string::npos) << r.error().message;
  EXPECT_EQ(current(org_).status, ConnectorStatus::authorizing);
  entra_.tid = id_tokens_.proves.tid;

  auto no_consent = sign_in_step(admin_);
  auto p2 = accepted(*no_consent);
  p2.admin_consent = "False";
  EXPECT_EQ(run(service_->callback(p2)).error().code, Errc::invalid_input);

  entra_.roles.clear();
  auto roleless = sign_in_step(admin_);
  auto r3 = run(service_->callback(accepted(*roleless)));
  ASSERT_FALSE(r3);
  EXPECT_NE(r3.error().message.find("no application permission"), std::string::npos);
}

TEST_F(ConnectorServiceTest, UnreachableEntraLeavesTheStateUsableUntilExpiry) {
  auto state = sign_in_step(admin_);
  const auto p = accepted(*state);
  entra_.answer = FakeEntraScript::Answer::throttled;
  auto r = run(service_->callback(p));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::rate_limited);
  EXPECT_EQ(r.error().retry_after_seconds, 7);
  entra_.answer = FakeEntraScript::Answer::unavailable;
  EXPECT_EQ(run(service_->callback(p)).error().code, Errc::unavailable);
  EXPECT_EQ(current(org_).status, ConnectorStatus::authorizing);
  entra_.answer = FakeEntraScript::Answer::token;
  auto retried = run(service_->callback(p));
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_EQ(retried->connector->status, ConnectorStatus::active);
}

TEST_F(ConnectorServiceTest, TheBoundSessionMustStillBeAnAdminOfTheSameOrg) {
  auto start = run(service_->authorize(admin_));
  ASSERT_TRUE(accounts_.delete_session(admin_.session_digest));
  auto r = run(service_->callback(signed_in(state_of(start->authorization_url))));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::forbidden);
  EXPECT_EQ(current(org_).status, ConnectorStatus::authorizing);

  // A request naming org A but bound to org B's admin session (another organisation's callback).
  ASSERT_TRUE(store_.put_consent_request({"d(cross)", org_, other_admin_.user_id, "theirs",
                                          other_admin_.session_digest, kT0,
                                          kT0 + std::chrono::minutes(10), false}));
  auto cross = run(service_->callback(accepted("cross")));
  ASSERT_FALSE(cross);
  EXPECT_EQ(cross.error().code, Errc::forbidden);
  EXPECT_EQ(current(org_).status, ConnectorStatus::authorizing);
  EXPECT_EQ(current(other_org_).status, ConnectorStatus::not_configured);
  EXPECT_EQ(entra_.calls, 0);
  EXPECT_EQ(entra_.code_calls, 0);
}

TEST_F(ConnectorServiceTest, UpdateValidatesTheMappingAndAuditsWhatChanged) {
  ASSERT_EQ(run(service_->update(admin_, {})).error().code, Errc::not_found);
  ASSERT_TRUE(consent(admin_));
  auto lunch = codes_.create_idle_code(org_, IdleCode{{}, org_, "Lunch", false, true});
  auto inactive = codes_.create_idle_code(org_, IdleCode{{}, org_, "Old", false, false});
  auto rona = codes_.create_idle_code(org_, IdleCode{{}, org_, "RONA", true, true});
  auto theirs = codes_.create_idle_code(other_org_, IdleCode{{}, other_org_, "X", false, true});
  const auto before = current(org_);
  auto bad = [&](std::vector<PresenceMappingRule> rules) {
    ConnectorPatch p;
    p.presence_mapping = std::move(rules);
    auto r = run(service_->update(admin_, p));
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_EQ(r.error().code, Errc::invalid_input) << r.error().message;
    }
    EXPECT_EQ(current(org_), before);
  };
  bad({{Availability::away, std::nullopt, theirs->id}});
  bad({{Availability::away, std::nullopt, inactive->id}});
  bad({{Availability::away, std::nullopt, rona->id}});
  bad({{Availability::away, std::nullopt, IdleCodeId{4242}}});
  bad({{Availability::away, std::nullopt, lunch->id},
       {Availability::away, std::nullopt, lunch->id}});

  ConnectorPatch p;
  p.show_user_details = false;
  p.presence_mapping =
      std::vector<PresenceMappingRule>{{Availability::away, std::nullopt, lunch->id}};
  auto r = run(service_->update(admin_, p));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->show_user_details);
  EXPECT_TRUE(r->presence_sync);
  EXPECT_EQ(r->mapping.rules().size(), 1u);
  EXPECT_EQ(audit().front().detail, "showUserDetails off; presenceMapping Away -> idle code " +
                                        std::to_string(lunch->id.value));
  EXPECT_EQ(run(service_->update(other_admin_, p)).error().code, Errc::not_found);
  auto in_use = [&](IdleCodeId code) {
    return run(
        port_.run([&](Stores& s) { return ConnectorService::idle_code_in_use(s, org_, code); }));
  };
  auto used = in_use(lunch->id);
  ASSERT_TRUE(used && used->has_value());
  EXPECT_EQ(**used, "the Microsoft Teams presence mapping (Away)");
  EXPECT_FALSE(in_use(IdleCodeId{100})->has_value());
}

TEST_F(ConnectorServiceTest, DeactivateDeleteAndSetUpAgain) {
  ASSERT_TRUE(consent(admin_));
  auto refused = run(service_->remove(admin_));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::conflict);
  EXPECT_NE(refused.error().message.find("Deactivate"), std::string::npos);
  auto inactive = run(service_->deactivate(admin_));
  ASSERT_TRUE(inactive);
  EXPECT_EQ(inactive->status, ConnectorStatus::inactive);
  EXPECT_EQ(run(service_->active(org_)).error().code, Errc::conflict);
  EXPECT_EQ(run(service_->authorize(admin_)).error().code, Errc::conflict);

  participant_.fail_remove = true;
  auto stopped = run(service_->remove(admin_));
  ASSERT_FALSE(stopped);
  EXPECT_NE(stopped.error().message.find("Graph is down"), std::string::npos);
  EXPECT_EQ(current(org_).status, ConnectorStatus::inactive);

  participant_.fail_remove = false;
  auto removed = run(service_->remove(admin_));
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_EQ(removed->message, kEnterpriseAppStaysMessage);
  EXPECT_EQ(removed->removed, std::vector<std::string>{"recorder: 2 things removed"});
  EXPECT_EQ(current(org_).status, ConnectorStatus::not_configured);
  EXPECT_TRUE(store_.requests().empty());

  auto again = consent(admin_);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->status, ConnectorStatus::active);
  EXPECT_EQ(codes_.codes.size(), 4u);  // the codes of the first set-up are reused
  EXPECT_EQ(participant_.calls,
            (std::vector<std::string>{"active 1 " + entra_.tid, "inactive 1", "remove 1",
                                      "remove 1", "active 1 " + entra_.tid}));
}

TEST_F(ConnectorServiceTest, ReactivateRefusedByEntraBecomesAuthorizationErrorThenReauthorise) {
  ASSERT_TRUE(consent(admin_));
  ConnectorPatch p;
  p.presence_sync = false;
  ASSERT_TRUE(run(service_->update(admin_, p)));
  ASSERT_TRUE(run(service_->deactivate(admin_)));
  entra_.answer = FakeEntraScript::Answer::refused;
  auto r = run(service_->reactivate(admin_));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("AADSTS700016"), std::string::npos) << r.error().message;
  auto c = current(org_);
  EXPECT_EQ(c.status, ConnectorStatus::authorization_error);
  EXPECT_EQ(c.last_error, r.error().message);

  entra_.answer = FakeEntraScript::Answer::token;
  auto back = consent(admin_);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->status, ConnectorStatus::active);
  EXPECT_TRUE(back->last_error.empty());
  EXPECT_FALSE(back->presence_sync);  // features and mapping survive re-authorisation
}

TEST_F(ConnectorServiceTest, HealthCheckAndReportedFailuresMoveActiveToAuthorizationError) {
  ASSERT_TRUE(consent(admin_));
  EXPECT_EQ(run(service_->check_health(org_)).value(), ConnectorStatus::active);
  entra_.answer = FakeEntraScript::Answer::unavailable;
  EXPECT_EQ(run(service_->check_health(org_)).error().code, Errc::unavailable);
  EXPECT_EQ(current(org_).status, ConnectorStatus::active);
  run_void(service_->report_authorization_failure(org_, testing::throttled_graph_error()));
  EXPECT_EQ(current(org_).status, ConnectorStatus::active);

  entra_.answer = FakeEntraScript::Answer::token;
  entra_.roles.clear();  // consent revoked: Entra still issues a token, without roles
  run_void(service_->check_all_active());
  auto c = current(org_);
  EXPECT_EQ(c.status, ConnectorStatus::authorization_error);
  EXPECT_NE(c.last_error.find("no application permission"), std::string::npos);
  EXPECT_EQ(participant_.calls.back(), "inactive 1");
  EXPECT_FALSE(audit().front().actor.has_value());

  entra_.roles = {"Presence.ReadWrite.All"};
  ASSERT_TRUE(consent(admin_));
  run_void(service_->report_authorization_failure(org_, testing::unauthorized_graph_error()));
  EXPECT_EQ(current(org_).status, ConnectorStatus::authorization_error);
  EXPECT_NE(current(org_).last_error.find("InvalidAuthenticationToken"), std::string::npos);
}

TEST_F(ConnectorServiceTest, AuditIsPagedAndScopedToTheOrg) {
  ASSERT_TRUE(consent(admin_));
  ASSERT_TRUE(run(service_->deactivate(admin_)));
  auto page = run(service_->audit(admin_, 2, std::nullopt));
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].action, "deactivate");
  EXPECT_EQ((*page)[1].action, "callback");
  auto rest = run(service_->audit(admin_, 50, (*page)[1].id));
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[0].action, "sign-in");
  EXPECT_EQ((*rest)[1].action, "authorize");
  EXPECT_TRUE(run(service_->audit(other_admin_, 50, std::nullopt))->empty());
  EXPECT_EQ(run(service_->audit(admin_, 0, std::nullopt)).error().code, Errc::invalid_input);
  EXPECT_EQ(run(service_->audit(supervisor_, 5, std::nullopt)).error().code, Errc::forbidden);
}

TEST_F(ConnectorServiceTest, AuditHookRecordsOtherServicesActions) {
  auto hook = service_->audit_hook();
  hook(admin_, "sync_account.add", true, "alice@contoso added");
  Caller service_identity;
  service_identity.org_id = org_;
  hook(service_identity, "sync_account.token", false, "refresh refused");
  auto entries = audit();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, "sync_account.token");
  EXPECT_EQ(entries[0].result, AuditResult::error);
  EXPECT_FALSE(entries[0].actor.has_value());
  EXPECT_EQ(entries[1].actor, admin_.user_id);
  EXPECT_EQ(entries[1].actor_username, "root");
  EXPECT_EQ(entries[1].detail, "alice@contoso added");
}

// Issue 23: a tenant is bound to one organisation at most. Organisation B's admin signing in
// with an account of organisation A's tenant (a second customer in the same tenant) is refused
// without naming A, changes nothing of either, and is audited; A re-authorising its own tenant
// still works.
TEST_F(ConnectorServiceTest, ATenantBoundToAnotherOrganisationIsRefusedWithoutNamingIt) {
  ASSERT_TRUE(consent(admin_));
  ASSERT_EQ(current(org_).tenant_id, entra_.tid);

  auto theirs = consent(other_admin_);
  ASSERT_FALSE(theirs);
  EXPECT_EQ(theirs.error().code, Errc::conflict);
  EXPECT_EQ(theirs.error().message, std::string(kTenantTakenMessage));
  EXPECT_EQ(theirs.error().message.find("\"A\""), std::string::npos);
  EXPECT_EQ(current(other_org_).status, ConnectorStatus::authorizing);
  EXPECT_TRUE(current(other_org_).tenant_id.empty());
  EXPECT_EQ(current(org_).status, ConnectorStatus::active);
  auto theirs_audit = run(service_->audit(other_admin_, 10, std::nullopt));
  ASSERT_TRUE(theirs_audit);
  ASSERT_FALSE(theirs_audit->empty());
  EXPECT_EQ(theirs_audit->front().action, "sign-in");  // refused at the sign-in
  EXPECT_EQ(theirs_audit->front().result, AuditResult::error);

  // The store refuses it on its own too (the service's check is not the only guard).
  TeamsConnector forged = current(other_org_);
  forged.tenant_id = entra_.tid;
  auto saved = store_.save_connector(forged, forged.version);
  ASSERT_FALSE(saved);
  EXPECT_EQ(saved.error().code, Errc::conflict);

  // The holder re-authorises its own tenant.
  ASSERT_TRUE(run(service_->deactivate(admin_)));
  ASSERT_TRUE(run(service_->reactivate(admin_)));
  EXPECT_EQ(current(org_).tenant_id, entra_.tid);
}

}  // namespace
}  // namespace ccteams::connector_test
