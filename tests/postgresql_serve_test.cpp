// `ccteams serve` on PostgreSQL (issue 16, part 3), through the real binary against the test
// cluster of scripts/pg-test-cluster.sh (scripts/test.sh starts it for every suite): `user add`
// and `serve` migrate and use a database of their own; /readyz answers, an admin signs in, a
// Graph change notification for a known subscription is answered 202 and is in the durable
// inbox; a second `serve` on the same database refuses to start (one instance per database
// without [cluster]). With [cluster] enabled, two `serve` share the database through organisation
// leases: only the owner holds the organisation's live state (the other forwards REST calls to it
// over the internal channel and reads the event log for its WebSockets), kill -9 of the owner
// (503 org_elsewhere until the survivor serves it as loaded from the database), a graceful stop,
// and an owner paused (SIGSTOP) past its lease (its events socket is closed, 1012).
// Skipped, saying how to get a cluster, when CCTEAMS_TEST_PG_DSN is not set.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "adapters/crypto/encoding.hpp"
#include "adapters/pg/pg_db.hpp"
#include "adapters/pg/pg_test_support.hpp"
#include "demo_fixture.hpp"
#include "event_client.hpp"

namespace ccteams::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// What the subscription was created with; its SHA-256 (hex) is what the store keeps.
constexpr const char* kClientState = "secretClientValue";
constexpr const char* kClientStateSha256 =
    "5bab3bfcfe1259cd69ddb183263f4b154c268e7903f2b118f0cd325e73e62d3b";
// The password variable the configuration names: the test cluster trusts local connections,
// so its value is not checked, but it must be read from the environment (never the file).
constexpr const char* kPasswordVariable = "CCTEAMS_TEST_SERVE_PG_PASSWORD";

std::int64_t pg_int(const std::string& conninfo, const std::string& sql) {
  auto db = store::PgDb::open(conninfo);
  if (!db) return -1;
  return store::testing::pg_query_int(**db, sql);
}

std::string pg_exec(const std::string& conninfo, const std::string& sql) {
  auto db = store::PgDb::open(conninfo);
  if (!db) return db.error().message;
  auto conn = (*db)->lock();
  auto r = conn.exec(sql);
  return r ? "" : r.error().message;
}

class PostgresqlServe : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* dsn = std::getenv(store::testing::kPgDsnVariable);
    if (dsn == nullptr || *dsn == '\0') {
      GTEST_SKIP() << store::testing::pg_missing_cluster_message();
    }
    database_.emplace();
    ASSERT_EQ(database_->error(), "");
    dir_ = make_temp_dir("ccteams-pg-serve");
    const auto key = dir_ / "secret.key";
    {
      ChildProcess gen({CCTEAMS_BINARY, "secret", "generate"});
      ASSERT_EQ(gen.wait_exit(30s), 0) << gen.output();
      std::ofstream(key) << gen.output();
    }
    fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
    config_ = dir_ / "ccteams.toml";
    std::ofstream f(config_);
    f << "[server]\nhost = \"127.0.0.1\"\nport = 0\n"
      << "[store]\ndriver = \"postgresql\"\ndsn = \"" << database_->conninfo() << "\"\n"
      << "password_env = \"" << kPasswordVariable << "\"\nconnections = 2\n"
      << "[secrets]\nkey_file = \"" << key.string() << "\"\n"
      << "[auth]\npassword_hash = \"minimum\"\n";
    ::setenv(kPasswordVariable, "not-checked-by-a-trusting-cluster", 1);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  // Starts `ccteams serve`; the port it listens on, or 0.
  std::uint16_t serve(std::unique_ptr<ChildProcess>& p) {
    p = std::make_unique<ChildProcess>(
        std::vector<std::string>{CCTEAMS_BINARY, "serve", "--config", config_.string()});
    if (!p->wait_for_output("serving on", 60s)) return 0;
    std::smatch m;
    const std::string out = p->output();
    static const std::regex kServing(R"(serving on [^\s:]+:(\d+))");
    if (!std::regex_search(out, m, kServing)) return 0;
    return static_cast<std::uint16_t>(std::stoi(m[1]));
  }

  // [cluster] on, with short timings so that a take-over takes seconds, and the internal
  // channel's key in a file of the service user's alone.
  void enable_cluster() {
    const auto key = dir_ / "internal.key";
    std::ofstream(key) << kInternalKey << "\n";
    fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
    std::ofstream(config_, std::ios::app)
        << "[cluster]\nenabled = true\nlease_ttl_ms = " << kTtl.count()
        << "\nrenew_every_ms = 1000\nscan_every_ms = " << kScan.count() << "\nmargin_ms = 500\n"
        << "internal_key_file = \"" << key.string() << "\"\n";
  }
  static constexpr const char* kInternalKey = "an-internal-key-of-the-test-cluster-32+bytes";
  static constexpr std::chrono::milliseconds kTtl{3000};
  static constexpr std::chrono::milliseconds kScan{500};

  // The user add of every test: an administrator who is also an agent, of organisation Contoso.
  void add_admin_agent() {
    ChildProcess add({CCTEAMS_BINARY, "user", "add", "--config", config_.string(), "--org",
                      "Contoso", "--username", "admin", "--role", "admin", "--role", "agent",
                      "--password-stdin"},
                     "a-long-password\n");
    ASSERT_EQ(add.wait_exit(60s), 0) << add.output();
  }

  // How many organisations the instance on port owns (/readyz), or -1.
  static int owned(std::uint16_t port) {
    auto ready = http_request(port, "GET", "/readyz");
    if (ready.status != 200) return -1;
    auto body = boost::json::parse(ready.body).as_object();
    if (!body.contains("cluster")) return -1;
    return static_cast<int>(body.at("cluster").at("organisationsOwned").as_int64());
  }
  // Polls /readyz until the instance owns n organisations; how long it took, or nullopt.
  static std::optional<std::chrono::milliseconds> wait_owned(std::uint16_t port, int n,
                                                             std::chrono::milliseconds timeout) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < timeout) {
      if (owned(port) == n) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
      }
      std::this_thread::sleep_for(50ms);  // another process's progress: nothing to simulate
    }
    return std::nullopt;
  }

  // The admin's own desktop log in (POST) or log out (DELETE): a contact-center decision on the
  // organisation's strand, written with the organisation's fence.
  static RawResponse agent_session(std::uint16_t port, const std::string& method) {
    return as_admin(port, method, "/api/v1/me/session", method == "POST" ? "{}" : "");
  }
  // A request as the admin (signed in on that instance; sessions are in the shared database).
  static RawResponse as_admin(std::uint16_t port, const std::string& method,
                              const std::string& target, const std::string& body = "") {
    auto login = http_request(port, "POST", "/api/v1/auth/login",
                              R"({"username":"admin","password":"a-long-password"})");
    if (login.status != 200) return login;
    const std::string token(boost::json::parse(login.body).at("token").as_string());
    return http_request(port, method, target, body, {{"Authorization", "Bearer " + token}});
  }
  // The API error code of a response ("" when it has none).
  static std::string error_code(const RawResponse& r) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("error")) return "";
    return std::string(v.at("error").at("code").as_string());
  }
  // The admin's bearer token from a sign-in on port.
  static std::string admin_token(std::uint16_t port) {
    auto login = http_request(port, "POST", "/api/v1/auth/login",
                              R"({"username":"admin","password":"a-long-password"})");
    if (login.status != 200) return "";
    return std::string(boost::json::parse(login.body).at("token").as_string());
  }
  // A non-owner's answer for the organisation's live state: 503 org_elsewhere, Retry-After 1.
  static void expect_elsewhere(const RawResponse& r) {
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(error_code(r), "org_elsewhere") << r.body;
    EXPECT_EQ(r.header("retry-after"), "1");
    EXPECT_NE(r.body.find("another instance does"), std::string::npos) << r.body;
  }

  // Two clustered instances: a owns the organisation (it started first), then b serves too.
  // Contoso's admin and agent, [cluster] on, then serve_two.
  void serve_cluster_pair(std::unique_ptr<ChildProcess>& a, std::uint16_t& port_a,
                          std::unique_ptr<ChildProcess>& b, std::uint16_t& port_b) {
    ASSERT_NO_FATAL_FAILURE(add_admin_agent());
    ASSERT_NO_FATAL_FAILURE(enable_cluster());
    serve_two(a, port_a, b, port_b);
  }
  void serve_two(std::unique_ptr<ChildProcess>& a, std::uint16_t& port_a,
                 std::unique_ptr<ChildProcess>& b, std::uint16_t& port_b) {
    port_a = serve(a);
    ASSERT_NE(port_a, 0) << a->output();
    ASSERT_TRUE(wait_owned(port_a, 1, 10s)) << a->output();
    port_b = serve(b);  // a second instance is welcome
    ASSERT_NE(port_b, 0) << b->output();
  }

  // A subscription presence sync holds (as if created in Graph before): the webhook's gate
  // loads it at start and admits its notifications. Before serve.
  void add_subscription(std::int64_t org) {
    ASSERT_EQ(pg_exec(database_->conninfo(),
                      "INSERT INTO presence_subscriptions (id, org_id, account_id, user_ids, "
                      "expiration, client_state_sha256, include_resource_data, health, "
                      "created_at) VALUES ('sub-pg-1', " +
                          std::to_string(org) + ", 1, '[\"u1\"]', 4102444800000, '" +
                          kClientStateSha256 + "', false, 'ok', 1790000000000)"),
              "");
  }
  // A change notification of that subscription.
  static std::string notification() {
    return std::string(R"({"value":[{"subscriptionId":"sub-pg-1","clientState":")") +
           kClientState +
           R"(","changeType":"updated","resource":"communications/presences/u1",)"
           R"("subscriptionExpirationDateTime":"2099-12-31T00:00:00Z",)"
           R"("tenantId":"bbbbcccc-1111-dddd-2222-eeee3333ffff",)"
           R"("resourceData":{"@odata.type":"#microsoft.graph.presence",)"
           R"("@odata.id":"communications/presences/u1","id":"u1"}}]})";
  }
  // Polls /readyz until its "cluster" object satisfies ok (10 s at most).
  template <class Ok>
  static bool wait_cluster(std::uint16_t port, Ok ok) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < 10s) {
      auto ready = http_request(port, "GET", "/readyz");
      if (ready.status == 200) {
        auto body = boost::json::parse(ready.body).as_object();
        if (body.contains("cluster") && ok(body.at("cluster").as_object())) return true;
      }
      std::this_thread::sleep_for(50ms);  // another process's progress: nothing to simulate
    }
    return false;
  }

  static bool is_subscribed(const boost::json::object& m) {
    return m.contains("type") && m.at("type").as_string() == "subscribed";
  }
  static auto state_is(std::string state) {
    return [state](const boost::json::object& m) {
      return m.contains("type") && m.at("type").as_string() == "agent.state" &&
             m.at("state").at("state").as_string() == state;
    };
  }

  std::optional<store::testing::PgTestDatabase> database_;
  fs::path dir_;
  fs::path config_;
};

TEST_F(PostgresqlServe, ServesSignsInAndStoresAWebhookNotification) {
  const std::string conninfo = database_->conninfo();
  {
    ChildProcess add({CCTEAMS_BINARY, "user", "add", "--config", config_.string(), "--org",
                      "Contoso", "--username", "admin", "--password-stdin"},
                     "a-long-password\n");
    ASSERT_EQ(add.wait_exit(60s), 0) << add.output();
  }
  const std::int64_t org = pg_int(conninfo, "SELECT id FROM organisations WHERE name = 'Contoso'");
  ASSERT_GT(org, 0);
  add_subscription(org);

  std::unique_ptr<ChildProcess> p;
  const std::uint16_t port = serve(p);
  ASSERT_NE(port, 0) << p->output();

  auto ready = http_request(port, "GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;

  auto login = http_request(port, "POST", "/api/v1/auth/login",
                            R"({"username":"admin","password":"a-long-password"})");
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token(boost::json::parse(login.body).at("token").as_string());
  auto session =
      http_request(port, "GET", "/api/v1/auth/session", {}, {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(session.status, 200) << session.body;

  const std::string notification = PostgresqlServe::notification();
  auto posted = http_request(port, "POST", "/webhooks/graph/notifications", notification);
  EXPECT_EQ(posted.status, 202) << posted.body;
  // 202 comes after COMMIT: the entry is in the database now. Nobody processes it (the
  // organisation's Teams connector is not set up), so it stays for the organisation's sync.
  EXPECT_EQ(
      pg_int(conninfo, "SELECT COUNT(*) FROM presence_inbox WHERE org_id = " + std::to_string(org)),
      1);
  // A forged one (wrong clientState) gets the same 202 and is not stored.
  std::string forged = notification;
  forged.replace(forged.find(kClientState), std::string(kClientState).size(), "guess");
  EXPECT_EQ(http_request(port, "POST", "/webhooks/graph/notifications", forged).status, 202);
  EXPECT_EQ(pg_int(conninfo, "SELECT COUNT(*) FROM presence_inbox"), 1);

  // One instance per database for now: a second one refuses to serve, saying why.
  {
    ChildProcess second({CCTEAMS_BINARY, "serve", "--config", config_.string()});
    const auto status = second.wait_exit(60s);
    ASSERT_TRUE(status.has_value()) << second.output();
    EXPECT_NE(*status, 0);
    EXPECT_NE(second.output().find("another ccteams serve"), std::string::npos) << second.output();
  }

  p->signal(SIGTERM);
  const auto status = p->wait_exit(30s);
  ASSERT_TRUE(status.has_value()) << p->output();
  EXPECT_EQ(*status, 0) << p->output();
  // The password is never logged; nor is the DSN.
  EXPECT_EQ(p->output().find("not-checked-by-a-trusting-cluster"), std::string::npos);
  EXPECT_EQ(p->output().find(conninfo), std::string::npos);
}

TEST_F(PostgresqlServe, ClusterTakesOverAKilledOwnersOrganisationWithinTheLeaseTtl) {
  const std::string conninfo = database_->conninfo();
  std::unique_ptr<ChildProcess> a, b;
  std::uint16_t port_a = 0, port_b = 0;
  ASSERT_NO_FATAL_FAILURE(serve_cluster_pair(a, port_a, b, port_b));
  EXPECT_EQ(owned(port_b), 0);
  // Only the owner holds the organisation's live state; the other forwards its requests there.
  auto on_owner = agent_session(port_a, "POST");
  EXPECT_EQ(on_owner.status, 200) << on_owner.body;
  auto via_b = as_admin(port_b, "GET", "/api/v1/agents/states");
  EXPECT_EQ(via_b.status, 200) << via_b.body;
  EXPECT_NE(via_b.body.find("\"Available\""), std::string::npos) << via_b.body;
  const std::string token_b = admin_token(port_b);
  ASSERT_NE(token_b, "");
  // A contact waits in a queue nobody takes: written into the database as telephony would (no
  // route outside the demo makes one), before the owner dies.
  auto queue = as_admin(port_a, "POST", "/api/v1/queues", R"({"name":"Sales"})");
  ASSERT_EQ(queue.status, 201) << queue.body;
  const std::int64_t queue_id = boost::json::parse(queue.body).at("id").as_int64();
  const std::int64_t contact_id = pg_int(
      conninfo,
      "INSERT INTO contacts (org_id, queue_id, status, caller, enqueued_at, since, offers, ronas, "
      "end_reason) SELECT id, " +
          std::to_string(queue_id) +
          ", 'Queued', '+15550100', 1790000000000, 1790000000000, 0, 0, '' FROM organisations "
          "WHERE name = 'Contoso' RETURNING id");
  ASSERT_GT(contact_id, 0);

  a->signal(SIGKILL);
  const auto killed = std::chrono::steady_clock::now();
  ASSERT_TRUE(a->wait_exit(10s));
  // Until its lease lapses the dead owner is still the owner: a request forwarded to it finds
  // nobody and is answered 503 org_elsewhere at once (the client retries), never left hanging.
  auto dead_owner = http_request(port_b, "GET", "/api/v1/agents/states", "",
                                 {{"Authorization", "Bearer " + token_b}});
  const auto answered = std::chrono::steady_clock::now() - killed;
  if (answered < kTtl - 1000ms) {  // before the lease could have lapsed
    expect_elsewhere(dead_owner);
  }
  EXPECT_LT(answered, 2s);
  const auto took = wait_owned(port_b, 1, kTtl + kScan + 5s);
  ASSERT_TRUE(took) << b->output();
  std::cout << "take-over after kill -9: " << took->count() << " ms (TTL " << kTtl.count()
            << " ms, scan " << kScan.count() << " ms)\n";
  EXPECT_LE(*took, kTtl + kScan + 1000ms);
  EXPECT_EQ(pg_int(conninfo, "SELECT token FROM org_leases"), 2);
  // The survivor loaded the organisation from the database: the agent logged in on the dead
  // owner is still logged in, the queued contact still waits.
  auto states = as_admin(port_b, "GET", "/api/v1/agents/states");
  ASSERT_EQ(states.status, 200) << states.body;
  EXPECT_NE(states.body.find("\"Available\""), std::string::npos) << states.body;
  auto contact = as_admin(port_b, "GET", "/api/v1/contacts/" + std::to_string(contact_id));
  ASSERT_EQ(contact.status, 200) << contact.body;
  EXPECT_NE(contact.body.find("\"Queued\""), std::string::npos) << contact.body;
  EXPECT_NE(b->output().find("cluster: serving organisation"), std::string::npos) << b->output();
  auto on_new_owner = agent_session(port_b, "DELETE");
  EXPECT_EQ(on_new_owner.status, 200) << on_new_owner.body;

  // A graceful stop hands the organisation over at once: its lease has expired on exit.
  b->signal(SIGTERM);
  const auto status = b->wait_exit(30s);
  ASSERT_TRUE(status.has_value()) << b->output();
  EXPECT_EQ(*status, 0) << b->output();
  EXPECT_EQ(pg_int(conninfo, "SELECT count(*) FROM org_leases WHERE expires_at <= clock_timestamp()"),
            1);
}

// Any instance takes Graph's notifications; the owner hears of those stored elsewhere at once
// (LISTEN/NOTIFY), not at its next start. Without a Teams connector nobody processes the entry,
// so what is checked is the wake-up the owner counts (its presence sync would read the inbox).
TEST_F(PostgresqlServe, ClusterNotificationPostedToTheNonOwnerWakesTheOwner) {
  add_admin_agent();
  enable_cluster();
  const std::string conninfo = database_->conninfo();
  const std::int64_t org = pg_int(conninfo, "SELECT id FROM organisations WHERE name = 'Contoso'");
  ASSERT_GT(org, 0);
  add_subscription(org);
  std::unique_ptr<ChildProcess> a, b;
  std::uint16_t port_a = 0, port_b = 0;
  ASSERT_NO_FATAL_FAILURE(serve_two(a, port_a, b, port_b));
  // Both listen before the POST (a wake-up sent before the owner LISTENs is not counted: its
  // connection reads the inbox instead).
  for (const std::uint16_t port : {port_a, port_b}) {
    ASSERT_TRUE(wait_cluster(port, [](const boost::json::object& c) {
      return c.at("inboxListener").at("connected").as_bool();
    }));
  }
  EXPECT_EQ(owned(port_b), 0);

  auto posted = http_request(port_b, "POST", "/webhooks/graph/notifications", notification());
  EXPECT_EQ(posted.status, 202) << posted.body;
  EXPECT_TRUE(wait_cluster(port_a, [](const boost::json::object& c) {
    return c.at("inboxListener").at("wakes").as_int64() == 1;
  })) << a->output();
  // Both count two live instances once each scanned (0 before its first scan), and the one
  // that stored the notification, not owning the organisation, is not woken.
  EXPECT_TRUE(wait_cluster(port_a, [](const boost::json::object& c) {
    return c.at("liveInstances").as_int64() == 2 && c.at("fairShare").as_int64() == 1;
  }));
  EXPECT_TRUE(wait_cluster(port_b, [](const boost::json::object& c) {
    return c.at("liveInstances").as_int64() == 2;
  }));
  auto readyz_b = boost::json::parse(http_request(port_b, "GET", "/readyz").body);
  EXPECT_EQ(readyz_b.at("cluster").at("inboxListener").at("wakes").as_int64(), 0);
}

TEST_F(PostgresqlServe, ClusterOwnerPausedPastItsLeaseIsFencedWhenItResumes) {
  std::unique_ptr<ChildProcess> a, b;
  std::uint16_t port_a = 0, port_b = 0;
  ASSERT_NO_FATAL_FAILURE(serve_cluster_pair(a, port_a, b, port_b));
  auto logged_in = agent_session(port_a, "POST");
  EXPECT_EQ(logged_in.status, 200) << logged_in.body;
  // A desktop's events socket on the owner.
  EventClient on_a(port_a, "/api/v1/events", admin_token(port_a));
  ASSERT_TRUE(on_a.wait_for(is_subscribed));

  a->signal(SIGSTOP);
  const auto took = wait_owned(port_b, 1, kTtl + kScan + 5s);
  a->signal(SIGCONT);
  ASSERT_TRUE(took) << b->output();
  // The resumed owner finds its local deadline long past: it stops acting at once...
  EXPECT_TRUE(wait_owned(port_a, 0, 5s)) << a->output();
  EXPECT_NE(a->output().find("no longer serving organisation"), std::string::npos) << a->output();
  // ...closes the organisation's events socket (1012: the desktop reconnects with its cursor
  // and lands where the organisation is served)...
  auto closed = on_a.wait_closed(10s);
  ASSERT_TRUE(closed) << a->output();
  EXPECT_EQ(closed->code, 1012);
  EXPECT_EQ(std::string(closed->reason.c_str()), "organisation moved to another instance");
  // ...and answers for it as any non-owner does: it dropped the organisation's live state, and
  // its request goes to the new owner, which decides (its access log names the client and the
  // forwarding instance). (The database-level refusal of a write paused inside its
  // transaction is PgOrgLeaseStoreTest.APausedWriteIsEndedByTheServerAndNeverLands.)
  auto late = agent_session(port_a, "DELETE");
  EXPECT_EQ(late.status, 200) << late.body;
  EXPECT_NE(a->output().find("dropped from memory"), std::string::npos) << a->output();
  // (The access log line follows the response: waited for, not assumed.)
  EXPECT_TRUE(b->wait_for_output("DELETE /api/v1/me/session 200", 5s)) << b->output();
  EXPECT_TRUE(b->wait_for_output("127.0.0.1 via 127.0.0.1", 5s)) << b->output();
  auto owner = agent_session(port_b, "POST");
  EXPECT_EQ(owner.status, 200) << owner.body;
}

// Any instance serves any request: REST on the non-owner is forwarded to the owner over the
// internal channel (a configuration change made there reaches the owner's memory), and the
// events WebSocket on the non-owner reads the event log: in order, resumable with a cursor.
TEST_F(PostgresqlServe, ClusterNonOwnerAnswersRestAndEventsAsTheOwnerWould) {
  const std::string conninfo = database_->conninfo();
  std::unique_ptr<ChildProcess> a, b;
  std::uint16_t port_a = 0, port_b = 0;
  ASSERT_NO_FATAL_FAILURE(serve_cluster_pair(a, port_a, b, port_b));
  EXPECT_EQ(owned(port_b), 0);
  EXPECT_TRUE(wait_cluster(port_b, [](const boost::json::object& c) {
    return c.at("liveInstances").as_int64() == 2;
  }));
  EXPECT_EQ(pg_int(conninfo, "SELECT count(*) FROM cluster_instances WHERE internal_url IN "
                             "('http://127.0.0.1:" + std::to_string(port_a) +
                                 "', 'http://127.0.0.1:" + std::to_string(port_b) + "')"),
            2);
  const std::string token = admin_token(port_b);
  ASSERT_NE(token, "");

  auto events = std::make_unique<EventClient>(port_b, "/api/v1/events", token);
  ASSERT_TRUE(events->wait_for(is_subscribed));
  // The desktop log in made on the non-owner is the owner's decision.
  auto login = agent_session(port_b, "POST");
  EXPECT_EQ(login.status, 200) << login.body;
  auto on_a = as_admin(port_a, "GET", "/api/v1/agents/states");
  EXPECT_NE(on_a.body.find("\"Available\""), std::string::npos) << on_a.body;
  // A configuration change made on the non-owner reaches the owner's memory: the agent may go
  // Idle with the new code at once, on the owner.
  auto code = as_admin(port_b, "POST", "/api/v1/idle-codes", R"({"name":"Lunch"})");
  ASSERT_EQ(code.status, 201) << code.body;
  const auto code_id = boost::json::parse(code.body).at("id").as_int64();
  auto queue = as_admin(port_b, "POST", "/api/v1/queues", R"({"name":"Sales"})");
  EXPECT_EQ(queue.status, 201) << queue.body;
  auto queues = as_admin(port_b, "GET", "/api/v1/queues");
  EXPECT_NE(queues.body.find("\"Sales\""), std::string::npos) << queues.body;
  auto idle = as_admin(port_a, "PUT", "/api/v1/me/state",
                       R"({"state":"Idle","idleCodeId":)" + std::to_string(code_id) + "}");
  EXPECT_EQ(idle.status, 200) << idle.body;

  // The non-owner's socket got the owner's events, in order: Available, then Idle.
  ASSERT_TRUE(events->wait_for(state_is("Idle"))) << b->output();
  // (Everything before Idle in the log came before it on the socket: last_seq is a cursor.)
  std::vector<std::string> states;
  std::int64_t last_seq = 0;
  for (const auto& m : events->messages()) {
    if (!m.contains("seq")) continue;  // "subscribed"
    EXPECT_GT(m.at("seq").as_int64(), last_seq);
    last_seq = m.at("seq").as_int64();
    if (m.at("type").as_string() == "agent.state") {
      states.emplace_back(m.at("state").at("state").as_string());
    }
    if (states == std::vector<std::string>{"Available", "Idle"}) break;
  }
  EXPECT_EQ(states, (std::vector<std::string>{"Available", "Idle"}));
  events.reset();

  // Resumed with the cursor: what happened meanwhile is replayed, then it is live again.
  auto back = as_admin(port_b, "PUT", "/api/v1/me/state", R"({"state":"Available"})");
  EXPECT_EQ(back.status, 200) << back.body;
  EventClient resumed(port_b, "/api/v1/events?after=" + std::to_string(last_seq), token);
  auto subscribed = resumed.wait_for(is_subscribed);
  ASSERT_TRUE(subscribed);
  std::vector<std::string> replayed;
  std::int64_t count = 0;
  for (const auto& m : resumed.messages()) {
    if (is_subscribed(m)) break;
    ++count;
    EXPECT_GT(m.at("seq").as_int64(), last_seq);
    if (m.at("type").as_string() == "agent.state") {
      replayed.emplace_back(m.at("state").at("state").as_string());
    }
  }
  EXPECT_EQ(replayed, std::vector<std::string>{"Available"});
  EXPECT_EQ(subscribed->at("replayed").as_int64(), count);
  auto out = agent_session(port_b, "DELETE");
  EXPECT_EQ(out.status, 200) << out.body;
  EXPECT_TRUE(resumed.wait_for(state_is("LoggedOut")));

  // The internal channel itself: only a fresh MAC under the shared key is believed.
  const std::string path = "/api/v1/agents/states";
  auto internal = [&](std::int64_t at, std::string mac) {
    std::vector<std::pair<std::string, std::string>> h{{"Authorization", "Bearer " + token},
                                                       {"X-Ccteams-Forwarded-Client", "10.9.9.9"},
                                                       {"X-Ccteams-Forwarded-At", std::to_string(at)}};
    if (!mac.empty()) h.emplace_back("X-Ccteams-Forwarded-Mac", std::move(mac));
    return http_request(port_a, "GET", path, "", h);
  };
  auto mac_at = [&](std::int64_t at) {
    return hex_encode(*hmac_sha256(kInternalKey, "ccteams-forward-v1\nGET\n" + path + "\n" +
                                                     sha256_hex("") + "\n" + std::to_string(at) +
                                                     "\n10.9.9.9"));
  };
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  EXPECT_EQ(internal(now, "").status, 401);
  EXPECT_EQ(internal(now, std::string(64, '0')).status, 403);
  auto stale = internal(now - 60'000, mac_at(now - 60'000));
  EXPECT_EQ(stale.status, 403);
  EXPECT_NE(stale.body.find("stale"), std::string::npos) << stale.body;
  auto fresh = internal(now, mac_at(now));
  EXPECT_EQ(fresh.status, 200) << fresh.body;
  EXPECT_TRUE(a->wait_for_output("10.9.9.9 via 127.0.0.1", 5s)) << a->output();
}

// The connector's and the sync accounts' changes made on a non-owner are the owner's: refused
// there before anything is written and forwarded, so the owner's participants (presence sync,
// directory) act at once. Nothing is set up here, so the owner's answer is its 404, where the
// non-owner alone would have said 503 org_elsewhere.
TEST_F(PostgresqlServe, ClusterConnectorChangesOnTheNonOwnerAreTheOwners) {
  std::unique_ptr<ChildProcess> a, b;
  std::uint16_t port_a = 0, port_b = 0;
  ASSERT_NO_FATAL_FAILURE(serve_cluster_pair(a, port_a, b, port_b));
  EXPECT_EQ(owned(port_b), 0);
  EXPECT_TRUE(wait_cluster(port_b, [](const boost::json::object& c) {
    return c.at("liveInstances").as_int64() == 2;
  }));
  auto patch = as_admin(port_b, "PATCH", "/api/v1/connectors/msteams", R"({"presenceSync":false})");
  EXPECT_EQ(patch.status, 404) << patch.body;
  EXPECT_TRUE(a->wait_for_output("PATCH /api/v1/connectors/msteams 404", 5s)) << a->output();
  auto removed = as_admin(port_b, "DELETE", "/api/v1/connectors/msteams/sync-accounts/999");
  EXPECT_EQ(removed.status, 404) << removed.body;
  EXPECT_TRUE(a->wait_for_output("DELETE /api/v1/connectors/msteams/sync-accounts/999 404", 5s))
      << a->output();
  EXPECT_EQ(a->output().find("PATCH /api/v1/connectors/msteams 503"), std::string::npos);
  // Reads stay local: the database answers them exactly anywhere.
  auto read = as_admin(port_b, "GET", "/api/v1/connectors/msteams");
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_TRUE(b->wait_for_output("GET /api/v1/connectors/msteams 200", 5s)) << b->output();
  EXPECT_EQ(a->output().find("GET /api/v1/connectors/msteams 200"), std::string::npos);
}

}  // namespace
}  // namespace ccteams::testing
