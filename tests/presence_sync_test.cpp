// Issue 6 end to end through the real binary (`ccteams demo`, whose connector and presence sync
// talk to the embedded Graph + Entra emulator over HTTPS, and whose webhook the emulator posts
// to): Teams presence idles an Available agent and its end returns the agent to Available, by
// bulk reads and by change notifications; a manual idle is left alone; a contact shows Busy/
// InACall in Teams and clears after; out-of-order and duplicated notifications; subscriptions
// created through sync accounts and repacked when agents come and go; switching presence sync
// off deletes them and returns the agents; a killed service processes its inbox on restart.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <fstream>
#include <functional>
#include <iostream>
#include <regex>
#include <sstream>
#include <optional>
#include <thread>

#include "adapters/store/sqlite_db.hpp"
#include "adapters/store/sqlite_presence_sync_store.hpp"
#include "demo_fixture.hpp"
#include "support/entra_browser.hpp"

namespace ccteams::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class PresenceSyncDemo {
 public:
  explicit PresenceSyncDemo(const std::vector<std::string>& extra = {},
                            std::optional<std::filesystem::path> data = std::nullopt)
      : demo_ptr_(data ? std::make_unique<DemoProcess>(*data, false, extra)
                       : std::make_unique<DemoProcess>(extra)),
        demo_(*demo_ptr_) {
    if (demo_.port() == 0) return;
    browser_ = emulator_browser(demo_);
    if (!browser_) return;
    auto tenant = browser_->get(browser_->base() + "/_emulator/tenant");
    if (!tenant || tenant->status != 200) {
      ADD_FAILURE() << "emulator tenant";
      return;
    }
    domain_ = std::string(parse(tenant->body).at("domain").as_string());
    admin_ = demo_.login("admin");
  }

  ~PresenceSyncDemo() {
    if (::testing::Test::HasFailure() || std::uncaught_exceptions() > 0) {
      std::cerr << "---- demo output ----\n" << demo_.process().output() << "\n";
    }
  }

  DemoProcess& demo() { return demo_; }
  EntraBrowser& browser() { return *browser_; }
  const std::string& admin() const { return admin_; }
  const std::string& domain() const { return domain_; }

  // Sets the connector up as admin@ would in the popup; it is Active afterwards.
  void set_up_connector() {
    auto start = demo_.send("POST", "/api/v1/connectors/msteams/authorize", "", admin_);
    ASSERT_EQ(start.status, 200) << start.body;
    const std::string location = browser_->set_up(
        std::string(parse(start.body).at("authorizationUrl").as_string()), "admin@" + domain_,
        [&](const std::string& loc) { return demo_.open_redirect(target_of(loc)); });
    auto page = demo_.get(target_of(location));
    ASSERT_EQ(page.status, 200) << page.body;
    ASSERT_EQ(connector().at("status"), "Active");
  }
  // Signs upn in as a presence sync account.
  void add_sync_account(const std::string& upn) {
    auto start = demo_.send("POST", "/api/v1/connectors/msteams/sync-accounts/sign-in", "", admin_);
    ASSERT_EQ(start.status, 200) << start.body;
    const std::string location = browser_->consent(
        std::string(parse(start.body).at("authorizationUrl").as_string()), upn, "accept");
    auto page = demo_.get(target_of(location));
    ASSERT_EQ(page.status, 200) << page.body;
  }
  json::object connector() {
    return parse(demo_.get("/api/v1/connectors/msteams", admin_).body).as_object();
  }
  json::object sync_status() {
    auto r = demo_.get("/api/v1/connectors/msteams/presence-sync", admin_);
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r.body).as_object();
  }
  // The first sync is through and at least `watched` Teams users are watched (a log-in joins
  // the watch set a moment later).
  bool first_sync_done(std::int64_t watched = 1) {
    auto s = sync_status();
    return s.at("running").as_bool() && !s.at("firstSync").at("completedAt").is_null() &&
           s.at("firstSync").at("pending").as_int64() == 0 &&
           s.at("watchedUsers").as_int64() >= watched;
  }

  // The agent's user id and linked Teams user (the demo links agentN to a generated user).
  std::pair<std::int64_t, std::string> agent(const std::string& username) {
    auto list = parse(demo_.get("/api/v1/agents", admin_).body).at("items").as_array();
    for (const auto& a : list) {
      if (a.at("username") == json::value(username)) {
        return {a.at("userId").as_int64(), std::string(a.at("teamsUserId").as_string())};
      }
    }
    ADD_FAILURE() << username << " not among the agents";
    return {0, {}};
  }
  json::object state(const std::string& agent_token) {
    return parse(demo_.get("/api/v1/me", agent_token).body).at("state").as_object();
  }
  bool in_state(const std::string& token, const std::string& status, const char* origin) {
    auto s = state(token);
    if (s.at("state") != json::value(status)) return false;
    return origin == nullptr || s.at("origin") == json::value(origin);
  }

  // The emulated user's own Teams client shows this presence.
  void teams_client(const std::string& user, const std::string& availability,
                    const std::string& activity) {
    auto r = browser_->post_json("/_emulator/users/" + user + "/presence",
                                 json::serialize(json::object{{"availability", availability},
                                                              {"activity", activity}}));
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : r.error().message);
  }
  // What Teams shows for the user (aggregated) and the sessions behind it.
  json::object teams_view(const std::string& user) {
    auto r = browser_->get(browser_->base() + "/_emulator/users/" + user + "/presence");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : r.error().message);
    return r ? parse(r->body).as_object() : json::object{};
  }
  std::string shown(const std::string& user) {
    auto p = teams_view(user).at("presence").as_object();
    return std::string(p.at("availability").as_string()) + "/" +
           std::string(p.at("activity").as_string());
  }
  json::array emulator_subscriptions() {
    auto r = browser_->get(browser_->base() + "/_emulator/subscriptions");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : r.error().message);
    if (!r) return {};
    auto v = parse(r->body);
    return v.is_array() ? v.as_array() : v.at("value").as_array();
  }
  void faults(const std::string& body) {
    auto r = browser_->post_json("/_emulator/faults", body);
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : r.error().message);
  }

 private:
  std::unique_ptr<DemoProcess> demo_ptr_;
  DemoProcess& demo_;
  std::optional<EntraBrowser> browser_;
  std::string domain_, admin_;
};

TEST(PresenceSync, TeamsPresenceIdlesAnAvailableAgentAndItsEndReturnsIt) {
  PresenceSyncDemo d;
  ASSERT_NE(d.demo().port(), 0);
  ASSERT_NO_FATAL_FAILURE(d.set_up_connector());
  const auto [agent_id, user] = d.agent("agent1");
  ASSERT_FALSE(user.empty());
  const std::string t1 = d.demo().login("agent1");
  d.teams_client(user, "Available", "Available");
  ASSERT_EQ(d.demo().send("POST", "/api/v1/me/session", "", t1).status, 200);
  ASSERT_TRUE(eventually([&] { return d.first_sync_done(); })) << json::serialize(d.sync_status());
  EXPECT_GE(d.sync_status().at("watchedUsers").as_int64(), 1);

  // Each default mapping idles the agent by the bulk-read channel, and its end returns it.
  const std::vector<std::pair<std::string, std::string>> mapped = {
      {"DoNotDisturb", "Presenting"}, {"Busy", "InACall"}, {"DoNotDisturb", "DoNotDisturb"}};
  for (const auto& [availability, activity] : mapped) {
    SCOPED_TRACE(availability + "/" + activity);
    // How fast is presence_bench's figure; here only that the bulk-read channel did it.
    d.teams_client(user, availability, activity);
    ASSERT_TRUE(eventually([&] { return d.in_state(t1, "Idle", "presence_sync"); }, 30s))
        << json::serialize(d.state(t1));
    auto s = d.state(t1);
    EXPECT_EQ(s.at("teamsPresence").at("availability"), json::value(availability));
    EXPECT_EQ(s.at("teamsPresence").at("channel"), "poll");
    d.teams_client(user, "Available", "Available");
    ASSERT_TRUE(eventually([&] { return d.in_state(t1, "Available", nullptr); }, 30s))
        << json::serialize(d.state(t1));
  }

  // A manual idle is left alone by Teams presence.
  auto codes = parse(d.demo().get("/api/v1/idle-codes", d.admin()).body).at("items").as_array();
  std::int64_t lunch = 0;
  for (const auto& c : codes) {
    if (c.at("name") == "Lunch") lunch = c.at("id").as_int64();
  }
  ASSERT_NE(lunch, 0);
  ASSERT_EQ(d.demo()
                .send("PUT", "/api/v1/me/state",
                      R"({"state":"Idle","idleCodeId":)" + std::to_string(lunch) + "}", t1)
                .status,
            200);
  d.teams_client(user, "DoNotDisturb", "Presenting");
  ASSERT_TRUE(eventually([&] {
    auto tp = d.state(t1).at("teamsPresence");
    return tp.is_object() && tp.at("activity") == "Presenting";
  }));
  EXPECT_TRUE(d.in_state(t1, "Idle", "manual")) << json::serialize(d.state(t1));
  d.teams_client(user, "Available", "Available");
  std::this_thread::sleep_for(1500ms);
  EXPECT_TRUE(d.in_state(t1, "Idle", "manual")) << json::serialize(d.state(t1));
  ASSERT_EQ(d.demo().send("PUT", "/api/v1/me/state", R"({"state":"Available"})", t1).status, 200);

  // A contact shows Busy/InACall in Teams while it lasts, and clears after.
  auto queues = parse(d.demo().get("/api/v1/queues", d.admin()).body).at("items").as_array();
  const auto queue = queues.at(0).at("id").as_int64();
  // Only agent1 is logged in: the contact is offered to agent1.
  auto call = d.demo().send("POST", "/api/v1/demo/contacts",
                            R"({"queueId":)" + std::to_string(queue) + R"(,"caller":"+15550100"})",
                            d.admin());
  ASSERT_EQ(call.status, 201) << call.body;
  const auto contact = parse(call.body).at("contact").at("id").as_int64();
  ASSERT_TRUE(eventually([&] { return d.shown(user) == "Busy/InACall"; }, 30s))
      << json::serialize(d.teams_view(user));
  const std::string cpath = "/api/v1/contacts/" + std::to_string(contact);
  ASSERT_EQ(d.demo().send("POST", cpath + "/accept", "", t1).status, 200);
  std::this_thread::sleep_for(1500ms);
  // Our own Busy/InACall coming back from Teams does not idle the agent (rule 5).
  EXPECT_TRUE(d.in_state(t1, "Engaged", nullptr)) << json::serialize(d.state(t1));
  EXPECT_EQ(d.shown(user), "Busy/InACall");
  ASSERT_EQ(d.demo().send("POST", cpath + "/end", "", t1).status, 200);
  ASSERT_TRUE(eventually([&] { return d.shown(user) == "Available/Available"; }, 30s))
      << json::serialize(d.teams_view(user));
  // ... and the stale "In a call" after the contact did not idle the agent.
  std::this_thread::sleep_for(1500ms);
  auto after = d.state(t1);
  EXPECT_NE(after.at("origin"), "presence_sync") << json::serialize(after);

  // Metrics say what happened.
  auto metrics = d.demo().get("/metrics", d.admin());
  EXPECT_NE(metrics.body.find("presence_sync_apply_delay_seconds"), std::string::npos);
  EXPECT_NE(metrics.body.find("presence_sync_graph_calls_total"), std::string::npos);
}

TEST(PresenceSync, NotificationsDriveAgentsAndSubscriptionsFollowAgentsAndSwitchOff) {
  // Bulk reads every 60 s: within the test, only notifications can be fast.
  PresenceSyncDemo d({"--sync-round-ms", "60000"});
  ASSERT_NE(d.demo().port(), 0);
  ASSERT_NO_FATAL_FAILURE(d.set_up_connector());
  ASSERT_NO_FATAL_FAILURE(d.add_sync_account("admin@" + d.domain()));
  ASSERT_NO_FATAL_FAILURE(d.add_sync_account("privadmin@" + d.domain()));
  const auto [a1, u1] = d.agent("agent1");
  const auto [a2, u2] = d.agent("agent2");
  const std::string t1 = d.demo().login("agent1");
  const std::string t2 = d.demo().login("agent2");
  d.teams_client(u1, "Available", "Available");
  d.teams_client(u2, "Available", "Available");
  ASSERT_EQ(d.demo().send("POST", "/api/v1/me/session", "", t1).status, 200);
  ASSERT_TRUE(eventually([&] { return d.emulator_subscriptions().size() == 1; }, 30s))
      << json::serialize(d.sync_status());
  auto first = d.emulator_subscriptions().at(0).as_object();
  const std::string first_id(first.at("id").as_string());
  EXPECT_NE(json::serialize(first.at("resource")).find(u1), std::string::npos);
  ASSERT_TRUE(eventually([&] { return d.first_sync_done(); }));

  // A notification (not a read: the round is a minute) idles and returns the agent.
  d.teams_client(u1, "DoNotDisturb", "Presenting");
  ASSERT_TRUE(eventually([&] { return d.in_state(t1, "Idle", "presence_sync"); }, 30s))
      << json::serialize(d.state(t1)) << json::serialize(d.sync_status());
  EXPECT_EQ(d.state(t1).at("teamsPresence").at("channel"), "notification");
  // The subscription asked for resource data with our certificate, and the batches were
  // decrypted (checked against Entra's keys), not read back.
  EXPECT_EQ(first.at("includeResourceData"), true) << json::serialize(first);
  const std::string metrics = d.demo().get("/metrics", d.admin()).body;
  EXPECT_NE(metrics.find("presence_sync_rich_notifications_total{result=\"decrypted\"} "),
            std::string::npos);
  EXPECT_EQ(metrics.find("presence_sync_rich_notifications_total{result=\"decrypted\"} 0\n"),
            std::string::npos) << "no rich batch was decrypted";
  d.teams_client(u1, "Available", "Available");
  ASSERT_TRUE(eventually([&] { return d.in_state(t1, "Available", nullptr); }, 30s));

  // Duplicated and reordered deliveries: the last presence wins, nothing else changes.
  d.faults(R"({"duplicateNotificationRate":1,"reorderNotifications":true})");
  d.teams_client(u1, "Busy", "InACall");
  d.teams_client(u1, "DoNotDisturb", "Presenting");
  d.teams_client(u1, "Available", "Available");
  d.teams_client(u1, "DoNotDisturb", "DoNotDisturb");
  ASSERT_TRUE(eventually([&] {
    auto s = d.state(t1);
    return s.at("state") == "Idle" && s.at("teamsPresence").at("activity") == "DoNotDisturb";
  }, 8s)) << json::serialize(d.state(t1));
  d.faults(R"({"duplicateNotificationRate":0,"reorderNotifications":false})");
  d.teams_client(u1, "Available", "Available");
  ASSERT_TRUE(eventually([&] { return d.in_state(t1, "Available", nullptr); }, 30s));

  // agent2 comes: the users are repacked into a new subscription before the old one goes.
  ASSERT_EQ(d.demo().send("POST", "/api/v1/me/session", "", t2).status, 200);
  ASSERT_TRUE(eventually([&] {
    auto subs = d.emulator_subscriptions();
    if (subs.size() != 1) return false;
    const auto& s = subs.at(0).as_object();
    const std::string resource = json::serialize(s.at("resource"));
    return s.at("id") != json::value(first_id) && resource.find(u1) != std::string::npos &&
           resource.find(u2) != std::string::npos;
  }, 15s)) << json::serialize(d.emulator_subscriptions());
  d.teams_client(u2, "Busy", "InACall");
  ASSERT_TRUE(eventually([&] { return d.in_state(t2, "Idle", "presence_sync"); }, 30s))
      << json::serialize(d.state(t2));

  // reauthorizationRequired is answered; the subscription keeps delivering.
  const std::string current(d.emulator_subscriptions().at(0).at("id").as_string());
  auto reauth = d.browser().post_json("/_emulator/subscriptions/" + current +
                                          "/reauthorization-required", "{}");
  ASSERT_TRUE(reauth && reauth->status < 300) << (reauth ? reauth->body : reauth.error().message);
  d.teams_client(u2, "Available", "Available");
  ASSERT_TRUE(eventually([&] { return d.in_state(t2, "Available", nullptr); }, 30s));

  // Presence sync off: subscriptions deleted, agents idled by sync returned to Available.
  d.teams_client(u1, "DoNotDisturb", "Presenting");
  ASSERT_TRUE(eventually([&] { return d.in_state(t1, "Idle", "presence_sync"); }, 30s));
  auto off = d.demo().send("PATCH", "/api/v1/connectors/msteams", R"({"presenceSync":false})",
                           d.admin());
  ASSERT_EQ(off.status, 200) << off.body;
  ASSERT_TRUE(eventually([&] { return d.emulator_subscriptions().empty(); }, 30s));
  ASSERT_TRUE(eventually([&] { return d.in_state(t1, "Available", nullptr); }, 30s))
      << json::serialize(d.state(t1));
  EXPECT_FALSE(d.sync_status().at("running").as_bool());
  // And on again: the first sync puts agent1 back into the idle Teams asks for.
  auto on = d.demo().send("PATCH", "/api/v1/connectors/msteams", R"({"presenceSync":true})",
                          d.admin());
  ASSERT_EQ(on.status, 200) << on.body;
  ASSERT_TRUE(eventually([&] { return d.in_state(t1, "Idle", "presence_sync"); }, 30s))
      << json::serialize(d.state(t1));
}

// The value of one Prometheus sample (name with its labels), or -1 when it is not there.
double metric(const std::string& text, const std::string& sample) {
  const auto at = text.find("\n" + sample + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + sample.size() + 2));
}

// Graph drops notifications (its slow-endpoint rule drops a slow webhook's for 10 minutes, and
// they cannot be recovered; here the emulator drops every one): the bulk-read channel repairs
// every agent within a round (each agent's state says it came by a read).
TEST(PresenceSync, WhenGraphDropsEveryNotificationBulkReadsRepairEveryAgent) {
  PresenceSyncDemo d({"--sync-round-ms", "2000"});
  ASSERT_NE(d.demo().port(), 0);
  ASSERT_NO_FATAL_FAILURE(d.set_up_connector());
  ASSERT_NO_FATAL_FAILURE(d.add_sync_account("admin@" + d.domain()));
  std::vector<std::pair<std::string, std::string>> agents;  // (token, Teams user)
  for (const char* name : {"agent1", "agent2", "agent3"}) {
    const auto [id, user] = d.agent(name);
    (void)id;
    const std::string token = d.demo().login(name);
    d.teams_client(user, "Available", "Available");
    ASSERT_EQ(d.demo().send("POST", "/api/v1/me/session", "", token).status, 200);
    agents.emplace_back(token, user);
  }
  ASSERT_TRUE(eventually([&] { return d.emulator_subscriptions().size() == 1; }, 30s))
      << json::serialize(d.sync_status());
  ASSERT_TRUE(eventually([&] { return d.first_sync_done(3); }, 30s))
      << json::serialize(d.sync_status());
  for (const auto& [token, user] : agents) {
    ASSERT_TRUE(eventually([&] { return d.in_state(token, "Available", nullptr); }, 30s));
  }
  d.faults(R"({"dropNotificationRate":1})");
  for (const auto& [token, user] : agents) d.teams_client(user, "DoNotDisturb", "Presenting");
  for (const auto& [token, user] : agents) {
    ASSERT_TRUE(eventually([&] { return d.in_state(token, "Idle", "presence_sync"); }, 30s))
        << json::serialize(d.state(token)) << json::serialize(d.sync_status());
    EXPECT_EQ(d.state(token).at("teamsPresence").at("channel"), "poll");
  }

  // Delivered again: the next change comes by notification.
  d.faults(R"({"dropNotificationRate":0})");
  const auto& [token, user] = agents.front();
  d.teams_client(user, "Available", "Available");
  ASSERT_TRUE(eventually([&] { return d.in_state(token, "Available", nullptr); }, 30s));
}

TEST(PresenceSync, SubscriptionsAreRenewedBeforeExpiryAndFollowTheNotificationKey) {
  // Subscriptions of 60 s, renewed by PATCH 45 s before they expire; the notification key
  // rotated every 25 s; bulk reads once a minute, so only notifications move agents quickly.
  PresenceSyncDemo d({"--sync-round-ms", "60000", "--sync-subscription-seconds", "60",
                      "--sync-key-rotation-seconds", "25"});
  ASSERT_NE(d.demo().port(), 0);
  ASSERT_NO_FATAL_FAILURE(d.set_up_connector());
  ASSERT_NO_FATAL_FAILURE(d.add_sync_account("admin@" + d.domain()));
  const auto [a1, u1] = d.agent("agent1");
  const std::string t1 = d.demo().login("agent1");
  d.teams_client(u1, "Available", "Available");
  ASSERT_EQ(d.demo().send("POST", "/api/v1/me/session", "", t1).status, 200);
  ASSERT_TRUE(eventually([&] { return d.emulator_subscriptions().size() == 1; }, 30s))
      << json::serialize(d.sync_status());
  const auto created = std::chrono::steady_clock::now();
  const auto first = d.emulator_subscriptions().at(0).as_object();
  const json::value first_id = first.at("id");
  const std::string first_expiry(first.at("expirationDateTime").as_string());
  const json::value first_certificate = first.at("encryptionCertificateId");
  ASSERT_TRUE(first_certificate.is_string()) << json::serialize(first);
  const auto the_one = [&]() -> std::optional<json::object> {
    auto subs = d.emulator_subscriptions();
    if (subs.size() != 1 || subs.at(0).at("id") != first_id) return std::nullopt;
    return subs.at(0).as_object();
  };

  // Renewed in place (the same subscription, a later expiry), well before it expires.
  ASSERT_TRUE(eventually([&] {
    auto s = the_one();
    return s && std::string(s->at("expirationDateTime").as_string()) > first_expiry;
  }, 55s)) << json::serialize(d.emulator_subscriptions());
  // What the code guarantees: renewed before the 60 s subscription expires.
  EXPECT_LT(std::chrono::steady_clock::now() - created, 60s);
  // The key rotates: the same subscription is PATCHed with the new certificate.
  ASSERT_TRUE(eventually([&] {
    auto s = the_one();
    return s && s->at("encryptionCertificateId") != first_certificate;
  }, 40s)) << json::serialize(d.emulator_subscriptions());

  // Past the first lifetime it is still there, and its notifications decrypt with the new key.
  std::this_thread::sleep_until(created + 65s);
  ASSERT_TRUE(the_one()) << json::serialize(d.emulator_subscriptions());
  const std::string decrypted = "presence_sync_rich_notifications_total{result=\"decrypted\"}";
  const double before = metric(d.demo().get("/metrics", d.admin()).body, decrypted);
  d.teams_client(u1, "DoNotDisturb", "Presenting");
  ASSERT_TRUE(eventually([&] { return d.in_state(t1, "Idle", "presence_sync"); }, 30s))
      << json::serialize(d.state(t1)) << json::serialize(d.sync_status());
  EXPECT_EQ(d.state(t1).at("teamsPresence").at("channel"), "notification");
  const std::string metrics = d.demo().get("/metrics", d.admin()).body;
  EXPECT_GT(metric(metrics, decrypted), before);
  EXPECT_GE(metric(metrics, "presence_sync_subscription_changes_total{change=\"renewed\"}"), 2);
  EXPECT_EQ(metric(metrics, "presence_sync_subscription_changes_total{change=\"created\"}"), 1);
}

TEST(PresenceSync, AKilledServiceProcessesItsInboxOnRestart) {
  auto data = make_temp_dir("ccteams-presence-restart");
  std::string user;
  std::string keyring;
  {
    PresenceSyncDemo d({}, data);
    ASSERT_NE(d.demo().port(), 0);
    ASSERT_NO_FATAL_FAILURE(d.set_up_connector());
    user = d.agent("agent1").second;
    const std::string t1 = d.demo().login("agent1");
    ASSERT_EQ(d.demo().send("POST", "/api/v1/me/session", "", t1).status, 200);
    ASSERT_TRUE(eventually([&] { return d.first_sync_done(); }));
    ASSERT_TRUE(d.demo().kill());
  }
  // Entries acknowledged with a 202 just before the crash: they are in the inbox.
  {
    auto db = store::SqliteDb::open((data / "ccteams.db").string());
    ASSERT_TRUE(db) << db.error().message;
    store::SqlitePresenceSyncStore inbox(**db);
    std::int64_t org = 0;
    {
      auto conn = (*db)->lock();
      static constexpr std::string_view kConnectorOrg = "SELECT org_id FROM teams_connectors";
      auto st = conn.prepare(kConnectorOrg);
      ASSERT_TRUE(st) << st.error().message;
      auto row = st->step();
      ASSERT_TRUE(row && *row);
      org = st->column_int64(0);
    }
    InboxEntry e;
    e.org = OrgId{org};
    e.received_at = std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
    ChangeNotification n;
    n.subscription_id = "lost-before-processing";
    n.change_type = "updated";
    n.resource = "communications/presences/" + user;
    e.batch.notifications = {n, n};
    boost::asio::io_context ioc;
    std::optional<Result<std::int64_t>> appended;
    boost::asio::co_spawn(
        ioc,
        [&]() -> boost::asio::awaitable<void> { appended.emplace(co_await inbox.append(e)); },
        boost::asio::detached);
    ioc.run();
    ASSERT_TRUE(appended && *appended);
    ASSERT_EQ(inbox.pending(e.org, 10)->size(), 1u);
    // The notification key is stored, sealed: no private key in clear in the database.
    auto sealed = inbox.load_keyring();
    ASSERT_TRUE(sealed && *sealed) << "no stored notification key";
    keyring = **sealed;
    EXPECT_EQ(keyring.rfind("v1.", 0), 0u);
    EXPECT_EQ((slurp(data / "ccteams.db") + slurp(data / "ccteams.db-wal")).find("PRIVATE KEY"),
              std::string::npos);
  }
  // The demo's emulator lives in its process: the restarted one knows no consent yet, so the
  // admin consents again (with a real tenant the connector simply goes on).
  PresenceSyncDemo d({}, data);
  ASSERT_NE(d.demo().port(), 0);
  ASSERT_TRUE(eventually([&] { return d.connector().at("status") != "Active"; }, 30s));
  ASSERT_NO_FATAL_FAILURE(d.set_up_connector());
  ASSERT_TRUE(eventually([&] { return d.first_sync_done(); })) << json::serialize(d.sync_status());
  auto db = store::SqliteDb::open((data / "ccteams.db").string());
  ASSERT_TRUE(db);
  store::SqlitePresenceSyncStore inbox(**db);
  ASSERT_TRUE(eventually([&] {
    auto orgs = inbox.orgs_with_pending();
    return orgs && orgs->empty();
  })) << "the inbox entry was processed and removed";
  // The restarted service opened the stored key rather than making a new one.
  auto kept = inbox.load_keyring();
  ASSERT_TRUE(kept && *kept);
  EXPECT_EQ(**kept, keyring);
  // The agent logged in before the crash is watched again and follows Teams.
  const std::string t1 = d.demo().login("agent1");
  d.teams_client(user, "Busy", "InACall");
  ASSERT_TRUE(eventually([&] { return d.in_state(t1, "Idle", "presence_sync"); }, 30s))
      << json::serialize(d.state(t1));
  std::error_code ec;
  std::filesystem::remove_all(data, ec);
}

}  // namespace
}  // namespace ccteams::testing
