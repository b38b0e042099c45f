#pragma once
// The fixture of the ConnectorService tests (connector_service_test.cpp and
// connector_sign_in_test.cpp):
// a scripted Entra (app/testing/fake_entra.hpp), a scripted ID-token verifier, in-memory
// stores, and helpers that walk a Set up through its two steps (sign-in, then admin consent).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <map>

#include "app/connector_service.hpp"
#include "app/testing/fake_clock.hpp"
#include "app/testing/fake_entra.hpp"
#include "app/testing/fake_entra_links.hpp"
#include "app/testing/fake_sealer.hpp"
#include "app/testing/fakes.hpp"
#include "app/testing/in_memory_account_store.hpp"
#include "app/testing/in_memory_connector_store.hpp"
#include "app/testing/test_store.hpp"

namespace ccteams::connector_test {

using testing::FakeEntraScript;
inline const Timestamp kT0 = from_unix_millis(1'790'000'000'000);

template <class T>
T run(boost::asio::awaitable<T> aw) {
  boost::asio::io_context ioc;
  std::optional<T> out;
  boost::asio::co_spawn(
      ioc, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(aw)); },
      boost::asio::detached);
  ioc.run();
  return std::move(*out);
}

inline void run_void(boost::asio::awaitable<void> aw) {
  boost::asio::io_context ioc;
  boost::asio::co_spawn(ioc, std::move(aw), boost::asio::detached);
  ioc.run();
}

// The idle codes of the contact-center store, which is all the connector reads of it; the other
// calls are not expected here (internal).
class MemoryIdleCodes final : public ContactCenterStore {
 public:
  Result<std::vector<IdleCode>> list_idle_codes(OrgId org) override {
    std::vector<IdleCode> out;
    for (const auto& [_, c] : codes) {
      if (c.org == org) out.push_back(c);
    }
    return out;
  }
  Result<IdleCode> get_idle_code(OrgId org, IdleCodeId id) override {
    auto it = codes.find(id.value);
    if (it == codes.end() || it->second.org != org) return make_error(Errc::not_found, "none");
    return it->second;
  }
  Result<IdleCode> create_idle_code(OrgId org, const IdleCode& code) override {
    for (const auto& [_, c] : codes) {
      if (c.org == org && c.name == code.name) return make_error(Errc::conflict, "taken");
    }
    IdleCode c = code;
    c.org = org;
    c.id = IdleCodeId{next++};
    codes[c.id.value] = c;
    return c;
  }
  std::map<std::int64_t, IdleCode> codes;
  std::int64_t next = 100;

  // Not used by the connector.
  Result<IdleCode> update_idle_code(OrgId, const IdleCode&) override { return none(); }
  Result<void> delete_idle_code(OrgId, IdleCodeId) override { return none(); }
  Result<IdleCode> ensure_rona_idle_code(OrgId) override { return none(); }
  Result<std::vector<std::string>> profiles_using_idle_code(OrgId, IdleCodeId) override {
    return none();
  }
  Result<DesktopProfile> create_desktop_profile(const DesktopProfile&) override { return none(); }
  Result<DesktopProfile> get_desktop_profile(OrgId, DesktopProfileId) override { return none(); }
  Result<std::vector<DesktopProfile>> list_desktop_profiles(OrgId) override { return none(); }
  Result<DesktopProfile> update_desktop_profile(const DesktopProfile&) override { return none(); }
  Result<void> delete_desktop_profile(OrgId, DesktopProfileId) override { return none(); }
  Result<CcQueue> create_queue(const CcQueue&) override { return none(); }
  Result<CcQueue> get_queue(OrgId, QueueId) override { return none(); }
  Result<std::vector<CcQueue>> list_queues(OrgId) override { return none(); }
  Result<CcQueue> update_queue(const CcQueue&) override { return none(); }
  Result<void> delete_queue(OrgId, QueueId) override { return none(); }
  Result<AgentConfig> put_agent(const AgentConfig&) override { return none(); }
  Result<AgentConfig> get_agent(OrgId, UserId) override { return none(); }
  Result<std::vector<AgentConfig>> list_agents(OrgId) override { return none(); }
  Result<void> delete_agent(OrgId, UserId) override { return none(); }
  Result<std::vector<AgentState>> list_agent_states(OrgId) override { return none(); }
  Result<Contact> put_contact(const Contact&) override { return none(); }
  Result<Contact> get_contact(OrgId, ContactId) override { return none(); }
  Result<std::vector<Contact>> list_open_contacts(OrgId) override { return none(); }
  Result<std::vector<OrgId>> orgs_with_live_state() override { return none(); }
  Result<std::vector<QueueCounts>> list_queue_counts(OrgId) override { return none(); }
  Result<std::vector<CcEventRecord>> commit(OrgId, const CcCommit&) override { return none(); }
  Result<std::vector<CcEventRecord>> events_after(OrgId, std::int64_t, std::size_t) override {
    return none();
  }
  Result<int> prune_events(Timestamp) override { return none(); }

 private:
  static Error none() { return Error{Errc::internal, "not used by the connector"}; }
};

class RecordingParticipant final : public ConnectorParticipant {
 public:
  std::string_view participant_name() const override { return "recorder"; }
  boost::asio::awaitable<void> connector_active(OrgId org, std::string tenant) override {
    calls.push_back("active " + std::to_string(org.value) + " " + tenant);
    co_return;
  }
  boost::asio::awaitable<void> connector_inactive(OrgId org) override {
    calls.push_back("inactive " + std::to_string(org.value));
    co_return;
  }
  boost::asio::awaitable<Result<std::string>> remove_connector_artefacts(OrgId org,
                                                                         std::string) override {
    calls.push_back("remove " + std::to_string(org.value));
    if (fail_remove) co_return make_error(Errc::unavailable, "Graph is down");
    co_return std::string("2 things removed");
  }
  std::vector<std::string> calls;
  bool fail_remove = false;
};

// What the administrator's ID token proves, as the test says; records what it was asked.
class ScriptedIdTokens final : public IdTokenVerifier {
 public:
  boost::asio::awaitable<Result<VerifiedIdToken>> verify(std::string token,
                                                         IdTokenExpectations expect) override {
    tokens.push_back(token);
    seen.push_back(expect);
    if (refusal) co_return *refusal;
    co_return proves;
  }
  VerifiedIdToken proves;
  std::optional<Error> refusal;
  std::vector<std::string> tokens;
  std::vector<IdTokenExpectations> seen;
};

class ConnectorServiceTest : public ::testing::Test {
 protected:
  ConnectorServiceTest() : clock_(kT0), graph_(testing::make_fake_entra(entra_)) {
    org_ = accounts_.create_org("A", kT0)->id;
    other_org_ = accounts_.create_org("B", kT0)->id;
    admin_ = sign_in(org_, "root", RoleSet{Role::admin});
    supervisor_ = sign_in(org_, "sup", RoleSet{Role::supervisor});
    other_admin_ = sign_in(other_org_, "theirs", RoleSet{Role::admin});
    ConnectorServiceConfig config;
    config.client_id = "app-id";
    config.redirect_uri = "https://cc.example/api/v1/connectors/msteams/callback";
    id_tokens_.proves = {entra_.tid, "oid-of-ada", "ada@contoso.example", "Ada Admin",
                         std::vector<std::string>{std::string(kGlobalAdministratorRole)}};
    service_ = std::make_unique<ConnectorService>(port_, *graph_, id_tokens_, links_, sealer_,
                                                  pkce_, tokens_, clock_, config);
    service_->add_participant(participant_);
  }

  Caller sign_in(OrgId org, const std::string& name, RoleSet roles) {
    UserAccount u;
    u.org_id = org;
    u.username = name;
    u.display_name = name;
    u.roles = roles;
    u.created_at = kT0;
    auto user = accounts_.create_user(u);
    const std::string digest = "session-of-" + name;
    EXPECT_TRUE(
        accounts_.put_session({digest, user->id, org, "csrf", kT0, kT0 + std::chrono::hours(12)}));
    return Caller{user->id, org, name, roles, digest, "csrf"};
  }

  // A query value of a URL the service had built (RecordingEntraLinks: values unencoded).
  static std::string query_value(const std::string& url, const std::string& name) {
    auto p = url.find("?" + name + "=");
    if (p == std::string::npos) p = url.find("&" + name + "=");
    if (p == std::string::npos) return {};
    p += name.size() + 2;
    return url.substr(p, url.find('&', p) - p);
  }
  static std::string state_of(const std::string& url) { return query_value(url, "state"); }

  // Entra's redirect after the sign-in (§1.2).
  static ConsentCallback signed_in(const std::string& state, std::string code = "code-1") {
    ConsentCallback p;
    p.state = state;
    p.code = std::move(code);
    return p;
  }
  // Entra's redirect after admin consent (§1.1).
  ConsentCallback accepted(const std::string& state) {
    ConsentCallback p;
    p.state = state;
    p.admin_consent = "True";
    p.tenant = entra_.tid;
    p.scope = "https://graph.microsoft.com/.default";
    return p;
  }
  static ConsentCallback entra_error(const std::string& state, std::string error,
                                     std::string description) {
    ConsentCallback p;
    p.state = state;
    p.admin_consent = "True";  // v2 error redirects still say so
    p.error = std::move(error);
    p.error_description = std::move(description);
    return p;
  }

  // The first step of a Set up: authorize, then the sign-in's redirect. Returns the state of
  // the admin consent URL the service redirected to.
  Result<std::string> sign_in_step(const Caller& who) {
    auto start = run(service_->authorize(who));
    if (!start) return start.error();
    auto step = run(service_->callback(signed_in(state_of(start->authorization_url))));
    if (!step) return step.error();
    EXPECT_TRUE(step->redirect_url);
    if (!step->redirect_url) return make_error(Errc::internal, "no redirect");
    consent_url_ = *step->redirect_url;
    return state_of(*step->redirect_url);
  }

  // Both steps, with Entra accepting.
  Result<TeamsConnector> consent(const Caller& who) {
    auto state = sign_in_step(who);
    if (!state) return state.error();
    auto step = run(service_->callback(accepted(*state)));
    if (!step) return step.error();
    return *step->connector;
  }

  TeamsConnector current(OrgId org) { return *run_list(org); }
  Result<TeamsConnector> run_list(OrgId org) {
    return run(service_->list(org == org_ ? admin_ : other_admin_));
  }

  std::vector<ConnectorAuditEntry> audit() {
    return *run(service_->audit(admin_, 50, std::nullopt));
  }

  FakeClock clock_;
  FakeEntraScript entra_;
  std::shared_ptr<EntraTokens> graph_;
  testing::InMemoryAccountStore accounts_;
  testing::InMemoryConnectorStore store_;
  MemoryIdleCodes codes_;
  testing::TestStore port_{testing::TestStores{
      .accounts = &accounts_, .connectors = &store_, .contact_center = &codes_}};
  testing::CountingTokens tokens_;
  ScriptedIdTokens id_tokens_;
  testing::RecordingEntraLinks links_;
  testing::FakeSealer sealer_;
  testing::FakePkce pkce_;
  std::string consent_url_;  // the last admin consent URL sign_in_step was sent to
  RecordingParticipant participant_;
  std::unique_ptr<ConnectorService> service_;
  OrgId org_, other_org_;
  Caller admin_, supervisor_, other_admin_;
};

}  // namespace ccteams::connector_test
