// SyncAccountService against in-memory stores and a scripted Entra (FakeTokenGraph): the
// sign-in's checks and refusals, the token cache, single-flight refresh with rotation, failure
// classification, health checks and the connector's lifecycle.
#include "app/sync_account_service.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "app/testing/fake_clock.hpp"
#include "app/testing/fake_entra_links.hpp"
#include "app/testing/fake_sealer.hpp"
#include "app/testing/fake_token_graph.hpp"
#include "app/testing/fakes.hpp"
#include "app/testing/in_memory_account_store.hpp"
#include "app/testing/in_memory_sync_account_store.hpp"
#include "app/testing/test_store.hpp"

namespace ccteams {
namespace {

using testing::FakeTokenGraph;
const Timestamp kT0 = from_unix_millis(1'790'000'000'000);

using testing::FakePkce;
using testing::FakeSealer;

std::string query_value(const std::string& url, const std::string& name) {
  const auto at = url.find("&" + name + "=") != std::string::npos ? url.find("&" + name + "=")
                                                                  : url.find("?" + name + "=");
  if (at == std::string::npos) return {};
  const auto start = at + name.size() + 2;
  return url.substr(start, url.find('&', start) - start);
}

std::string percent_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

class SyncAccountServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    org_ = accounts_.create_org("A", kT0)->id;
    admin_ = make_user("root", {Role::admin});
    agent_ = make_user("ann", {Role::agent});
    ASSERT_TRUE(accounts_.put_session(
        AuthSession{"sess-root", admin_.user_id, org_, "csrf", kT0, kT0 + std::chrono::hours(8)}));
    graph_.s256 = [this](std::string_view v) { return pkce_.s256_challenge(v); };
    SyncAccountOptions options;
    options.client_id = "client-1";
    options.public_url = "https://cc.example";
    service_ = std::make_unique<SyncAccountService>(
        port_, graph_, links_, sealer_, pkce_, tokens_, clock_, options,
        [this](OrgId) { return active_tenant(); },
        [this](const Caller& c, std::string action, bool ok, std::string detail) {
          audits_.push_back(c.username + "|" + action + "|" + (ok ? "ok" : "error") + "|" + detail);
        });
  }

  Caller make_user(const std::string& name, RoleSet roles) {
    UserAccount u;
    u.org_id = org_;
    u.username = name;
    u.display_name = name;
    u.roles = roles;
    u.created_at = kT0;
    auto created = accounts_.create_user(u);
    EXPECT_TRUE(created);
    return Caller{created->id, org_, name, roles, "sess-" + name, "csrf"};
  }

  template <class T>
  T run(boost::asio::awaitable<T> aw) {
    std::optional<T> out;
    boost::asio::co_spawn(
        ioc_, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(aw)); },
        boost::asio::detached);
    ioc_.restart();
    ioc_.run();
    EXPECT_TRUE(out.has_value());
    return std::move(*out);
  }

  void run(boost::asio::awaitable<void> aw) {
    bool done = false;
    boost::asio::co_spawn(
        ioc_,
        [&]() -> boost::asio::awaitable<void> {
          co_await std::move(aw);
          done = true;
        },
        boost::asio::detached);
    ioc_.restart();
    ioc_.run();
    EXPECT_TRUE(done);
  }

  // The connector's tenant while active_ (ConnectorService::active_tenant_lookup's stand-in).
  boost::asio::awaitable<Result<std::string>> active_tenant() {
    if (!active_) co_return make_error(Errc::conflict, "connector not Active");
    co_return std::string("tid-1");
  }

  // start_sign_in + what Entra would do with the URL: a code bound to the challenge.
  SignInCallback signed_in_callback(const std::string& code = "code-1") {
    auto start = run(service_->start_sign_in(admin_));
    EXPECT_TRUE(start) << start.error().message;
    const auto& url = start->authorization_url;
    graph_.codes[code] = percent_decode(query_value(url, "code_challenge"));
    return SignInCallback{code, percent_decode(query_value(url, "state")), {}, {}};
  }

  SyncAccount only_account() {
    auto list = store_.list_accounts(org_);
    EXPECT_EQ(list->size(), 1u);
    return list->empty() ? SyncAccount{} : list->front();
  }

  boost::asio::io_context ioc_;
  testing::InMemoryAccountStore accounts_;
  testing::InMemorySyncAccountStore store_;
  testing::TestStore port_{testing::TestStores{.accounts = &accounts_, .sync_accounts = &store_}};
  FakeTokenGraph graph_;
  testing::RecordingEntraLinks links_;
  FakeSealer sealer_;
  FakePkce pkce_;
  testing::CountingTokens tokens_;
  FakeClock clock_{kT0};
  bool active_ = true;
  std::vector<std::string> audits_;
  OrgId org_;
  Caller admin_, agent_;
  std::unique_ptr<SyncAccountService> service_;
};

TEST_F(SyncAccountServiceTest, StartBuildsTheAuthorizeUrlAndStoresOnlyDigestAndSealedVerifier) {
  auto start = run(service_->start_sign_in(admin_));
  ASSERT_TRUE(start) << start.error().message;
  const auto& url = start->authorization_url;
  // The link's wire form is EntraLinkBuilder's (adapters/graph/entra_link_builder_test.cpp).
  ASSERT_EQ(links_.sign_ins.size(), 1u);
  const SignInLinkRequest& asked = links_.sign_ins[0];
  EXPECT_EQ(asked.tenant, "tid-1");
  EXPECT_EQ(asked.client_id, "client-1");
  EXPECT_EQ(asked.redirect_uri,
            "https://cc.example/api/v1/connectors/msteams/sync-accounts/callback");
  EXPECT_EQ(asked.scope,
            "openid profile offline_access https://graph.microsoft.com/Presence.Read.All");
  EXPECT_FALSE(asked.nonce);
  EXPECT_EQ(url.rfind("sign-in:tid-1?state=", 0), 0u) << url;
  EXPECT_EQ(start->expires_at, kT0 + std::chrono::minutes(10));
  const std::string state = query_value(url, "state");
  const auto pending = store_.sign_ins();
  ASSERT_EQ(pending.size(), 1u);
  const auto& p = pending.begin()->second;
  EXPECT_EQ(p.state_digest, tokens_.digest(state));
  EXPECT_EQ(p.session_digest, "sess-root");
  // The verifier is sealed for this sign-in; the challenge in the URL is its S256.
  auto verifier = sealer_.open(p.sealed_code_verifier,
                               SyncAccountService::code_verifier_purpose(org_, p.state_digest));
  ASSERT_TRUE(verifier);
  EXPECT_GE(verifier->size(), 43u);
  EXPECT_LE(verifier->size(), 128u);
  EXPECT_EQ(p.sealed_code_verifier.find(*verifier), std::string::npos);
  EXPECT_EQ(percent_decode(query_value(url, "code_challenge")), pkce_.s256_challenge(*verifier));
}

TEST_F(SyncAccountServiceTest, StartNeedsAnAdminAndAnActiveConnector) {
  EXPECT_EQ(run(service_->start_sign_in(agent_)).error().code, Errc::forbidden);
  active_ = false;
  EXPECT_EQ(run(service_->start_sign_in(admin_)).error().code, Errc::conflict);
  EXPECT_TRUE(store_.sign_ins().empty());
}

TEST_F(SyncAccountServiceTest, CompletedSignInStoresTheAccountSealedAndReplacesOnReAdd) {
  auto done = run(service_->complete_sign_in(signed_in_callback()));
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_FALSE(done->replaced);
  EXPECT_EQ(done->account.upn, "sync1@contoso.example");
  EXPECT_EQ(done->account.display_name, "Sync One");
  ASSERT_EQ(graph_.code_requests.size(), 1u);
  EXPECT_EQ(graph_.code_requests[0].redirect_uri, service_->redirect_uri());
  EXPECT_EQ(graph_.code_requests[0].tenant, "tid-1");
  auto a = only_account();
  EXPECT_EQ(a.oid, "oid-1");
  EXPECT_EQ(a.token_state, SyncTokenState::healthy);
  EXPECT_EQ(a.sealed_refresh_token.find("rt-1"), std::string::npos);
  EXPECT_EQ(*sealer_.open(a.sealed_refresh_token,
                          SyncAccountService::refresh_token_purpose(org_, "oid-1")),
            "rt-1");
  EXPECT_EQ(audits_.back(), "root|sync_account.add|ok|sync1@contoso.example added");

  auto again = run(service_->complete_sign_in(signed_in_callback("code-2")));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->replaced);
  EXPECT_EQ(again->account.id, done->account.id);
  EXPECT_EQ(*sealer_.open(only_account().sealed_refresh_token,
                          SyncAccountService::refresh_token_purpose(org_, "oid-1")),
            "rt-2");
}

TEST_F(SyncAccountServiceTest, ForgedReplayedAndExpiredStatesAreRefused) {
  auto forged = run(service_->complete_sign_in(SignInCallback{"code-1", "forged", {}, {}}));
  EXPECT_EQ(forged.error().code, Errc::forbidden);
  auto cb = signed_in_callback();
  ASSERT_TRUE(run(service_->complete_sign_in(cb)));
  auto replay = run(service_->complete_sign_in(cb));
  EXPECT_EQ(replay.error().code, Errc::conflict);
  EXPECT_NE(replay.error().message.find("already used"), std::string::npos);

  auto late = signed_in_callback("code-late");
  clock_.advance(std::chrono::minutes(10));
  auto expired = run(service_->complete_sign_in(late));
  EXPECT_EQ(expired.error().code, Errc::conflict);
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
  EXPECT_EQ(graph_.code_requests.size(), 1u);  // none of them reached Entra
  EXPECT_EQ(audits_.back().rfind("root|sync_account.sign_in|error|", 0), 0u);
}

TEST_F(SyncAccountServiceTest, EndedSessionOrLostAdminRoleIsRefused) {
  auto cb = signed_in_callback();
  ASSERT_TRUE(accounts_.delete_session("sess-root"));
  EXPECT_EQ(run(service_->complete_sign_in(cb)).error().code, Errc::unauthenticated);

  ASSERT_TRUE(accounts_.put_session(
      AuthSession{"sess-root", admin_.user_id, org_, "csrf", kT0, kT0 + std::chrono::hours(8)}));
  auto cb2 = signed_in_callback("code-2");
  auto user = accounts_.get_user(org_, admin_.user_id);
  user->roles = RoleSet{Role::agent};
  ASSERT_TRUE(accounts_.update_user(org_, *user));
  EXPECT_EQ(run(service_->complete_sign_in(cb2)).error().code, Errc::forbidden);
  EXPECT_TRUE(store_.list_accounts(org_)->empty());
  EXPECT_TRUE(graph_.code_requests.empty());
}

TEST_F(SyncAccountServiceTest, EntraErrorsAndUnfitAccountsAreRefusedClearly) {
  auto cb = signed_in_callback();
  cb.code.reset();
  cb.error = "access_denied";
  cb.error_description = "AADSTS65004: User declined to consent to access the app.\r\nTrace ID: x";
  auto cancelled = run(service_->complete_sign_in(cb));
  EXPECT_EQ(cancelled.error().code, Errc::conflict);
  EXPECT_EQ(cancelled.error().message,
            "The sign-in was cancelled, or consent was declined, in Microsoft Entra: "
            "AADSTS65004: User declined to consent to access the app.");

  graph_.identity.tid = "other-tenant";
  auto wrong = run(service_->complete_sign_in(signed_in_callback("c2")));
  EXPECT_NE(wrong.error().message.find("another Microsoft Entra tenant"), std::string::npos);
  graph_.identity.tid = "tid-1";
  graph_.identity.scp = {"User.Read"};
  auto scope = run(service_->complete_sign_in(signed_in_callback("c3")));
  EXPECT_NE(scope.error().message.find("Presence.Read.All"), std::string::npos);
  graph_.identity.scp = {"Presence.Read.All"};
  graph_.identity.refresh_token = false;
  auto no_rt = run(service_->complete_sign_in(signed_in_callback("c4")));
  EXPECT_NE(no_rt.error().message.find("offline_access"), std::string::npos);
  EXPECT_TRUE(store_.list_accounts(org_)->empty());
  for (const auto& a : audits_) EXPECT_NE(a.find("|error|"), std::string::npos) << a;
}

TEST_F(SyncAccountServiceTest, AccessTokenIsCachedThenRefreshedWithRotation) {
  auto added = run(service_->complete_sign_in(signed_in_callback()));
  ASSERT_TRUE(added);
  const auto id = added->account.id;
  auto first = run(service_->access_token(org_, id));
  ASSERT_TRUE(first);
  EXPECT_TRUE(graph_.refresh_requests.empty());  // the sign-in's own access token
  clock_.advance(std::chrono::minutes(56));      // past expiry minus the 5-minute margin
  const auto sealed_before = only_account().sealed_refresh_token;
  auto second = run(service_->access_token(org_, id));
  ASSERT_TRUE(second);
  EXPECT_NE(*second, *first);
  ASSERT_EQ(graph_.refresh_requests.size(), 1u);
  EXPECT_EQ(graph_.refresh_requests[0].refresh_token, "rt-1");
  EXPECT_NE(only_account().sealed_refresh_token, sealed_before);
  EXPECT_EQ(only_account().last_refreshed_at, clock_.now());
  clock_.advance(std::chrono::minutes(56));
  ASSERT_TRUE(run(service_->access_token(org_, id)));
  EXPECT_EQ(graph_.refresh_requests.back().refresh_token, "rt-2");  // the rotated one
}

TEST_F(SyncAccountServiceTest, ConcurrentCallersShareOneRefresh) {
  auto added = run(service_->complete_sign_in(signed_in_callback()));
  ASSERT_TRUE(added);
  clock_.advance(std::chrono::hours(2));
  graph_.refresh_delay = std::chrono::milliseconds(20);
  std::vector<Result<std::string>> got;
  for (int i = 0; i < 3; ++i) {
    boost::asio::co_spawn(
        ioc_,
        [&]() -> boost::asio::awaitable<void> {
          got.push_back(co_await service_->access_token(org_, added->account.id));
        },
        boost::asio::detached);
  }
  ioc_.restart();
  ioc_.run_for(std::chrono::seconds(5));
  ASSERT_EQ(got.size(), 3u);
  for (auto& g : got) EXPECT_TRUE(g) << g.error().message;
  EXPECT_EQ(graph_.refresh_requests.size(), 1u);
  EXPECT_EQ(*got[0], *got[2]);
}

TEST_F(SyncAccountServiceTest, DeadTokenMarksTheAccountFailedButTransientFailuresDoNot) {
  auto added = run(service_->complete_sign_in(signed_in_callback()));
  ASSERT_TRUE(added);
  const auto id = added->account.id;
  graph_.refresh_failures.push_back(
      FakeTokenGraph::entra_error("temporarily_unavailable", 0, EntraErrorKind::none, 503));
  auto report = run(service_->check_health(org_));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->unreachable, 1);
  EXPECT_EQ(only_account().token_state, SyncTokenState::healthy);

  graph_.refresh_failures.push_back(FakeTokenGraph::entra_error(
      "invalid_grant", 700082, EntraErrorKind::refresh_token_unused_too_long));
  report = run(service_->check_health(org_));
  EXPECT_EQ(report->failed, 1);
  auto a = only_account();
  EXPECT_EQ(a.token_state, SyncTokenState::failed);
  EXPECT_EQ(a.last_error,
            "The refresh token expired after a long time unused; sign the account in again "
            "(AADSTS700082)");
  EXPECT_EQ(audits_.back(), "|sync_account.token|error|sync1@contoso.example: " + a.last_error);
  // A failed account is not presented to Entra again by presence sync.
  const auto calls = graph_.refresh_requests.size();
  auto refused = run(service_->access_token(org_, id));
  EXPECT_EQ(refused.error().code, Errc::conflict);
  EXPECT_EQ(graph_.refresh_requests.size(), calls);
  auto view = run(service_->list(admin_));
  ASSERT_TRUE(view);
  EXPECT_EQ((*view)[0].token_state, SyncTokenState::failed);
  EXPECT_EQ(run(service_->list(agent_)).error().code, Errc::forbidden);
}

// Graph answered 401 for the cached token (revoked before its expiry): it is dropped and one
// refresh mints another; when Entra refuses that refresh the account is failed at once.
TEST_F(SyncAccountServiceTest, RefusedAccessTokenIsRefreshedOnceAndADeadRefreshFailsTheAccount) {
  auto added = run(service_->complete_sign_in(signed_in_callback()));
  ASSERT_TRUE(added);
  const auto id = added->account.id;
  auto cached = run(service_->access_token(org_, id));
  ASSERT_TRUE(cached);
  auto fresh = run(service_->access_token_refused(org_, id, *cached));
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_NE(*fresh, *cached);
  ASSERT_EQ(graph_.refresh_requests.size(), 1u);
  // A caller that still holds the old token does not refresh again: the new one is cached.
  auto again = run(service_->access_token_refused(org_, id, *cached));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *fresh);
  EXPECT_EQ(graph_.refresh_requests.size(), 1u);
  EXPECT_EQ(*run(service_->access_token(org_, id)), *fresh);

  // The sessions are revoked: the refresh is refused and the account says so at once.
  graph_.refresh_failures.push_back(
      FakeTokenGraph::entra_error("invalid_grant", 70008, EntraErrorKind::refresh_token_dead));
  auto refused = run(service_->access_token_refused(org_, id, *fresh));
  EXPECT_EQ(refused.error().code, Errc::conflict);
  EXPECT_EQ(graph_.refresh_requests.size(), 2u);
  const auto a = only_account();
  EXPECT_EQ(a.token_state, SyncTokenState::failed);
  EXPECT_NE(a.last_error.find("sign the account in again"), std::string::npos) << a.last_error;
  // Not presented to Entra again until an admin signs it in.
  EXPECT_EQ(run(service_->access_token_refused(org_, id, *fresh)).error().code, Errc::conflict);
  EXPECT_EQ(graph_.refresh_requests.size(), 2u);
}

TEST_F(SyncAccountServiceTest, InactiveConnectorRefusesAndDeleteRemovesEverything) {
  auto added = run(service_->complete_sign_in(signed_in_callback()));
  ASSERT_TRUE(added);
  ASSERT_TRUE(run(service_->start_sign_in(admin_)));
  active_ = false;
  run(service_->connector_inactive(org_));
  EXPECT_EQ(run(service_->access_token(org_, added->account.id)).error().code, Errc::conflict);
  auto summary = run(service_->remove_connector_artefacts(org_, "tid-1"));
  ASSERT_TRUE(summary);
  EXPECT_EQ(*summary, "1 sync account and its token removed");
  EXPECT_TRUE(store_.list_accounts(org_)->empty());
  EXPECT_TRUE(store_.sign_ins().empty());
}

TEST_F(SyncAccountServiceTest, RemoveIsForAdminsAndForgetsTheToken) {
  auto added = run(service_->complete_sign_in(signed_in_callback()));
  ASSERT_TRUE(added);
  EXPECT_EQ(run(service_->remove(agent_, added->account.id)).error().code, Errc::forbidden);
  ASSERT_TRUE(run(service_->remove(admin_, added->account.id)));
  EXPECT_EQ(run(service_->remove(admin_, added->account.id)).error().code, Errc::not_found);
  EXPECT_EQ(run(service_->access_token(org_, added->account.id)).error().code, Errc::not_found);
  EXPECT_EQ(audits_.back(), "root|sync_account.remove|ok|sync1@contoso.example removed");
}

}  // namespace
}  // namespace ccteams
