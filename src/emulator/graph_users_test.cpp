// Users, $search/$filter rules, paging and delta through the emulator's routes.
#include <gtest/gtest.h>

#include "emulator/harness_test.hpp"

namespace ccteams::emulator {
namespace {

using testing::Harness;
using testing::url_param;
namespace json = boost::json;
const http::Header kEventual{"consistencylevel", "eventual"};

// The path and query of a nextLink/deltaLink, to follow it verbatim.
std::string relative(const json::value& link) {
  std::string s(link.as_string());
  return s.substr(std::string("https://emu.test").size());
}

TEST(GraphUsers, MissingTokenIs401InvalidAuthenticationToken) {
  Harness h;
  auto r = h.get("/v1.0/users");
  EXPECT_EQ(r.status, 401);
  auto err = h.json(r).at("error").as_object();
  EXPECT_EQ(err.at("code").as_string(), "InvalidAuthenticationToken");
  EXPECT_TRUE(err.at("innerError").as_object().contains("request-id"));
  EXPECT_FALSE(r.header("WWW-Authenticate").empty());
}

TEST(GraphUsers, ExpiredTokenIs401) {
  Harness h;
  const auto token = h.app_token();
  EXPECT_EQ(h.get("/v1.0/users", token).status, 200);
  *h.now += std::chrono::seconds(3600);
  auto r = h.get("/v1.0/users", token);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(h.json(r).at("error").at("message").as_string().find("expired"), std::string::npos);
}

TEST(GraphUsers, ListPagesByNextLinkAndRefusesHandMadeSkiptokens) {
  Harness h(250);
  const auto token = h.app_token();
  std::set<std::string> ids;
  std::string target = "/v1.0/users?$select=id,displayName,department&$top=100";
  int pages = 0;
  while (!target.empty()) {
    auto r = h.get(target, token);
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = h.json(r);
    for (const auto& u : body.at("value").as_array()) {
      EXPECT_TRUE(u.as_object().contains("department"));
      EXPECT_FALSE(u.as_object().contains("mail"));  // only what was selected
      ids.insert(std::string(u.at("id").as_string()));
    }
    target = body.contains("@odata.nextLink") ? relative(body.at("@odata.nextLink")) : "";
    ++pages;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids.size(), 253u);
  auto forged = h.get("/v1.0/users?$skiptoken=100", token);
  EXPECT_EQ(forged.status, 400);
}

TEST(GraphUsers, DefaultPropertiesExcludeDepartment) {
  Harness h;
  const auto token = h.app_token();
  auto body = h.json(h.get("/v1.0/users?$top=1", token));
  const auto& u = body.at("value").as_array().at(0).as_object();
  EXPECT_TRUE(u.contains("businessPhones"));
  EXPECT_TRUE(u.contains("userPrincipalName"));
  EXPECT_FALSE(u.contains("department"));
}

TEST(GraphUsers, SearchWithoutConsistencyLevelIs400UnsupportedQuery) {
  Harness h;
  const auto token = h.app_token();
  auto r = h.get("/v1.0/users?$search=%22displayName:ad%22", token);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(h.json(r).at("error").at("code").as_string(), "Request_UnsupportedQuery");
  auto ok = h.get("/v1.0/users?$search=%22displayName:adele%22&$count=true", token, {kEventual});
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto body = h.json(ok);
  EXPECT_GE(body.at("@odata.count").as_int64(), 1);
  EXPECT_EQ(body.at("value").as_array().at(0).at("displayName").as_string(), "Adele Vance");
}

TEST(GraphUsers, CountParameterWithoutHeaderIsSilentlyIgnoredButCountSegmentIs400) {
  Harness h;
  const auto token = h.app_token();
  auto body = h.json(h.get("/v1.0/users?$count=true", token));
  EXPECT_FALSE(body.contains("@odata.count"));
  auto seg = h.get("/v1.0/users/$count", token);
  EXPECT_EQ(seg.status, 400);
  EXPECT_EQ(h.json(seg).at("error").at("code").as_string(), "Request_BadRequest");
  auto ok = h.get("/v1.0/users/$count", token, {kEventual});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "33");
}

TEST(GraphUsers, SkipIsUnsupportedAndUnknownSelectIs400AndAboutMeIs501) {
  Harness h;
  const auto token = h.app_token();
  EXPECT_EQ(h.get("/v1.0/users?$skip=5", token).status, 400);
  EXPECT_EQ(h.get("/v1.0/users?$select=shoeSize", token).status, 400);
  EXPECT_EQ(h.get("/v1.0/users?$select=aboutMe", token).status, 501);
  EXPECT_EQ(h.get("/v1.0/users?$top=1000", token).status, 400);
}

TEST(GraphUsers, FilterByUpnAndGetById) {
  Harness h;
  const auto token = h.app_token();
  auto body = h.json(h.get(
      "/v1.0/users?$filter=userPrincipalName%20eq%20'member@contoso.example'", token));
  ASSERT_EQ(body.at("value").as_array().size(), 1u);
  const std::string id(body.at("value").as_array()[0].at("id").as_string());
  auto one = h.get("/v1.0/users/" + id + "?$select=id,department", token);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(h.json(one).at("department").as_string(), "IT");
  EXPECT_EQ(h.get("/v1.0/users/00000000-0000-4000-8000-000000000000", token).status, 404);
}

TEST(GraphUsers, AppWithoutUserReadIsForbidden) {
  Harness h;
  const auto token = h.app_token();
  auto r = h.post_json("/_emulator/apps",
                       json::object{{"clientId", h.info.app_id},
                                    {"applicationPermissions", json::array{"Presence.Read.All"}}});
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(h.post_json("/_emulator/consent/revoke", json::object{}).status, 200);
  auto token2 = h.app_token();  // re-consented with presence only
  auto denied = h.get("/v1.0/users", token2);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(h.json(denied).at("error").at("code").as_string(), "Authorization_RequestDenied");
  // The first token's User.Read.All role was revoked as well: refused at once.
  EXPECT_EQ(h.get("/v1.0/users", token).status, 403);
}

TEST(GraphUsers, DeltaRoundsReportChangesAndRemovals) {
  Harness h(150);
  const auto token = h.app_token();
  std::string target = "/v1.0/users/delta?$select=displayName,jobTitle";
  std::string delta_link;
  std::size_t seen = 0;
  while (!target.empty()) {
    auto r = h.get(target, token, {{"prefer", "odata.maxpagesize=60"}});
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = h.json(r);
    seen += body.at("value").as_array().size();
    if (body.contains("@odata.deltaLink")) {
      delta_link = relative(body.at("@odata.deltaLink"));
      target.clear();
    } else {
      target = relative(body.at("@odata.nextLink"));
    }
  }
  EXPECT_EQ(seen, 153u);
  // No change: the delta link gives an empty page with a new delta link.
  auto empty = h.json(h.get(delta_link, token));
  EXPECT_TRUE(empty.at("value").as_array().empty());
  EXPECT_TRUE(empty.contains("@odata.deltaLink"));

  const std::string member = h.user_id("member");
  ASSERT_EQ(h.call("PATCH", "/_emulator/users/" + member,
                   {{"content-type", "application/json"}}, "{\"jobTitle\":\"Support Lead\"}")
                .status,
            200);
  const std::string priv = h.user_id("privadmin");
  ASSERT_EQ(h.call("DELETE", "/_emulator/users/" + priv).status, 204);
  auto changes = h.json(h.get(relative(empty.at("@odata.deltaLink")), token));
  const auto& v = changes.at("value").as_array();
  ASSERT_EQ(v.size(), 2u);
  for (const auto& item : v) {
    const auto& o = item.as_object();
    if (o.at("id").as_string() == member) {
      EXPECT_EQ(o.at("jobTitle").as_string(), "Support Lead");
      EXPECT_FALSE(o.contains("mail"));  // the first call's $select is baked in
    } else {
      EXPECT_EQ(o.at("id").as_string(), priv);
      EXPECT_EQ(o.at("@removed").at("reason").as_string(), "changed");
    }
  }
}

TEST(GraphUsers, DeltaRefusesForgedTokensAndLongIdFilters) {
  Harness h;
  const auto token = h.app_token();
  auto r = h.get("/v1.0/users/microsoft.graph.delta?$deltatoken=abc", token);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(h.json(r).at("error").at("code").as_string(), "syncStateNotFound");
  EXPECT_EQ(h.get("/v1.0/users/delta?$filter=department%20eq%20'IT'", token).status, 400);
  EXPECT_EQ(h.get("/v1.0/users/delta?$filter=id%20eq%20'x'%20or%20id%20eq%20'y'", token).status,
            200);
}

}  // namespace
}  // namespace ccteams::emulator
