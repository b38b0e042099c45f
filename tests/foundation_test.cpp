// End to end through the real binary: `ccteams demo` starts, answers health checks, signs
// people in, enforces roles and organisations, locks out guessers, stops cleanly on SIGTERM.
#include <gtest/gtest.h>

#include <fstream>

#include "demo_fixture.hpp"

namespace ccteams::testing {
namespace {

namespace json = boost::json;

TEST(Foundation, DemoStartsAndAnswersHealthChecks) {
  DemoProcess demo;
  ASSERT_NE(demo.port(), 0);
  auto health = demo.get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(parse(health.body).at("status"), "ok");
  auto ready = demo.get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  auto metrics = demo.get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("http_requests_total"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.header("content-type").find("text/plain"), std::string::npos);
}

TEST(Foundation, LoginGivesATokenAndACookieWithCsrf) {
  DemoProcess demo;
  auto r = demo.send("POST", "/api/v1/auth/login", R"({"username":"admin","password":"pw"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = parse(r.body).as_object();
  EXPECT_FALSE(body.at("token").as_string().empty());
  EXPECT_FALSE(body.at("csrfToken").as_string().empty());
  EXPECT_EQ(body.at("user").at("username"), "admin");
  EXPECT_FALSE(body.at("user").as_object().contains("passwordHash"));
  const auto range = r.headers.equal_range("set-cookie");
  std::string cookies;
  for (auto it = range.first; it != range.second; ++it) cookies += it->second + "\n";
  EXPECT_NE(cookies.find("ccteams_session="), std::string::npos);
  EXPECT_NE(cookies.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookies.find("SameSite=Strict"), std::string::npos);
}

TEST(Foundation, WithoutTokenIs401AndWrongRoleIs403) {
  DemoProcess demo;
  auto anon = demo.get("/api/v1/users");
  EXPECT_EQ(anon.status, 401);
  EXPECT_EQ(parse(anon.body).at("error").at("code"), "unauthenticated");
  auto bogus = demo.get("/api/v1/users", "not-a-token");
  EXPECT_EQ(bogus.status, 401);

  const auto agent = demo.login("agent1");
  auto forbidden = demo.get("/api/v1/users", agent);
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(parse(forbidden.body).at("error").at("code"), "forbidden");

  const auto admin = demo.login("admin");
  auto list = demo.get("/api/v1/users", admin);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(parse(list.body).at("items").as_array().size(), 5u);  // admin, supervisor, 3 agents
}

TEST(Foundation, CookieSessionsNeedTheCsrfHeaderToChangeState) {
  DemoProcess demo;
  auto r = demo.send("POST", "/api/v1/auth/login", R"({"username":"admin","password":"pw"})");
  ASSERT_EQ(r.status, 200);
  const auto body = parse(r.body);
  const std::string token(body.at("token").as_string());
  const std::string csrf(body.at("csrfToken").as_string());
  const std::string cookie = "ccteams_session=" + token;
  const std::string new_user = R"({"username":"x1","password":"longenough","roles":["agent"]})";
  auto read = http_request(demo.port(), "GET", "/api/v1/users", {}, {{"Cookie", cookie}});
  EXPECT_EQ(read.status, 200);
  auto no_csrf = http_request(demo.port(), "POST", "/api/v1/users", new_user, {{"Cookie", cookie}});
  EXPECT_EQ(no_csrf.status, 403) << no_csrf.body;
  auto with_csrf = http_request(demo.port(), "POST", "/api/v1/users", new_user,
                                {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  EXPECT_EQ(with_csrf.status, 201) << with_csrf.body;
}

TEST(Foundation, RepeatedWrongPasswordsLockTheAccount) {
  DemoProcess demo;
  for (int i = 0; i < 5; ++i) {
    auto r = demo.send("POST", "/api/v1/auth/login", R"({"username":"agent2","password":"wrong"})");
    EXPECT_EQ(r.status, 401) << "attempt " << i;
  }
  auto locked = demo.send("POST", "/api/v1/auth/login", R"({"username":"agent2","password":"pw"})");
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_EQ(parse(locked.body).at("error").at("code"), "rate_limited");
  EXPECT_FALSE(locked.header("retry-after").empty());
  // Other accounts are unaffected.
  EXPECT_FALSE(demo.login("agent3").empty());
}

TEST(Foundation, BadInputGetsAClearErrorAndChangesNothing) {
  DemoProcess demo;
  const auto admin = demo.login("admin");
  auto not_json = demo.send("POST", "/api/v1/users", "{not json", admin);
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(parse(not_json.body).at("error").at("code"), "invalid_input");
  auto bad_role = demo.send("POST", "/api/v1/users",
                            R"({"username":"z","password":"longenough","roles":["king"]})", admin);
  EXPECT_EQ(bad_role.status, 400);
  EXPECT_NE(parse(bad_role.body).at("error").at("message").as_string().find("roles"), json::string::npos);
  auto dup = demo.send("POST", "/api/v1/users",
                       R"({"username":"agent1","password":"longenough","roles":["agent"]})", admin);
  EXPECT_EQ(dup.status, 409);
  auto list = demo.get("/api/v1/users", admin);
  EXPECT_EQ(parse(list.body).at("items").as_array().size(), 5u);
  auto unknown = demo.get("/api/v1/nothing-here", admin);
  EXPECT_EQ(unknown.status, 404);
}

TEST(Foundation, AnotherOrganisationsDataIsNotFound) {
  DemoProcess demo;
  // A second organisation, created with the operator command against the same database.
  const auto cfg = demo.data() / "other.toml";
  {
    std::ofstream f(cfg);
    f << "[store]\npath = \"" << (demo.data() / "ccteams.db").string() << "\"\n"
      << "[secrets]\nkey_file = \"" << (demo.data() / "secret.key").string() << "\"\n"
      << "[auth]\npassword_hash = \"minimum\"\n";
  }
  ChildProcess add({CCTEAMS_BINARY, "user", "add", "--config", cfg.string(), "--org", "Other Org",
                    "--username", "otheradmin", "--role", "admin", "--password-stdin"},
                   "otherpassword\n");
  ASSERT_EQ(add.wait_exit(std::chrono::seconds(30)), 0) << add.output();

  const auto demo_admin = demo.login("admin");
  const auto other_admin = demo.login("otheradmin", "otherpassword");
  auto demo_users = parse(demo.get("/api/v1/users", demo_admin).body).at("items").as_array();
  const auto demo_agent_id = demo_users.at(2).at("id").as_int64();

  auto other_list = parse(demo.get("/api/v1/users", other_admin).body).at("items").as_array();
  ASSERT_EQ(other_list.size(), 1u);
  EXPECT_EQ(other_list.at(0).at("username"), "otheradmin");
  const std::string path = "/api/v1/users/" + std::to_string(demo_agent_id);
  auto read = demo.get(path, other_admin);
  EXPECT_EQ(read.status, 404);
  EXPECT_EQ(read.body.find("agent"), std::string::npos) << read.body;
  EXPECT_EQ(demo.send("PATCH", path, R"({"disabled":true})", other_admin).status, 404);
  EXPECT_EQ(demo.send("DELETE", path, "", other_admin).status, 404);
  EXPECT_EQ(demo.get(path, demo_admin).status, 200);  // untouched
}

TEST(Foundation, SigtermStopsGracefully) {
  DemoProcess demo;
  ASSERT_EQ(demo.get("/healthz").status, 200);
  demo.process().signal(SIGTERM);
  const auto status = demo.process().wait_exit(std::chrono::seconds(15));
  ASSERT_TRUE(status.has_value()) << demo.process().output();
  EXPECT_EQ(*status, 0) << demo.process().output();
  EXPECT_NE(demo.process().output().find("stopped"), std::string::npos);
}

TEST(Foundation, RestartKeepsAccountsAndSecretKey) {
  const auto data = make_temp_dir("ccteams-restart");
  auto start = [&] {
    return std::make_unique<ChildProcess>(std::vector<std::string>{
        CCTEAMS_BINARY, "demo", "--port", "0", "--password", "pw", "--password-hash", "minimum",
        "--agents", "2", "--simulation", "off", "--data", data.string()});
  };
  std::string key_before;
  {
    auto p = start();
    ASSERT_TRUE(p->wait_for_output("Password:", std::chrono::seconds(60))) << p->output();
    std::ifstream f(data / "secret.key");
    std::getline(f, key_before);
    p->signal(SIGTERM);
    ASSERT_EQ(p->wait_exit(std::chrono::seconds(15)), 0);
  }
  EXPECT_EQ(std::filesystem::status(data / "secret.key").permissions() & std::filesystem::perms::group_all,
            std::filesystem::perms::none);
  {
    auto p = start();
    ASSERT_TRUE(p->wait_for_output("Password:", std::chrono::seconds(60))) << p->output();
    std::ifstream f(data / "secret.key");
    std::string key_after;
    std::getline(f, key_after);
    EXPECT_EQ(key_before, key_after);
    p->signal(SIGTERM);
    EXPECT_EQ(p->wait_exit(std::chrono::seconds(15)), 0);
  }
  std::filesystem::remove_all(data);
}

TEST(CommandLine, BadFlagsAndConfigValuesAreNamed) {
  {
    ChildProcess p({CCTEAMS_BINARY, "demo", "--bogus"});
    auto status = p.wait_exit(std::chrono::seconds(10));
    EXPECT_NE(status.value_or(0), 0);
    EXPECT_NE(p.output().find("--bogus"), std::string::npos) << p.output();
  }
  {
    ChildProcess p({CCTEAMS_BINARY, "demo", "--port", "notaport"});
    EXPECT_NE(p.wait_exit(std::chrono::seconds(10)).value_or(0), 0);
    EXPECT_NE(p.output().find("--port"), std::string::npos) << p.output();
  }
  const auto dir = make_temp_dir("ccteams-cfg");
  const auto cfg = dir / "bad.toml";
  {
    std::ofstream f(cfg);
    f << "[server]\nport = 99999\n";
  }
  {
    ChildProcess p({CCTEAMS_BINARY, "serve", "--config", cfg.string()});
    EXPECT_NE(p.wait_exit(std::chrono::seconds(10)).value_or(0), 0);
    EXPECT_NE(p.output().find("server.port"), std::string::npos) << p.output();
  }
  {
    ChildProcess p({CCTEAMS_BINARY, "--version"});
    EXPECT_EQ(p.wait_exit(std::chrono::seconds(10)), 0);
    EXPECT_NE(p.output().find("ccteams "), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ccteams::testing
