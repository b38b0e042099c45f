// Graph with several tenants: every request is served from its token's tenant only (users,
// delta, presence, setPresence), /me/memberOf and its permission, and the control API's
// tenant selection and loopback-only rule.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "emulator/harness_test.hpp"
#include "emulator/jwt.hpp"
#include "emulator/tenant_model.hpp"

namespace ccteams::emulator {
namespace {

using testing::Harness;
namespace json = boost::json;

std::string str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string app_token(Harness& h, const std::string& tenant) {
  EXPECT_EQ(h.post_json("/_emulator/consent/grant?tenant=" + tenant, json::object{}).status, 200);
  auto r = h.post_form("/" + tenant + "/oauth2/v2.0/token",
                       {{"grant_type", "client_credentials"},
                        {"client_id", h.info.app_id},
                        {"client_secret", h.info.app_secret},
                        {"scope", "https://graph.microsoft.com/.default"}});
  EXPECT_EQ(r.status, 200) << r.body;
  return str(h.json(r), "access_token");
}

// A delegated Graph token as Entra would issue it, with exactly the scopes in scp (Graph
// still intersects them with what is consented in the tenant).
std::string delegated_token(Harness& h, const std::string& tenant_id, const std::string& user_id,
                            const std::string& scp) {
  const auto iat =
      std::chrono::duration_cast<std::chrono::seconds>(h.now->time_since_epoch()).count();
  return JwtSigner::from_pem(testing::harness_signing_key())
      .sign(json::object{{"aud", "https://graph.microsoft.com"},
                         {"iss", "https://sts.windows.net/" + tenant_id + "/"},
                         {"iat", iat}, {"nbf", iat}, {"exp", iat + 3600},
                         {"appid", h.info.app_id}, {"tid", tenant_id},
                         {"idtyp", "user"}, {"oid", user_id}, {"scp", scp}, {"ver", "1.0"}});
}

std::string account_id(Harness& h, const std::string& tenant, const std::string& upn) {
  auto t = h.json(h.get("/_emulator/tenant?tenant=" + tenant));
  for (const auto& a : t.at("accounts").as_array()) {
    if (a.at("userPrincipalName").as_string() == upn) return str(a.as_object(), "id");
  }
  ADD_FAILURE() << "no account " << upn;
  return {};
}

TEST(GraphTenants, EachTokenSeesOnlyItsOwnTenant) {
  Harness h(12, 9, 2);
  const std::string t1 = h.info.tenant_id;
  const std::string t2 = h.info.tenants[1].tenant_id;
  const std::string tok1 = app_token(h, t1);
  const std::string tok2 = app_token(h, t2);

  auto users = h.json(h.get("/v1.0/users?$top=999&$select=id,userPrincipalName", tok2));
  const auto& value = users.at("value").as_array();
  EXPECT_EQ(value.size(), 15u);  // admin, privadmin, member + 12
  for (const auto& u : value) {
    const std::string upn = str(u.as_object(), "userPrincipalName");
    EXPECT_TRUE(upn.ends_with("@contoso2.example")) << upn;
  }
  const std::string admin1 = account_id(h, t1, "admin@contoso.example");
  const std::string admin2 = account_id(h, t2, "admin@contoso2.example");
  EXPECT_EQ(h.get("/v1.0/users/" + admin1, tok2).status, 404);
  EXPECT_EQ(h.get("/v1.0/users/admin@contoso.example", tok2).status, 404);
  EXPECT_EQ(h.get("/v1.0/users/" + admin2, tok2).status, 200);
  EXPECT_EQ(h.get("/v1.0/users/" + admin1 + "/presence", tok2).status, 404);
  EXPECT_EQ(h.get("/v1.0/users/" + admin1 + "/presence", tok1).status, 200);

  auto bulk = h.call("POST", "/v1.0/communications/getPresencesByUserId",
                     {{"content-type", "application/json"}, {"authorization", "Bearer " + tok2}},
                     json::serialize(json::object{{"ids", json::array{admin1, admin2}}}));
  ASSERT_EQ(bulk.status, 200) << bulk.body;
  const auto bulk_body = h.json(bulk);
  const auto& presences = bulk_body.at("value").as_array();
  ASSERT_EQ(presences.size(), 1u);  // the other tenant's id is left out, as an unknown id
  EXPECT_EQ(str(presences.at(0).as_object(), "id"), admin2);

  auto delta = h.json(h.get("/v1.0/users/delta?$select=userPrincipalName", tok1));
  for (const auto& u : delta.at("value").as_array()) {
    EXPECT_TRUE(str(u.as_object(), "userPrincipalName").ends_with("@contoso.example"));
  }
  // An app session on another tenant's user: not found, nothing written.
  auto set = h.call("POST", "/v1.0/users/" + admin1 + "/presence/setPresence",
                    {{"content-type", "application/json"}, {"authorization", "Bearer " + tok2}},
                    json::serialize(json::object{{"sessionId", h.info.app_id},
                                                 {"availability", "Busy"},
                                                 {"activity", "InACall"},
                                                 {"expirationDuration", "PT10M"}}));
  EXPECT_EQ(set.status, 404);
  EXPECT_EQ(str(h.json(h.get("/v1.0/users/" + admin1 + "/presence", tok1)), "availability"),
            "Offline");
}

TEST(GraphTenants, PresenceIsPerTenantAndTheControlApiNamesTheTenant) {
  Harness h(5, 9, 2);
  const std::string t2 = h.info.tenants[1].tenant_id;
  const std::string member2 = account_id(h, t2, "member@contoso2.example");
  const json::object busy{{"availability", "Busy"}, {"activity", "InAMeeting"}};
  // Without ?tenant the control API acts on tenant 1, where the user does not exist.
  EXPECT_EQ(h.post_json("/_emulator/users/" + member2 + "/presence", busy).status, 404);
  EXPECT_EQ(h.post_json("/_emulator/users/" + member2 + "/presence?tenant=nowhere.example", busy)
                .status,
            404);
  ASSERT_EQ(h.post_json("/_emulator/users/" + member2 + "/presence?tenant=" + t2, busy).status,
            200);
  auto seen = h.json(h.get("/v1.0/users/" + member2 + "/presence", app_token(h, t2)));
  EXPECT_EQ(str(seen, "availability"), "Busy");
  EXPECT_EQ(str(seen, "activity"), "InAMeeting");
  auto control = h.json(h.get("/_emulator/users/" + member2 + "/presence?tenant=contoso2.example"));
  EXPECT_EQ(str(control.at("presence").as_object(), "availability"), "Busy");

  // Users created in tenant 2 stay there; a UPN is unique across tenants.
  auto created = h.post_json("/_emulator/users?tenant=" + t2,
                             json::object{{"userPrincipalName", "new@contoso2.example"},
                                          {"displayName", "New Person"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(h.get("/v1.0/users/new@contoso2.example", app_token(h, t2)).status, 200);
  EXPECT_EQ(h.get("/v1.0/users/new@contoso2.example", app_token(h, h.info.tenant_id)).status,
            404);
  EXPECT_EQ(h.post_json("/_emulator/users",
                        json::object{{"userPrincipalName", "new@contoso2.example"}})
                .status,
            400);
}

TEST(GraphTenants, MeMemberOfListsDirectoryRolesWithUserRead) {
  Harness h(5, 9, 2);
  const std::string t2 = h.info.tenants[1].tenant_id;
  ASSERT_EQ(h.post_json("/_emulator/consent/grant?tenant=" + t2, json::object{}).status, 200);
  const std::string privadmin = account_id(h, t2, "privadmin@contoso2.example");
  const std::string member = account_id(h, t2, "member@contoso2.example");

  auto roles = h.get("/v1.0/me/memberOf", delegated_token(h, t2, privadmin, "User.Read"));
  ASSERT_EQ(roles.status, 200) << roles.body;
  auto body = h.json(roles);
  EXPECT_EQ(str(body, "@odata.context"), "https://emu.test/v1.0/$metadata#directoryObjects");
  const auto& value = body.at("value").as_array();
  ASSERT_EQ(value.size(), 1u);
  const auto& role = value.at(0).as_object();
  EXPECT_EQ(str(role, "@odata.type"), "#microsoft.graph.directoryRole");
  EXPECT_EQ(str(role, "displayName"), "Privileged Role Administrator");
  EXPECT_EQ(str(role, "roleTemplateId"), kPrivilegedRoleAdministratorRole);
  EXPECT_NE(str(role, "id"), str(role, "roleTemplateId"));  // the tenant's role object

  // A plain member holds no directory role (the default User role is only in wids).
  auto none = h.get("/v1.0/me/memberOf", delegated_token(h, t2, member, "User.Read"));
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(h.json(none).at("value").as_array().empty());
  // Directory.Read.All also serves; a token without User.Read or higher does not.
  EXPECT_EQ(h.get("/v1.0/me/memberOf",
                  delegated_token(h, t2, privadmin, "Presence.Read.All"))
                .status,
            403);
  // A scope in the token that the tenant never consented counts for nothing.
  EXPECT_EQ(h.get("/v1.0/me/memberOf", delegated_token(h, h.info.tenant_id,
                                                        account_id(h, h.info.tenant_id,
                                                                   "admin@contoso.example"),
                                                        "User.Read"))
                .status,
            403);
  EXPECT_EQ(h.get("/v1.0/me/memberOf", app_token(h, t2)).status, 400);  // no signed-in user
}

TEST(GraphTenants, ControlApiAnswersLoopbackClientsOnly) {
  Harness h(5, 9, 2);
  for (const char* address : {"127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"}) {
    h.remote_address = address;
    EXPECT_EQ(h.get("/_emulator/tenants").status, 200) << address;
  }
  for (const char* address : {"192.0.2.7", "10.0.0.1", "::ffff:192.0.2.7", "2001:db8::1", ""}) {
    h.remote_address = address;
    auto r = h.get("/_emulator/tenant");
    EXPECT_EQ(r.status, 403) << address;
    EXPECT_EQ(str(h.json(r).at("error").as_object(), "code"), "forbidden");
    EXPECT_EQ(h.post_json("/_emulator/consent/grant", json::object{}).status, 403);
    EXPECT_EQ(h.get("/_emulator/subscriptions").status, 403);
    EXPECT_EQ(h.call("PATCH", "/_emulator/app", {{"content-type", "application/json"}},
                     R"({"groupMembershipClaims":"None"})")
                  .status,
              403);
    // Entra and Graph stay open to everyone, as Microsoft's are.
    EXPECT_EQ(h.get("/common/discovery/v2.0/keys").status, 200);
    EXPECT_EQ(h.get("/v1.0/users").status, 401);
  }
}

}  // namespace
}  // namespace ccteams::emulator
