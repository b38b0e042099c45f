#include "adapters/http/message_codes.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "adapters/http/http_types.hpp"
#include "app/ports/connector_store.hpp"

namespace ccteams::http {
namespace {

std::string param(const MessageCode& c, const std::string& name) {
  for (const auto& [k, v] : c.params) {
    if (k == name) return v;
  }
  return "<none>";
}

struct Case {
  const char* english;
  const char* code;
};

TEST(MessageCodes, KnowsTheSentencesAnAdminReads) {
  const Case cases[] = {
      {"The Microsoft account member@contoso.example is not a Global Administrator or Privileged "
       "Role Administrator of its organisation, and only they can connect it. Start again with "
       "Set up and sign in with such an account.",
       "connector.not_admin"},
      {"Microsoft Entra ID refused the consent: the signed-in account is not a Global "
       "Administrator or Privileged Role Administrator (AADSTS90094). Sign in to Microsoft with "
       "such an account and start again with Set up.",
       "connector.consent_not_admin"},
      {"Microsoft Entra ID refused the consent: server_error: boom", "connector.consent_refused"},
      {"The Set up request expired; start again with Set up", "connector.setup_expired"},
      {"Microsoft Entra ID refused the connector's app token for tenant t-1 (invalid_client, "
       "AADSTS7000215): Invalid client secret. An administrator must authorise the connector "
       "again (Set up).",
       "connector.app_token_refused"},
      {"Microsoft Entra ID refused the connector's app token for tenant t-1. An administrator "
       "must authorise the connector again (Set up).",
       "connector.app_token_refused"},
      {"This Microsoft 365 tenant is connected to another ccteams organisation; re-authorise "
       "with an administrator of your own tenant.",
       "connector.tenant_taken"},
      {"Set up started: Microsoft sign-in of a tenant administrator; the request expires at "
       "2026-12-07T15:00:00.000Z",
       "audit.setup_started"},
      {"Active -> Inactive", "audit.transition"},
      {"Authorizing -> Active; tenant t-1; consented by ga@contoso.example (object id o-1); "
       "permissions Presence.ReadWrite.All User.Read.All",
       "audit.consented"},
      {"presence sync: 1 presence subscription deleted, 2 Teams presence sessions cleared",
       "removed.presence_sync"},
      {"directory mirror: 12 mirrored Teams directory users removed", "removed.directory"},
      {"sync accounts: 1 sync account and its token removed", "removed.sync_accounts"},
      {"The refresh token expired or was revoked; sign the account in again (AADSTS700082)",
       "sync.token_expired"},
      {"The sign-in was cancelled, or consent was declined, in Microsoft Entra",
       "sync.sign_in_cancelled"},
      {"sync@contoso.example added", "sync.account_added"},
      {"no healthy sync account: add one under Sync accounts; bulk reads only",
       "coverage.no_healthy_account"},
      {"not enough sync accounts: 3 users need 2 accounts, 1 is healthy; 1 user relies on bulk "
       "reads only",
       "coverage.not_enough"},
      {"idle code Lunch is used by desktop profile Default; change that first", "idle_code.in_use"},
  };
  for (const auto& c : cases) {
    auto code = message_code(c.english);
    ASSERT_TRUE(code) << c.english;
    EXPECT_EQ(code->code, c.code) << c.english;
  }
  EXPECT_TRUE(message_code(std::string(kTenantTakenMessage)));
}

TEST(MessageCodes, CarriesTheVariablePartsAsParameters) {
  auto c = message_code(
      "Microsoft Entra ID refused the connector's app token for tenant t-1 (invalid_client, "
      "AADSTS7000215): Invalid client secret. An administrator must authorise the connector "
      "again (Set up).");
  ASSERT_TRUE(c);
  EXPECT_EQ(param(*c, "tenant"), "t-1");
  EXPECT_EQ(param(*c, "code"), "invalid_client, AADSTS7000215");
  EXPECT_EQ(param(*c, "reason"), "Invalid client secret");
  auto n = message_code(
      "not enough sync accounts: 3 users need 2 accounts, 1 is healthy; 1 user relies on bulk "
      "reads only");
  ASSERT_TRUE(n);
  EXPECT_EQ(param(*n, "users"), "3");
  EXPECT_EQ(param(*n, "needed"), "2");
  EXPECT_EQ(param(*n, "healthy"), "1");
  EXPECT_EQ(param(*n, "uncovered"), "1");
  auto held = message_code(
      "idle code Teams - Presenting is used by desktop profile Demo agents, the Microsoft Teams "
      "presence mapping (DoNotDisturb/Presenting); change that first");
  ASSERT_TRUE(held);
  EXPECT_EQ(held->code, "idle_code.in_use");
  EXPECT_EQ(param(*held, "name"), "Teams - Presenting");
  EXPECT_EQ(param(*held, "profiles"), "Demo agents");
  EXPECT_EQ(param(*held, "mapping"), "DoNotDisturb/Presenting");
}

TEST(MessageCodes, AuditDetailsNameTheSentencesInsideThem) {
  auto c = message_code(
      "Active -> AuthorizationError: Microsoft Entra ID granted the app no application "
      "permission in tenant t-1: the admin consent was revoked or never given. An administrator "
      "must authorise the connector again (Set up).");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, "audit.authorization_error");
  EXPECT_EQ(param(*c, "from"), "Active");
  ASSERT_EQ(c->parts.size(), 1u);
  ASSERT_TRUE(c->parts[0]);
  EXPECT_EQ(c->parts[0]->code, "connector.no_permission");

  auto d = message_code(
      "Inactive -> NotConfigured; presence sync: no presence subscriptions; directory mirror: 3 "
      "mirrored Teams directory users removed");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->code, "audit.deleted");
  ASSERT_EQ(d->parts.size(), 2u);
  EXPECT_EQ(d->parts[1]->code, "removed.directory");

  auto one = message_code("presenceSync off");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->code, "setting.presence_sync");

  auto u = message_code("showUserDetails off; presenceSync on");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->code, "audit.update");
  ASSERT_EQ(u->parts.size(), 2u);
  EXPECT_EQ(u->parts[0]->code, "setting.show_user_details");
  EXPECT_EQ(param(*u->parts[1], "state"), "on");
}

TEST(MessageCodes, AnUnknownSentenceHasNoCodeAndJsonNull) {
  EXPECT_FALSE(message_code("Something nobody wrote here"));
  // Past the longest sentence: not even looked at.
  EXPECT_FALSE(message_code("idle code " + std::string(5000, 'x') +
                            " is a system code and cannot be deleted"));
  EXPECT_FALSE(message_code(""));
  EXPECT_TRUE(message_code_json("Something nobody wrote here").is_null());
  auto j = message_code_json("Active -> Inactive");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.as_object().at("code").as_string(), "audit.transition");
  EXPECT_EQ(j.as_object().at("params").as_object().at("to").as_string(), "Inactive");
  EXPECT_FALSE(j.as_object().contains("parts"));
}

// The one error body: a known sentence carries its code beside the message, others do not.
TEST(MessageCodes, AnErrorBodyCarriesTheCodeOfAKnownSentence) {
  const Response coded = error_response(make_error(
      Errc::conflict, "idle code Lunch is used by desktop profile Default; change that first"));
  const auto body = boost::json::parse(coded.body).as_object().at("error").as_object();
  EXPECT_EQ(body.at("code").as_string(), "conflict");
  ASSERT_TRUE(body.contains("messageCode"));
  const auto& coded_json = body.at("messageCode").as_object();
  EXPECT_EQ(coded_json.at("code").as_string(), "idle_code.in_use");
  EXPECT_EQ(coded_json.at("params").as_object().at("name").as_string(), "Lunch");

  const Response plain = error_response(make_error(Errc::invalid_input, "field 'x' is required"));
  EXPECT_FALSE(
      boost::json::parse(plain.body).as_object().at("error").as_object().contains("messageCode"));
}

}  // namespace
}  // namespace ccteams::http
