// Issue 5's restart promise through the real binary: `ccteams demo` is killed with SIGKILL (no
// shutdown code runs) while agents are Available, one contact rings and another waits; a new
// process on the same data folder brings the states and the queue back, the ringing offer rings
// on (no second offer is counted), and the queue counters and the stored wrap-up code stay.
#include <gtest/gtest.h>

#include <map>

#include "demo_fixture.hpp"

namespace ccteams::testing {
namespace {

namespace json = boost::json;

struct RemoveDir {
  std::filesystem::path dir;
  ~RemoveDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

std::int64_t user_id(DemoProcess& demo, const std::string& token) {
  return parse(demo.get("/api/v1/me", token).body).at("userId").as_int64();
}

json::object contact_of(DemoProcess& demo, std::int64_t id, const std::string& token) {
  auto r = demo.get("/api/v1/contacts/" + std::to_string(id), token);
  EXPECT_EQ(r.status, 200) << r.body;
  return parse(r.body).at("contact").as_object();
}

// agentId -> state object, from the supervisor's view.
std::map<std::int64_t, json::object> agent_states(DemoProcess& demo, const std::string& token) {
  auto r = demo.get("/api/v1/agents/states", token);
  EXPECT_EQ(r.status, 200) << r.body;
  std::map<std::int64_t, json::object> out;
  const auto body = parse(r.body);  // range-for would not extend a temporary's life
  for (const auto& a : body.at("items").as_array()) {
    out[a.at("agentId").as_int64()] = a.at("state").as_object();
  }
  return out;
}

json::object queue_stats(DemoProcess& demo, std::int64_t queue, const std::string& token) {
  auto r = demo.get("/api/v1/queues/" + std::to_string(queue) + "/stats", token);
  EXPECT_EQ(r.status, 200) << r.body;
  return parse(r.body).as_object();
}

std::int64_t call(DemoProcess& demo, std::int64_t queue, const std::string& token) {
  auto r = demo.send("POST", "/api/v1/demo/contacts",
                     R"({"queueId":)" + std::to_string(queue) + R"(,"caller":"+15550100"})",
                     token);
  EXPECT_EQ(r.status, 201) << r.body;
  return parse(r.body).at("contact").at("id").as_int64();
}

TEST(ContactCenterRestart, AKilledDemoComesBackWithStatesQueueOffersAndCounters) {
  const RemoveDir data{make_temp_dir("ccteams-restart")};
  std::int64_t me1 = 0, me2 = 0, me3 = 0, sales = 0, handled = 0, ringing = 0, waiting = 0;
  {
    DemoProcess demo(data.dir, false);
    ASSERT_NE(demo.port(), 0);
    const auto admin = demo.login("admin");
    const auto t1 = demo.login("agent1");
    const auto t2 = demo.login("agent2");
    me1 = user_id(demo, t1);
    me2 = user_id(demo, t2);
    me3 = user_id(demo, demo.login("agent3"));
    sales = find_named(demo, "/api/v1/queues", "Sales", admin);
    const auto support = find_named(demo, "/api/v1/queues", "Support", admin);
    const auto profile = find_named(demo, "/api/v1/desktop-profiles", "Demo agents", admin);
    // Nothing may ring out during the test; wrap-up waits for the agent.
    ASSERT_EQ(demo.send("PATCH", "/api/v1/desktop-profiles/" + std::to_string(profile),
                        R"({"ronaTimeoutSeconds":300,"wrapUpSeconds":600})", admin).status, 200);
    // agent2 serves Support only: Available while a Sales contact waits.
    ASSERT_EQ(demo.send("PATCH", "/api/v1/agents/" + std::to_string(me2),
                        R"({"queueIds":[)" + std::to_string(support) + "]}", admin).status, 200);
    ASSERT_EQ(demo.send("POST", "/api/v1/me/session", "", t1).status, 200);
    ASSERT_EQ(demo.send("POST", "/api/v1/me/session", "", t2).status, 200);

    handled = call(demo, sales, admin);
    const std::string hpath = "/api/v1/contacts/" + std::to_string(handled);
    ASSERT_EQ(demo.send("POST", hpath + "/accept", "", t1).status, 200);
    ASSERT_EQ(demo.send("POST", hpath + "/end", "", t1).status, 200);
    auto wrapped = demo.send("POST", hpath + "/wrapup", R"({"code":"sold"})", t1);
    ASSERT_EQ(wrapped.status, 200) << wrapped.body;
    EXPECT_EQ(contact_of(demo, handled, admin).at("wrapUpCode"), "sold");

    ringing = call(demo, sales, admin);
    waiting = call(demo, sales, admin);
    EXPECT_EQ(contact_of(demo, ringing, admin).at("agentId"), me1);
    EXPECT_EQ(contact_of(demo, waiting, admin).at("state"), "Queued");
    const auto stats = queue_stats(demo, sales, admin);
    EXPECT_EQ(stats.at("offered"), 2);
    EXPECT_EQ(stats.at("answered"), 1);
    EXPECT_EQ(stats.at("waiting"), 1);
    const auto states = agent_states(demo, admin);
    EXPECT_TRUE(states.at(me3).at("since").is_null()) << json::serialize(states.at(me3));
    ASSERT_TRUE(demo.kill());
  }

  DemoProcess again(data.dir, false);
  ASSERT_NE(again.port(), 0) << again.process().output();
  const auto admin = again.login("admin");
  const auto t1 = again.login("agent1");
  auto states = agent_states(again, admin);
  EXPECT_EQ(states.at(me2).at("state"), "Available");
  EXPECT_EQ(states.at(me1).at("state"), "Reserved");  // the same offer rings on
  EXPECT_EQ(states.at(me1).at("contactId"), ringing);
  EXPECT_EQ(states.at(me3).at("state"), "LoggedOut");
  EXPECT_TRUE(states.at(me3).at("since").is_null());
  const auto still_ringing = contact_of(again, ringing, admin);
  EXPECT_EQ(still_ringing.at("state"), "Offered");
  EXPECT_EQ(still_ringing.at("agentId"), me1);
  EXPECT_EQ(still_ringing.at("offers"), 1);
  EXPECT_EQ(contact_of(again, waiting, admin).at("state"), "Queued");
  EXPECT_EQ(contact_of(again, handled, admin).at("wrapUpCode"), "sold");
  const auto stats = queue_stats(again, sales, admin);
  EXPECT_EQ(stats.at("offered"), 2);  // the two before the kill, and no re-offer
  EXPECT_EQ(stats.at("answered"), 1);
  EXPECT_EQ(stats.at("rona"), 0);
  EXPECT_EQ(stats.at("waiting"), 1);
  // The dashboard's and CcteamsContactsWaitingLong's gauges (sampled every 5 s).
  EXPECT_TRUE(eventually([&] {
    return again.get("/metrics").body.find("\ncontact_center_contacts_waiting 1\n") !=
           std::string::npos;
  }, std::chrono::seconds(15))) << again.get("/metrics").body;
  auto accepted = again.send("POST", "/api/v1/contacts/" + std::to_string(ringing) + "/accept",
                             "", t1);
  EXPECT_EQ(accepted.status, 200) << accepted.body;
}

// Issue 22's ways out over HTTP: a supervisor logs out an agent who talks to a customer (the
// customer goes back to the queue), ends a contact whatever its state; agents may not; bad
// bodies are refused; every override lands in the organisation's audit log with its actor.
TEST(ContactCenterOverrides, SupervisorsForceAgentsAndContactsOutAndItIsAudited) {
  DemoProcess demo;
  ASSERT_NE(demo.port(), 0);
  const auto admin = demo.login("admin");
  const auto supervisor = demo.login("supervisor");
  const auto t1 = demo.login("agent1");
  const auto me1 = user_id(demo, t1);
  const auto me2 = user_id(demo, demo.login("agent2"));
  const auto sales = find_named(demo, "/api/v1/queues", "Sales", admin);
  ASSERT_EQ(demo.send("POST", "/api/v1/me/session", "", t1).status, 200);
  const auto id = call(demo, sales, admin);
  const std::string path = "/api/v1/contacts/" + std::to_string(id);
  ASSERT_EQ(demo.send("POST", path + "/accept", "", t1).status, 200);

  const std::string agent1_state = "/api/v1/agents/" + std::to_string(me1) + "/state";
  EXPECT_EQ(demo.send("PUT", "/api/v1/agents/" + std::to_string(me2) + "/state",
                      R"({"state":"LoggedOut"})", t1).status, 403);
  EXPECT_EQ(demo.send("POST", path + "/force-end", "", t1).status, 403);
  auto busy = demo.send("PUT", agent1_state, R"({"state":"Available"})", supervisor);
  EXPECT_EQ(busy.status, 409) << busy.body;
  auto bad = demo.send("PUT", agent1_state, R"({"state":"Engaged"})", supervisor);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(parse(bad.body).at("error").at("code"), "invalid_input");

  auto out = demo.send("PUT", agent1_state, R"({"state":"LoggedOut"})", supervisor);
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_EQ(parse(out.body).at("state").at("state"), "LoggedOut");
  EXPECT_EQ(contact_of(demo, id, admin).at("state"), "Queued");  // nobody else is logged in
  EXPECT_EQ(demo.send("POST", path + "/requeue", "", supervisor).status, 409);
  auto ended = demo.send("POST", path + "/force-end", "", supervisor);
  ASSERT_EQ(ended.status, 200) << ended.body;
  EXPECT_EQ(parse(ended.body).at("contact").at("endReason"), "forced");
  EXPECT_EQ(demo.send("POST", path + "/force-end", "", supervisor).status, 409);
  EXPECT_EQ(demo.send("POST", "/api/v1/contacts/999999/force-end", "", supervisor).status, 404);

  auto audit = demo.get("/api/v1/connectors/msteams/audit?limit=20", admin);
  ASSERT_EQ(audit.status, 200) << audit.body;
  std::vector<std::string> seen;
  const auto entries = parse(audit.body);
  for (const auto& e : entries.at("items").as_array()) {
    EXPECT_EQ(e.at("actor").at("username"), "supervisor") << json::serialize(e);
    seen.push_back(std::string(e.at("action").as_string()) + " " +
                   std::string(e.at("result").as_string()));
  }
  // Newest first: the refusals are recorded too.
  EXPECT_EQ(seen, (std::vector<std::string>{"contact.force_end error", "contact.force_end error",
                                            "contact.force_end ok",
                                            "contact.requeue error", "agent.state ok",
                                            "agent.state error"}));
}

}  // namespace
}  // namespace ccteams::testing
