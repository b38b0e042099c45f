// Presence endpoints, throttling and faults through the emulator's routes.
#include <gtest/gtest.h>

#include "emulator/harness_test.hpp"

namespace ccteams::emulator {
namespace {

using testing::Harness;
namespace json = boost::json;

json::object set_body(const std::string& session, const char* availability,
                      const char* activity) {
  return {{"sessionId", session}, {"availability", availability}, {"activity", activity},
          {"expirationDuration", "PT10M"}};
}

TEST(GraphPresence, SetReadAndClearThroughGraph) {
  Harness h;
  const auto token = h.app_token();
  const auto id = h.user_id("member");
  auto before = h.json(h.get("/v1.0/users/" + id + "/presence", token));
  EXPECT_EQ(before.at("availability").as_string(), "Offline");
  auto set = h.post_json("/v1.0/users/" + id + "/presence/setPresence",
                         set_body(h.info.app_id, "Busy", "InACall"), token);
  ASSERT_EQ(set.status, 200) << set.body;
  auto after = h.json(h.get("/v1.0/communications/presences/" + id, token));
  EXPECT_EQ(after.at("availability").as_string(), "Busy");
  EXPECT_EQ(after.at("activity").as_string(), "InACall");
  EXPECT_LT(before.at("sequenceNumber").as_string(), after.at("sequenceNumber").as_string());
  auto clear = h.post_json("/v1.0/users/" + id + "/presence/clearPresence",
                           json::object{{"sessionId", h.info.app_id}}, token);
  EXPECT_EQ(clear.status, 200);
  // A second clear finds no session: 404.
  auto again = h.post_json("/v1.0/users/" + id + "/presence/clearPresence",
                           json::object{{"sessionId", h.info.app_id}}, token);
  EXPECT_EQ(again.status, 404);
}

TEST(GraphPresence, SixthPairAndForeignSessionIdAre400) {
  Harness h;
  const auto token = h.app_token();
  const auto id = h.user_id("member");
  EXPECT_EQ(h.post_json("/v1.0/users/" + id + "/presence/setPresence",
                        set_body(h.info.app_id, "DoNotDisturb", "DoNotDisturb"), token)
                .status,
            400);
  EXPECT_EQ(h.post_json("/v1.0/users/" + id + "/presence/setPresence",
                        set_body("another-app", "Busy", "InACall"), token)
                .status,
            400);
}

TEST(GraphPresence, GetPresencesByUserIdAllowsAtMost650Ids) {
  Harness h;
  const auto token = h.app_token();
  json::array ids;
  ids.emplace_back(h.user_id("admin"));
  ids.emplace_back(h.user_id("member"));
  ids.emplace_back("00000000-0000-4000-8000-000000000000");  // unknown: left out
  auto ok = h.post_json("/v1.0/communications/getPresencesByUserId", json::object{{"ids", ids}},
                        token);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(h.json(ok).at("value").as_array().size(), 2u);
  json::array many;
  for (int i = 0; i < 651; ++i) many.emplace_back(h.user_id("member"));
  auto r = h.post_json("/v1.0/communications/getPresencesByUserId",
                       json::object{{"ids", many}}, token);
  EXPECT_EQ(r.status, 400);
  many.pop_back();
  EXPECT_EQ(h.post_json("/v1.0/communications/getPresencesByUserId",
                        json::object{{"ids", many}}, token)
                .status,
            200);
}

TEST(GraphPresence, ClientStateFromControlApiAggregatesWithAppSession) {
  Harness h;
  const auto token = h.app_token();
  const auto id = h.user_id("member");
  auto c = h.post_json("/_emulator/users/" + id + "/presence",
                       json::object{{"availability", "DoNotDisturb"}, {"activity", "Presenting"}});
  ASSERT_EQ(c.status, 200);
  ASSERT_EQ(h.post_json("/v1.0/users/" + id + "/presence/setPresence",
                        set_body(h.info.app_id, "Busy", "InACall"), token)
                .status,
            200);
  auto p = h.json(h.get("/v1.0/users/" + id + "/presence", token));
  EXPECT_EQ(p.at("availability").as_string(), "DoNotDisturb");
  auto state = h.json(h.get("/_emulator/users/" + id + "/presence"));
  EXPECT_EQ(state.at("sessions").as_array().size(), 2u);
  EXPECT_EQ(state.at("clientState").at("activity").as_string(), "Presenting");
  // The session expires after its 10 minutes; the client's state remains.
  *h.now += std::chrono::minutes(10);
  h.emulator->tick(*h.now);
  EXPECT_EQ(h.json(h.get("/_emulator/users/" + id + "/presence")).at("sessions").as_array().size(),
            1u);
}

TEST(GraphPresence, ManyClientsChangeInOneControlCallAllOrNothing) {
  Harness h;
  const auto token = h.app_token();
  const auto member = h.user_id("member");
  const auto admin = h.user_id("admin");
  auto presence = [&](const std::string& id) {
    return h.json(h.get("/v1.0/users/" + id + "/presence", token));
  };
  // One unknown user refuses the whole call: the first entry is not applied either.
  auto refused = h.post_json(
      "/_emulator/presence",
      json::object{{"changes", json::array{json::object{{"id", member}, {"availability", "Busy"}},
                                            json::object{{"id", "no-such-user"},
                                                         {"availability", "Away"}}}}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("changes[1]"), std::string::npos) << refused.body;
  EXPECT_EQ(presence(member).at("availability").as_string(), "Offline");
  EXPECT_EQ(h.post_json("/_emulator/presence", json::object{{"changes", "Busy"}}).status, 400);
  EXPECT_EQ(h.post_json("/_emulator/presence",
                        json::object{{"changes", json::array{json::object{{"id", member}}}}})
                .status,
            400);

  auto ok = h.post_json(
      "/_emulator/presence",
      json::object{{"changes",
                    json::array{json::object{{"id", member},
                                             {"availability", "DoNotDisturb"},
                                             {"activity", "Presenting"}},
                                json::object{{"id", admin}, {"availability", "Available"}}}}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(h.json(ok).at("applied").as_int64(), 2);
  EXPECT_EQ(presence(member).at("activity").as_string(), "Presenting");
  EXPECT_EQ(presence(admin).at("availability").as_string(), "Available");
  EXPECT_EQ(presence(admin).at("activity").as_string(), "Available");
}

TEST(GraphPresence, PresenceBudgetGives429WithRetryAfter) {
  Harness h;
  const auto token = h.app_token();
  const auto id = h.user_id("member");
  int ok = 0;
  http::Response last;
  for (int i = 0; i < 1501; ++i) {
    last = h.get("/v1.0/users/" + id + "/presence", token);
    if (last.status != 200) break;
    ++ok;
  }
  EXPECT_EQ(ok, 1500);
  EXPECT_EQ(last.status, 429);
  EXPECT_FALSE(last.header("Retry-After").empty());
  EXPECT_FALSE(last.header("x-ms-throttle-scope").empty());
  *h.now += std::chrono::seconds(std::stoi(std::string(last.header("Retry-After"))));
  EXPECT_EQ(h.get("/v1.0/users/" + id + "/presence", token).status, 200);
}

TEST(GraphPresence, InjectedStormAnd5xx) {
  Harness h;
  const auto token = h.app_token();
  ASSERT_EQ(h.post_json("/_emulator/faults", json::object{{"throttleStormSeconds", 30}}).status,
            200);
  auto r = h.get("/v1.0/users", token);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.header("Retry-After"), "5");
  *h.now += std::chrono::seconds(31);
  EXPECT_EQ(h.get("/v1.0/users", token).status, 200);
  ASSERT_EQ(h.post_json("/_emulator/faults", json::object{{"status5xxRate", 1.0}}).status, 200);
  EXPECT_EQ(h.get("/v1.0/users", token).status, 503);
  ASSERT_EQ(h.call("DELETE", "/_emulator/faults").status, 204);
  EXPECT_EQ(h.get("/v1.0/users", token).status, 200);
}

TEST(GraphPresence, TokenOutageAndRevokedAccessTokens) {
  Harness h;
  const auto token = h.app_token();
  *h.now += std::chrono::seconds(1);  // tokens of the revocation's own second stay valid
  ASSERT_EQ(h.post_json("/_emulator/faults", json::object{{"tokenOutageSeconds", 10},
                                                          {"revokeAccessTokens", true}})
                .status,
            200);
  auto refused = h.get("/v1.0/users", token);
  EXPECT_EQ(refused.status, 401);
  auto down = h.post_form("/" + h.info.tenant_id + "/oauth2/v2.0/token",
                          {{"grant_type", "client_credentials"},
                           {"client_id", h.info.app_id},
                           {"client_secret", h.info.app_secret},
                           {"scope", "https://graph.microsoft.com/.default"}});
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(h.json(down).at("error").as_string(), "temporarily_unavailable");
  *h.now += std::chrono::seconds(10);
  const auto fresh = h.app_token();  // the outage is over; a token of a later second works
  EXPECT_EQ(h.get("/v1.0/users", fresh).status, 200);
  ASSERT_EQ(h.post_json("/_emulator/faults", json::object{{"tokenOutageSeconds", 1.5}}).status,
            200);
  EXPECT_EQ(h.json(h.get("/_emulator/faults")).at("tokenOutageUntil").is_string(), true);
  EXPECT_EQ(h.post_json("/_emulator/faults", json::object{{"tokenOutageSeconds", -1}}).status,
            400);
}

TEST(GraphPresence, RequestsAreCountedPerClientWithThoseBeforeRetryAfter) {
  Harness h;
  const auto token = h.app_token();
  ASSERT_EQ(h.post_json("/_emulator/faults", json::object{{"throttleStormSeconds", 30},
                                                          {"throttleStormRetryAfter", 2}})
                .status,
            200);
  EXPECT_EQ(h.get("/v1.0/users", token).status, 429);
  *h.now += std::chrono::seconds(1);
  EXPECT_EQ(h.get("/v1.0/users", token).status, 429);  // before Retry-After elapsed
  ASSERT_EQ(h.call("DELETE", "/_emulator/faults").status, 204);
  *h.now += std::chrono::seconds(5);
  EXPECT_EQ(h.get("/v1.0/users", token).status, 200);
  const auto counts = h.json(h.get("/_emulator/requests"));
  bool graph = false;
  bool token_seen = false;
  for (const auto& v : counts.at("value").as_array()) {
    const auto& c = v.as_object();
    if (c.at("clientId") != h.info.app_id.c_str()) continue;
    if (c.at("endpoint") == "graph") {
      graph = true;
      EXPECT_EQ(c.at("requests").to_number<std::uint64_t>(), 3u);
      EXPECT_EQ(c.at("throttled").to_number<std::uint64_t>(), 2u);
      EXPECT_EQ(c.at("ok").to_number<std::uint64_t>(), 1u);
      EXPECT_EQ(c.at("beforeRetryAfter").to_number<std::uint64_t>(), 1u);
    } else if (c.at("endpoint") == "token") {
      token_seen = true;
      EXPECT_EQ(c.at("ok").to_number<std::uint64_t>(), 1u);
    }
  }
  EXPECT_TRUE(graph && token_seen) << h.get("/_emulator/requests").body;
  ASSERT_EQ(h.call("DELETE", "/_emulator/requests").status, 204);
  EXPECT_TRUE(h.json(h.get("/_emulator/requests")).at("value").as_array().empty());
}

}  // namespace
}  // namespace ccteams::emulator
