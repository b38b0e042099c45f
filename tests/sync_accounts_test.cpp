// Sync accounts end to end over real HTTP: the Graph + Entra emulator over HTTPS, our server
// with the auth and sync-account routes, a SQLite file. A "browser" follows the authorize URL
// (sign-in page, Email, Next, consent Accept, redirect to our callback); then the account is
// listed healthy, its token refreshes and rotates, a revoked consent marks it failed, it is
// removed. Refusals: forged, replayed and expired state, Cancel, a non-admin caller. Secrets:
// refresh tokens and code verifiers never appear in logs, API responses or the database file.
#include <gtest/gtest.h>

#include "sync_accounts_fixture.hpp"

namespace ccteams::sync_accounts_it {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

TEST_F(SyncAccountsTest, SignInRefreshRevokeAndRemove) {
  const std::string upn = "admin@" + info_.domain;
  auto signed_in = browse_sign_in(upn);
  ASSERT_EQ(signed_in.callback.status, 200) << signed_in.callback.body;
  const auto& page = signed_in.callback;
  EXPECT_NE(page.body.find("Sync account added"), std::string::npos);
  EXPECT_NE(page.body.find("window.opener.postMessage(m,window.location.origin)"),
            std::string::npos);
  EXPECT_NE(page.header("content-security-policy").find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(page.header("referrer-policy"), "no-referrer");
  EXPECT_NE(signed_in.authorization_url.find("code_challenge_method=S256"), std::string::npos);

  auto items = list_accounts();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(std::string(items[0].at("upn").as_string()), upn);
  EXPECT_EQ(items[0].at("health").at("state"), "healthy");
  EXPECT_TRUE(items[0].at("health").at("reason").is_null());
  const SyncAccountId id{items[0].at("id").as_int64()};

  // The sign-in's own access token first; after the cache is dropped, a refresh that rotates.
  std::vector<std::string> refresh_tokens{open_refresh_token(stored_accounts().at(0))};
  const std::string sealed_before = stored_accounts().at(0).sealed_refresh_token;
  auto first = run(service_->access_token(org_, id));
  ASSERT_TRUE(first) << first.error().message;
  run(service_->connector_inactive(org_));
  auto second = run(service_->access_token(org_, id));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE(*second, *first);
  const auto rotated = stored_accounts().at(0);
  EXPECT_NE(rotated.sealed_refresh_token, sealed_before);
  refresh_tokens.push_back(open_refresh_token(rotated));
  EXPECT_NE(refresh_tokens[1], refresh_tokens[0]);
  ClientRequest me;
  me.url = info_.graph_base_url + "/v1.0/me";
  me.headers.push_back({"Authorization", "Bearer " + *second});
  auto me_answer = send(me);
  EXPECT_EQ(me_answer.status, 200) << me_answer.body;
  EXPECT_NE(me_answer.body.find(upn), std::string::npos);

  // Consent revoked in Entra: the periodic check marks the account failed, with a reason.
  ClientRequest revoke;
  revoke.method = "POST";
  revoke.url = emulator_->base_url() + "/_emulator/consent/revoke";
  revoke.headers.push_back({"Content-Type", "application/json"});
  revoke.body = json::serialize(json::object{{"clientId", info_.app_id}});
  ASSERT_EQ(send(revoke).status, 200);
  auto report = run(service_->check_health(org_));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->failed, 1);
  EXPECT_EQ(report->healthy, 0);
  items = list_accounts();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("health").at("state"), "failed");
  EXPECT_NE(std::string(items[0].at("health").at("reason").as_string())
                .find("The refresh token expired or was revoked; sign the account in again"),
            std::string::npos)
      << items[0];
  auto refused = run(service_->access_token(org_, id));
  EXPECT_EQ(refused.error().code, Errc::conflict);

  // Secrets, before the rows go: never in logs, API responses or the database file.
  const auto verifiers = stored_verifiers();
  ASSERT_EQ(verifiers.size(), 1u);
  const std::string state = match(signed_in.callback_url, "state=([^&]+)");
  const std::string code = match(signed_in.callback_url, "code=([^&]+)");
  ASSERT_FALSE(state.empty());
  const std::string db = read_file(dir_ / "ccteams.db") + read_file(dir_ / "ccteams.db-wal");
  const std::string logs = captured_log().str();
  EXPECT_NE(logs.find(kBase), std::string::npos) << "the access log should be captured";
  std::vector<std::string> secrets = refresh_tokens;
  secrets.push_back(verifiers[0]);
  secrets.push_back(*second);
  for (const auto& s : secrets) {
    ASSERT_GE(s.size(), 20u);
    EXPECT_EQ(db.find(s), std::string::npos) << "secret in the database file";
    EXPECT_EQ(logs.find(s), std::string::npos) << "secret in the logs";
    EXPECT_EQ(responses_.find(s), std::string::npos) << "secret in an API response";
  }
  EXPECT_EQ(db.find(state), std::string::npos) << "the state itself is never stored";
  EXPECT_EQ(logs.find(code), std::string::npos) << "the code is never logged";

  auto removed = api("DELETE", std::string(kBase) + "/" + std::to_string(id.value), admin_token_);
  EXPECT_EQ(removed.status, 204) << removed.body;
  EXPECT_TRUE(list_accounts().empty());
  EXPECT_EQ(api("DELETE", std::string(kBase) + "/" + std::to_string(id.value), admin_token_).status,
            404);
  std::lock_guard lock(audit_mu_);
  ASSERT_GE(audits_.size(), 3u);
  EXPECT_EQ(audits_.front(), "root|sync_account.add|ok|" + upn + " added");
  EXPECT_EQ(audits_.back(), "root|sync_account.remove|ok|" + upn + " removed");
}

TEST_F(SyncAccountsTest, ForgedReplayedAndExpiredStatesAreRefused) {
  auto forged = api("GET", std::string(kBase) + "/callback?code=abc&state=forged", "");
  EXPECT_EQ(forged.status, 403) << forged.body;
  EXPECT_NE(forged.body.find("does not belong to a sign-in started here"), std::string::npos);

  auto done = browse_sign_in("member@" + info_.domain);
  ASSERT_EQ(done.callback.status, 200) << done.callback.body;
  auto replay = open_callback(done);
  EXPECT_EQ(replay.callback.status, 409);
  EXPECT_NE(replay.callback.body.find("already used"), std::string::npos);

  // A sign-in finished after its 10 minutes: refused before Entra is asked for tokens.
  auto start = api("POST", std::string(kBase) + "/sign-in", admin_token_);
  ASSERT_EQ(start.status, 200);
  const std::string url(json::parse(start.body).at("authorizationUrl").as_string());
  clock_.advance(11min);
  auto late = api(
      "GET", std::string(kBase) + "/callback?code=abc&state=" + match(url, "state=([^&]+)"), "");
  EXPECT_EQ(late.status, 409);
  EXPECT_NE(late.body.find("expired"), std::string::npos);
  EXPECT_EQ(list_accounts().size(), 1u);  // only the one completed sign-in
}

TEST_F(SyncAccountsTest, CancelAndNonAdminCallersAreRefused) {
  auto cancelled = browse_sign_in("privadmin@" + info_.domain, "cancel");
  EXPECT_EQ(cancelled.callback.status, 409) << cancelled.callback.body;
  EXPECT_NE(cancelled.callback.body.find("cancelled, or consent was declined"), std::string::npos);
  EXPECT_NE(cancelled.callback.body.find("\"ok\":false"), std::string::npos);
  EXPECT_TRUE(list_accounts().empty());

  EXPECT_EQ(api("POST", std::string(kBase) + "/sign-in", agent_token_).status, 403);
  EXPECT_EQ(api("GET", kBase, agent_token_).status, 403);
  EXPECT_EQ(api("DELETE", std::string(kBase) + "/1", agent_token_).status, 403);
  EXPECT_EQ(api("GET", kBase, "").status, 401);
  std::lock_guard lock(audit_mu_);
  ASSERT_FALSE(audits_.empty());
  EXPECT_EQ(audits_.back().rfind("root|sync_account.sign_in|error|", 0), 0u);
}

}  // namespace
}  // namespace ccteams::sync_accounts_it
