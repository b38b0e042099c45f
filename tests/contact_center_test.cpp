// Issue 5 end to end through the real binary (`ccteams demo --simulation`-free demo org):
// configuration API, agents logging in, routing, RONA with a short timeout, accept, consult,
// transfer, end and wrap-up over HTTP, with a supervisor watching every step on the events
// WebSocket, an agent seeing only their own, and another organisation seeing nothing.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <thread>

#include "demo_fixture.hpp"
#include "event_client.hpp"

namespace ccteams::testing {
namespace {

namespace json = boost::json;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using namespace std::chrono_literals;

// The HTTP status of a refused WebSocket upgrade (101 when accepted).
int upgrade_status(std::uint16_t port, const std::string& target, const std::string& bearer = {}) {
  boost::asio::io_context ioc;
  websocket::stream<tcp::socket> ws(ioc);
  tcp::resolver resolver(ioc);
  boost::asio::connect(ws.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
  ws.set_option(websocket::stream_base::decorator([bearer](websocket::request_type& req) {
    if (!bearer.empty()) req.set(beast::http::field::authorization, "Bearer " + bearer);
  }));
  websocket::response_type res;
  beast::error_code ec;
  ws.handshake(res, "127.0.0.1", target, ec);
  return static_cast<int>(res.result_int());
}

bool is_type(const json::object& m, std::string_view t) {
  return m.contains("type") && m.at("type").as_string() == t;
}

auto contact_in(std::int64_t id, std::string_view state, std::int64_t agent = 0) {
  return [=](const json::object& m) {
    if (!is_type(m, "contact")) return false;
    const auto& c = m.at("contact").as_object();
    return c.at("id").as_int64() == id && c.at("state").as_string() == state &&
           (agent == 0 || (c.at("agentId").is_int64() && c.at("agentId").as_int64() == agent));
  };
}

auto agent_in(std::int64_t agent, std::string_view state, std::string_view origin = {}) {
  return [=](const json::object& m) {
    if (!is_type(m, "agent.state") || m.at("agentId").as_int64() != agent) return false;
    const auto& s = m.at("state").as_object();
    return s.at("state").as_string() == state &&
           (origin.empty() || (s.at("origin").is_string() && s.at("origin").as_string() == origin));
  };
}

void add_other_org_user(DemoProcess& demo, const std::string& username, const std::string& role) {
  const auto cfg = demo.data() / "other.toml";
  {
    std::ofstream f(cfg);
    f << "[store]\npath = \"" << (demo.data() / "ccteams.db").string() << "\"\n"
      << "[secrets]\nkey_file = \"" << (demo.data() / "secret.key").string() << "\"\n"
      << "[auth]\npassword_hash = \"minimum\"\n";
  }
  ChildProcess add({CCTEAMS_BINARY, "user", "add", "--config", cfg.string(), "--org", "Other Org",
                    "--username", username, "--role", role, "--password-stdin"},
                   "otherpassword\n");
  ASSERT_EQ(add.wait_exit(std::chrono::seconds(30)), 0) << add.output();
}

TEST(ContactCenter, ConfigurationApiIsAdminOnlyOrgScopedAndValidates) {
  DemoProcess demo;
  ASSERT_NE(demo.port(), 0);
  add_other_org_user(demo, "otheradmin", "admin");
  const auto admin = demo.login("admin");
  const auto other = demo.login("otheradmin", "otherpassword");
  const auto agent = demo.login("agent1");

  EXPECT_EQ(demo.get("/api/v1/idle-codes", agent).status, 403);
  auto codes = parse(demo.get("/api/v1/idle-codes", admin).body).at("items").as_array();
  std::int64_t rona = 0;
  for (const auto& c : codes) {
    if (c.at("name") == "RONA") rona = c.at("id").as_int64();
  }
  ASSERT_NE(rona, 0);
  EXPECT_EQ(demo.send("POST", "/api/v1/idle-codes", R"({"name":"RONA"})", admin).status, 409);
  EXPECT_EQ(demo.send("DELETE", "/api/v1/idle-codes/" + std::to_string(rona), "", admin).status,
            409);
  auto bad = demo.send("POST", "/api/v1/idle-codes", R"({"name":""})", admin);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("name"), std::string::npos);
  auto training = demo.send("POST", "/api/v1/idle-codes", R"({"name":"Training"})", admin);
  ASSERT_EQ(training.status, 201) << training.body;
  const std::string code_path = "/api/v1/idle-codes/" + std::to_string(id_of(training.body));
  EXPECT_EQ(demo.get(code_path, other).status, 404);
  EXPECT_EQ(demo.send("DELETE", code_path, "", other).status, 404);

  // The demo profile allows Lunch: deleting it names the profile.
  const auto lunch = find_named(demo, "/api/v1/idle-codes", "Lunch", admin);
  auto in_use = demo.send("DELETE", "/api/v1/idle-codes/" + std::to_string(lunch), "", admin);
  EXPECT_EQ(in_use.status, 409);
  EXPECT_NE(in_use.body.find("Demo agents"), std::string::npos) << in_use.body;

  const auto profile = find_named(demo, "/api/v1/desktop-profiles", "Demo agents", admin);
  const std::string profile_path = "/api/v1/desktop-profiles/" + std::to_string(profile);
  auto p = parse(demo.get(profile_path, admin).body).as_object();
  EXPECT_EQ(p.at("microsoftTeams"), true);
  EXPECT_EQ(p.at("ronaTimeoutSeconds"), 15);
  auto refused = demo.send("PATCH", profile_path, R"({"ronaTimeoutSeconds":1})", admin);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("ronaTimeoutSeconds"), std::string::npos);
  EXPECT_EQ(parse(demo.get(profile_path, admin).body).at("ronaTimeoutSeconds"), 15);
  EXPECT_EQ(demo.get(profile_path, other).status, 404);

  auto queue = demo.send("POST", "/api/v1/queues", R"({"name":"Billing"})", admin);
  ASSERT_EQ(queue.status, 201);
  auto agents = parse(demo.get("/api/v1/agents", admin).body).at("items").as_array();
  ASSERT_GE(agents.size(), 3u);
  const auto a1 = agents.at(0).as_object();
  EXPECT_TRUE(a1.contains("desktopProfileId"));
  EXPECT_TRUE(a1.contains("teamsUserId"));
  const std::string agent_path = "/api/v1/agents/" + std::to_string(a1.at("userId").as_int64());
  auto patched = demo.send("PATCH", agent_path,
                           R"({"queueIds":[)" + std::to_string(id_of(queue.body)) +
                               R"(],"teamsUserId":"aad-123"})",
                           admin);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(parse(patched.body).at("teamsUserId"), "aad-123");
  EXPECT_EQ(demo.send("PATCH", agent_path, R"({"queueIds":[999999]})", admin).status, 400);
  EXPECT_EQ(demo.get(agent_path, other).status, 404);
}

TEST(ContactCenter, AnAgentReadsTheirDesktopAndASupervisorTheQueueNames) {
  DemoProcess demo;
  ASSERT_NE(demo.port(), 0);
  const auto admin = demo.login("admin");
  const auto agent = demo.login("agent1");
  const auto supervisor = demo.login("supervisor");
  const auto lunch = find_named(demo, "/api/v1/idle-codes", "Lunch", admin);
  const auto profile = find_named(demo, "/api/v1/desktop-profiles", "Demo agents", admin);
  // The profile allows Lunch only, with a 20 s RONA timeout; an inactive code is never offered.
  ASSERT_EQ(demo.send("PATCH", "/api/v1/desktop-profiles/" + std::to_string(profile),
                      R"({"allowedIdleCodeIds":[)" + std::to_string(lunch) +
                          R"(],"ronaTimeoutSeconds":20})",
                      admin).status, 200);
  auto d = demo.get("/api/v1/me/desktop", agent);
  ASSERT_EQ(d.status, 200) << d.body;
  auto desk = parse(d.body).as_object();
  EXPECT_EQ(desk.at("ronaTimeoutSeconds"), 20);
  EXPECT_EQ(desk.at("desktopProfile").at("name"), "Demo agents");
  ASSERT_EQ(desk.at("idleCodes").as_array().size(), 1u) << d.body;
  EXPECT_EQ(desk.at("idleCodes").at(0).at("name"), "Lunch");
  EXPECT_FALSE(desk.at("queues").as_array().empty()) << d.body;
  EXPECT_TRUE(desk.at("queues").at(0).as_object().contains("name"));
  // Every active hand-chosen code when the profile allows any; never RONA.
  ASSERT_EQ(demo.send("PATCH", "/api/v1/desktop-profiles/" + std::to_string(profile),
                      R"({"allowedIdleCodeIds":[]})", admin).status, 200);
  auto all = parse(demo.get("/api/v1/me/desktop", agent).body).at("idleCodes").as_array();
  EXPECT_GT(all.size(), 1u);
  for (const auto& c : all) EXPECT_NE(c.at("name"), "RONA");
  // Only agents have a desktop; supervisors may list the queues but not change them.
  EXPECT_EQ(demo.get("/api/v1/me/desktop", admin).status, 403);  // not an agent
  EXPECT_EQ(demo.get("/api/v1/me/desktop", "").status, 401);
  auto queues = demo.get("/api/v1/queues", supervisor);
  EXPECT_EQ(queues.status, 200) << queues.body;
  EXPECT_EQ(demo.send("POST", "/api/v1/queues", R"({"name":"X"})", supervisor).status, 403);
  EXPECT_EQ(demo.get("/api/v1/queues", agent).status, 403);
  // Supervisors read the idle codes too (to set an agent Idle), but do not change them.
  EXPECT_EQ(demo.get("/api/v1/idle-codes", supervisor).status, 200);
  EXPECT_EQ(demo.send("POST", "/api/v1/idle-codes", R"({"name":"X"})", supervisor).status, 403);
  EXPECT_EQ(demo.get("/api/v1/idle-codes", agent).status, 403);
}

// The desktop's team (GET /api/v1/me/team): the other agents of the caller's organisation with
// their states, never the caller nor another organisation's, without Teams presence; and the
// caller's own queues, named, with their waiting customers.
TEST(ContactCenter, AnAgentReadsTheirTeamAndTheirQueuesWaiting) {
  DemoProcess demo;
  ASSERT_NE(demo.port(), 0);
  add_other_org_user(demo, "otheragent", "agent");
  const auto admin = demo.login("admin");
  const auto t1 = demo.login("agent1");
  const auto t2 = demo.login("agent2");
  const auto sales = find_named(demo, "/api/v1/queues", "Sales", admin);
  ASSERT_EQ(demo.send("POST", "/api/v1/demo/contacts",
                      R"({"queueId":)" + std::to_string(sales) + R"(,"caller":"+15550111"})", admin)
                .status,
            201);
  ASSERT_EQ(demo.send("POST", "/api/v1/me/session", "{}", t2).status, 200);

  auto r = demo.get("/api/v1/me/team", t1);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto team = parse(r.body);
  bool saw_agent2 = false;
  for (const auto& a : team.at("agents").as_array()) {
    EXPECT_NE(a.at("username"), "agent1") << "not the caller";
    EXPECT_NE(a.at("username"), "otheragent") << "not another organisation's";
    EXPECT_TRUE(a.at("state").at("teamsPresence").is_null()) << r.body;
    EXPECT_TRUE(a.at("queueIds").is_array());
    if (a.at("username") == "agent2") {
      saw_agent2 = true;
      // The waiting contact went to agent2 as they logged in.
      EXPECT_EQ(a.at("state").at("state"), "Reserved") << r.body;
    }
  }
  EXPECT_TRUE(saw_agent2) << r.body;
  bool saw_sales = false;
  for (const auto& q : team.at("queues").as_array()) {
    if (q.at("queueId").as_int64() != sales) continue;
    saw_sales = true;
    EXPECT_EQ(q.at("name"), "Sales");
    EXPECT_EQ(q.at("waiting").as_int64(), 0) << "offered to agent2, not waiting";
  }
  EXPECT_TRUE(saw_sales) << r.body;
  // A second caller waits: no agent is Available now.
  ASSERT_EQ(demo.send("POST", "/api/v1/demo/contacts",
                      R"({"queueId":)" + std::to_string(sales) + R"(,"caller":"+15550112"})", admin)
                .status,
            201);
  const auto again = parse(demo.get("/api/v1/me/team", t1).body);
  for (const auto& q : again.at("queues").as_array()) {
    if (q.at("queueId").as_int64() == sales) {
      EXPECT_EQ(q.at("waiting").as_int64(), 1);
    }
  }
  EXPECT_EQ(demo.get("/api/v1/me/team", admin).status, 403);  // not an agent
  EXPECT_EQ(demo.get("/api/v1/me/team", "").status, 401);
}

TEST(ContactCenter, RoutingRonaConsultTransferAreSeenByTheSupervisorOnly) {
  DemoProcess demo;
  ASSERT_NE(demo.port(), 0);
  add_other_org_user(demo, "otheragent", "agent");
  const auto admin = demo.login("admin");
  const auto sup = demo.login("supervisor");
  const auto t1 = demo.login("agent1");
  const auto t2 = demo.login("agent2");
  const auto t3 = demo.login("agent3");
  const auto outsider = demo.login("otheragent", "otherpassword");
  const auto me1 = parse(demo.get("/api/v1/me", t1).body).at("userId").as_int64();
  const auto me2 = parse(demo.get("/api/v1/me", t2).body).at("userId").as_int64();
  const auto me3 = parse(demo.get("/api/v1/me", t3).body).at("userId").as_int64();

  const auto profile = find_named(demo, "/api/v1/desktop-profiles", "Demo agents", admin);
  ASSERT_EQ(demo.send("PATCH", "/api/v1/desktop-profiles/" + std::to_string(profile),
                      R"({"ronaTimeoutSeconds":5})", admin).status, 200);
  const auto sales = find_named(demo, "/api/v1/queues", "Sales", admin);

  EventClient supervisor(demo.port(), "/api/v1/events", sup);
  EventClient own(demo.port(), "/api/v1/events", t1);
  EventClient foreign(demo.port(), "/api/v1/events", outsider);
  for (auto* c : {&supervisor, &own, &foreign}) {
    ASSERT_TRUE(c->wait_for([](auto& m) { return is_type(m, "subscribed"); }));
  }
  EXPECT_EQ(upgrade_status(demo.port(), "/api/v1/events"), 401);
  // A token in the URL is refused, right or wrong (issue 23; tests/events_guard_test.cpp).
  EXPECT_EQ(upgrade_status(demo.port(), "/api/v1/events?access_token=wrong"), 400);
  EXPECT_EQ(upgrade_status(demo.port(), "/api/v1/events?access_token=" + sup), 400);
  EXPECT_EQ(upgrade_status(demo.port(), "/api/v1/events?after=x", sup), 400);

  auto login1 = demo.send("POST", "/api/v1/me/session", "", t1);
  ASSERT_EQ(login1.status, 200) << login1.body;
  EXPECT_EQ(parse(login1.body).at("state").at("state"), "Available");
  ASSERT_EQ(demo.send("POST", "/api/v1/me/session", "", t2).status, 200);

  auto call = demo.send("POST", "/api/v1/demo/contacts",
                        R"({"queueId":)" + std::to_string(sales) + R"(,"caller":"+15550100"})",
                        admin);
  ASSERT_EQ(call.status, 201) << call.body;
  const auto contact = parse(call.body).at("contact").at("id").as_int64();
  const std::string cpath = "/api/v1/contacts/" + std::to_string(contact);
  EXPECT_EQ(parse(call.body).at("contact").at("agentId"), me1);  // available the longest

  // agent1 lets it ring: RONA after 5 s, and agent2 is offered the same contact.
  ASSERT_TRUE(supervisor.wait_for(agent_in(me1, "Idle", "rona"), 15s));
  ASSERT_TRUE(supervisor.wait_for(contact_in(contact, "Offered", me2)));
  auto me = parse(demo.get("/api/v1/me", t1).body).at("state").as_object();
  EXPECT_EQ(me.at("idleCodeName"), "RONA");
  EXPECT_TRUE(me.at("teamsPresence").is_null());
  // Counted for the dashboard and CcteamsRonaRateHigh (ops/).
  EXPECT_TRUE(eventually([&] {
    return demo.get("/metrics").body.find("\ncontact_center_ronas_total 1\n") != std::string::npos;
  }, 5s)) << demo.get("/metrics").body;

  EXPECT_EQ(demo.send("POST", cpath + "/accept", "", t1).status, 409);
  ASSERT_EQ(demo.send("POST", cpath + "/accept", "", t2).status, 200);
  auto consult = demo.send("POST", cpath + "/consult", R"({"number":"+1 425 555 0100"})", t2);
  ASSERT_EQ(consult.status, 200) << consult.body;
  EXPECT_EQ(parse(consult.body).at("contact").at("party").at("number"), "+14255550100");
  EXPECT_EQ(demo.send("POST", cpath + "/transfer", R"({"number":"not a number"})", t2).status, 400);
  ASSERT_EQ(demo.send("POST", "/api/v1/me/session", "", t3).status, 200);
  auto transfer =
      demo.send("POST", cpath + "/transfer", R"({"agentId":)" + std::to_string(me3) + "}", t2);
  ASSERT_EQ(transfer.status, 200) << transfer.body;
  ASSERT_EQ(demo.send("POST", cpath + "/accept", "", t3).status, 200);
  ASSERT_EQ(demo.send("POST", cpath + "/end", "", t3).status, 200);

  for (auto step : {contact_in(contact, "Queued"), contact_in(contact, "Offered", me1),
                    contact_in(contact, "Connected", me2), contact_in(contact, "Consulting", me2),
                    contact_in(contact, "Offered", me3), contact_in(contact, "Connected", me3),
                    contact_in(contact, "Ended")}) {
    EXPECT_TRUE(supervisor.wait_for(step));
  }
  EXPECT_TRUE(supervisor.wait_for(agent_in(me1, "Reserved")));
  EXPECT_TRUE(supervisor.wait_for(agent_in(me2, "Engaged")));
  EXPECT_TRUE(supervisor.wait_for(agent_in(me3, "Engaged")));
  EXPECT_TRUE(supervisor.wait_for([](auto& m) { return is_type(m, "queue.stats"); }));

  auto states = parse(demo.get("/api/v1/agents/states", sup).body).as_object();
  bool saw_rona = false;
  for (const auto& q : states.at("queues").as_array()) {
    if (q.at("queueId").as_int64() == sales) {
      EXPECT_EQ(q.at("rona"), 1);
      EXPECT_EQ(q.at("answered"), 2);
      saw_rona = true;
    }
  }
  EXPECT_TRUE(saw_rona) << json::serialize(states);
  // Each agent row names the queues the agent takes (the supervisor view filters by them).
  for (const auto& a : states.at("items").as_array()) {
    EXPECT_TRUE(a.at("queueIds").is_array()) << json::serialize(a);
  }
  EXPECT_EQ(demo.get("/api/v1/agents/states", t1).status, 403);

  // agent1 saw only events about agent1; the other organisation saw nothing at all.
  ASSERT_TRUE(own.wait_for(agent_in(me1, "Idle", "rona")));
  for (const auto& m : own.messages()) {
    if (is_type(m, "subscribed")) continue;
    const bool about_me =
        (m.contains("agentId") && m.at("agentId").as_int64() == me1) ||
        (m.contains("contact") && m.at("contact").at("agentId").is_int64() &&
         m.at("contact").at("agentId").as_int64() == me1);
    EXPECT_TRUE(about_me) << json::serialize(m);
  }
  const auto foreign_seen = foreign.messages();
  ASSERT_EQ(foreign_seen.size(), 1u) << json::serialize(foreign_seen.back());
  EXPECT_TRUE(is_type(foreign_seen[0], "subscribed"));

  // Resume: a reconnecting supervisor gets exactly what followed its cursor, in order.
  auto all = supervisor.messages();
  std::int64_t cursor = 0, last = 0;
  for (const auto& m : all) {
    if (!m.contains("seq")) continue;
    if (cursor == 0 && is_type(m, "contact")) cursor = m.at("seq").as_int64();
    last = m.at("seq").as_int64();
  }
  ASSERT_GT(last, cursor);
  EventClient resumed(demo.port(), "/api/v1/events?after=" + std::to_string(cursor), sup);
  auto sub = resumed.wait_for([](auto& m) { return is_type(m, "subscribed"); });
  ASSERT_TRUE(sub);
  std::int64_t prev = cursor;
  for (const auto& m : resumed.messages()) {
    if (!m.contains("seq")) continue;
    EXPECT_GT(m.at("seq").as_int64(), prev);
    prev = m.at("seq").as_int64();
  }
  EXPECT_GE(prev, last);
}

}  // namespace
}  // namespace ccteams::testing
