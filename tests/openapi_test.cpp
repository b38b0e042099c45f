// Issue 21: the OpenAPI document (web/openapi.json) cannot drift from the server.
//  * Every route the router serves is documented, and every documented operation is served
//    (the console's files aside: console_files.hpp).
//  * Live answers match it: every GET route called with real ids of the demo and a role allowed
//    to call it, a sign-in, a created user, the error answers 400, 401, 403, 404, 409 and 415,
//    and commands on queues, idle codes, agents' states and a demo contact. A body that does not
//    match its status's schema fails with the JSON pointer of the first mismatch.
//
// The service runs in process, as `ccteams demo` wires it (demo routes, loopback /metrics), as
// the authorization matrix does: the test needs the router's route list.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>

#include "adapters/http/openapi_document.hpp"
#include "adapters/http/router.hpp"
#include "console_files.hpp"
#include "demo_fixture.hpp"
#include "in_process_runtime.hpp"

namespace ccteams::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

class OpenApi : public ::testing::Test {
 protected:
  void SetUp() override {
    doc_ = json::parse(slurp(std::filesystem::path(CCTEAMS_SOURCE_DIR) / "web/openapi.json"));
    auto o = in_process_options(dir_);
    o.demo = true;  // as `ccteams demo`: the demo routes are documented too
    o.metrics_open_to_loopback = true;
    runtime_ = create_seeded_runtime(std::move(o));
    ASSERT_TRUE(runtime_);
    port_ = start_runtime(*runtime_);
    ASSERT_NE(port_, 0);
    admin_ = login("admin");
    supervisor_ = login("supervisor");
    agent_ = login("agent1");
  }
  void TearDown() override {
    stop_runtime(runtime_);
    std::filesystem::remove_all(dir_);
  }

  RawResponse call(const std::string& method, const std::string& target, const std::string& body,
                   const std::string& token,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return http_request(port_, method, target, body, headers);
  }
  std::string login(const std::string& username) {
    auto r = call("POST", "/api/v1/auth/login",
                  R"({"username":")" + username + R"(","password":"pw"})", "");
    EXPECT_EQ(r.status, 200) << username << ": " << r.body;
    expect_documented("POST", "/api/v1/auth/login", r);
    return r.status == 200 ? std::string(parse(r.body).at("token").as_string()) : "";
  }
  // The answer r of method pattern is documented: its status, and its body's schema.
  void expect_documented(const std::string& method, const std::string& pattern,
                         const RawResponse& r) {
    auto checked = http::check_answer(doc_, method, pattern, r.status, r.body);
    EXPECT_TRUE(checked) << (checked ? ""
                                     : "at JSON pointer '" + checked.error().pointer +
                                           "': " + checked.error().message);
    ++checked_;
  }
  // Calls and checks; the answer, for the caller's own expectations.
  RawResponse documented(const std::string& method, const std::string& pattern,
                         const std::string& target, const std::string& body,
                         const std::string& token) {
    auto r = call(method, target, body, token);
    expect_documented(method, pattern, r);
    return r;
  }
  std::string first_id(const std::string& list, const char* field = "id") {
    auto r = call("GET", list, "", admin_);
    EXPECT_EQ(r.status, 200) << list << ": " << r.body;
    const auto body = parse(r.body);
    const auto& items = body.at("items").as_array();
    EXPECT_FALSE(items.empty()) << list;
    return items.empty() ? "0" : std::to_string(items.front().at(field).as_int64());
  }

  json::value doc_;
  std::filesystem::path dir_ = make_temp_dir("ccteams-openapi");
  std::unique_ptr<cli::Runtime> runtime_;
  std::uint16_t port_ = 0;
  std::string admin_, supervisor_, agent_;
  int checked_ = 0;
};

TEST_F(OpenApi, EveryRouteIsDocumentedAndEveryDocumentedOperationServed) {
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& op : http::openapi_operations(doc_)) documented.emplace(op.method, op.path);
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& r : runtime_->routes()) {
    if (is_console_file(r)) continue;
    // A WebSocket route is documented as the GET that carries the upgrade.
    const std::string method = r.method == "WEBSOCKET" ? "GET" : r.method;
    served.emplace(method, r.pattern);
    EXPECT_TRUE(documented.contains({method, r.pattern}))
        << method << " " << r.pattern
        << " is served but not documented: describe it in web/openapi.json";
  }
  for (const auto& [method, path] : documented) {
    EXPECT_TRUE(served.contains({method, path}))
        << method << " " << path << " is documented in web/openapi.json but not served";
  }
  EXPECT_GT(served.size(), 70u);
}

TEST_F(OpenApi, EveryGetAnswersAsDocumented) {
  auto contact = call("POST", "/api/v1/demo/contacts",
                      R"({"queueId":)" + first_id("/api/v1/queues") + "}", admin_);
  ASSERT_EQ(contact.status, 201) << contact.body;
  // Real ids of the demo, by the collection a {id} belongs to.
  const std::map<std::string, std::string> ids = {
      {"/api/v1/users/", first_id("/api/v1/users")},
      {"/api/v1/idle-codes/", first_id("/api/v1/idle-codes")},
      {"/api/v1/desktop-profiles/", first_id("/api/v1/desktop-profiles")},
      {"/api/v1/queues/", first_id("/api/v1/queues")},
      {"/api/v1/agents/", first_id("/api/v1/agents", "userId")},
      {"/api/v1/contacts/", std::to_string(parse(contact.body).at("contact").at("id").as_int64())},
      {"/api/v1/connectors/msteams/sync-accounts/", "1"}};
  int gets = 0;
  for (const auto& op : http::openapi_operations(doc_)) {
    if (op.method != "GET") continue;
    std::string target = op.path;
    if (auto at = target.find("{id}"); at != std::string::npos) {
      const auto found = ids.find(target.substr(0, at));
      ASSERT_NE(found, ids.end()) << op.path << ": no id for it in this test";
      target.replace(at, 4, found->second);
    }
    if (target.ends_with("/callback")) {
      // Entra's redirects: no session, the (here forged) state decides; an HTML page.
      expect_documented("GET", op.path, call("GET", target + "?state=forged&code=x", "", ""));
      continue;
    }
    // The first role that may call it (the others' 403 is documented too and checked).
    RawResponse r;
    for (const auto* token : {&admin_, &supervisor_, &agent_}) {
      r = documented("GET", op.path, target, "", *token);
      if (r.status != 403) break;
    }
    EXPECT_NE(r.status, 401) << op.path << ": " << r.body;
    EXPECT_NE(r.status, 403) << op.path << ": " << r.body;
    EXPECT_LT(r.status, 500) << op.path << ": " << r.body;
    ++gets;
  }
  EXPECT_GT(gets, 25);
  // The document serves itself, exactly.
  auto self = call("GET", "/api/v1/openapi.json", "", "");
  EXPECT_EQ(self.status, 200);
  EXPECT_EQ(self.header("content-type"), "application/json");
  EXPECT_EQ(parse(self.body), doc_);
}

TEST_F(OpenApi, SignInCreatedUserAndErrorAnswersAreDocumented) {
  // 201
  auto created = documented(
      "POST", "/api/v1/users", "/api/v1/users",
      R"({"username":"oa-new","password":"pw","displayName":"OA","roles":["agent"]})", admin_);
  EXPECT_EQ(created.status, 201) << created.body;
  // 400: a missing field
  auto bad = documented("POST", "/api/v1/users", "/api/v1/users",
                        R"({"username":"oa-x","password":"pw"})", admin_);
  EXPECT_EQ(bad.status, 400) << bad.body;
  // 401: no session
  EXPECT_EQ(documented("GET", "/api/v1/users", "/api/v1/users", "", "").status, 401);
  // 403: an agent
  EXPECT_EQ(documented("GET", "/api/v1/users", "/api/v1/users", "", agent_).status, 403);
  // 404: an unknown id
  EXPECT_EQ(documented("GET", "/api/v1/users/{id}", "/api/v1/users/987654321", "", admin_).status,
            404);
  // 409: a taken username
  auto taken = documented("POST", "/api/v1/users", "/api/v1/users",
                          R"({"username":"oa-new","password":"pw","roles":["agent"]})", admin_);
  EXPECT_EQ(taken.status, 409) << taken.body;
  // 415: not JSON
  auto r = call("POST", "/api/v1/queues", "name=x", admin_,
                {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 415) << r.body;
  expect_documented("POST", "/api/v1/queues", r);
  // 401 for wrong credentials at sign-in
  expect_documented(
      "POST", "/api/v1/auth/login",
      call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"wrong"})", ""));
  // The events route without an upgrade: 400.
  EXPECT_EQ(documented("GET", "/api/v1/events", "/api/v1/events", "", admin_).status, 400);
  // The connector is not configured: PATCH is 404.
  EXPECT_EQ(documented("PATCH", "/api/v1/connectors/msteams", "/api/v1/connectors/msteams",
                       R"({"showUserDetails":true})", admin_)
                .status,
            404);
}

TEST_F(OpenApi, CommandsAnswerAsDocumented) {
  // Queues: create, replace, update, delete.
  auto q = documented("POST", "/api/v1/queues", "/api/v1/queues", R"({"name":"OA Queue"})", admin_);
  ASSERT_EQ(q.status, 201) << q.body;
  const std::string queue = "/api/v1/queues/" + std::to_string(id_of(q.body));
  EXPECT_EQ(
      documented("PUT", "/api/v1/queues/{id}", queue, R"({"name":"OA Queue 2"})", admin_).status,
      200);
  EXPECT_EQ(
      documented("PATCH", "/api/v1/queues/{id}", queue, R"({"name":"OA Queue 3"})", admin_).status,
      200);
  EXPECT_EQ(
      documented("GET", "/api/v1/queues/{id}/stats", queue + "/stats", "", supervisor_).status,
      200);
  EXPECT_EQ(documented("DELETE", "/api/v1/queues/{id}", queue, "", admin_).status, 204);
  // Idle codes.
  auto code = documented("POST", "/api/v1/idle-codes", "/api/v1/idle-codes",
                         R"({"name":"OA Code","active":true})", admin_);
  ASSERT_EQ(code.status, 201) << code.body;
  const std::string code_id = std::to_string(id_of(code.body));
  EXPECT_EQ(documented("PATCH", "/api/v1/idle-codes/{id}", "/api/v1/idle-codes/" + code_id,
                       R"({"active":true})", admin_)
                .status,
            200);
  // An agent's day: log in, Idle with a code, a supervisor logs them out.
  EXPECT_EQ(documented("POST", "/api/v1/me/session", "/api/v1/me/session", "{}", agent_).status,
            200);
  // A code the agent's desktop profile allows.
  auto desktop = documented("GET", "/api/v1/me/desktop", "/api/v1/me/desktop", "", agent_);
  ASSERT_EQ(desktop.status, 200) << desktop.body;
  const auto desktop_body = parse(desktop.body);
  const auto& allowed = desktop_body.at("idleCodes").as_array();
  ASSERT_FALSE(allowed.empty()) << desktop.body;
  const std::string idle = R"({"state":"Idle","idleCodeId":)" +
                           std::to_string(allowed.front().at("id").as_int64()) + "}";
  EXPECT_EQ(documented("PUT", "/api/v1/me/state", "/api/v1/me/state", idle, agent_).status, 200);
  EXPECT_EQ(
      documented("PUT", "/api/v1/me/state", "/api/v1/me/state", R"({"state":"Available"})", agent_)
          .status,
      200);
  const std::string agent_id =
      std::to_string(parse(call("GET", "/api/v1/me", "", agent_).body).at("userId").as_int64());
  EXPECT_EQ(documented("PUT", "/api/v1/agents/{id}/state", "/api/v1/agents/" + agent_id + "/state",
                       R"({"state":"LoggedOut"})", supervisor_)
                .status,
            200);
  EXPECT_EQ(
      documented("DELETE", "/api/v1/idle-codes/{id}", "/api/v1/idle-codes/" + code_id, "", admin_)
          .status,
      204);
  // A demo contact: created, read, force-ended; a hang-up after the end is a conflict.
  auto contact = documented("POST", "/api/v1/demo/contacts", "/api/v1/demo/contacts",
                            R"({"queueId":)" + first_id("/api/v1/queues") + "}", admin_);
  ASSERT_EQ(contact.status, 201) << contact.body;
  const std::string c = std::to_string(parse(contact.body).at("contact").at("id").as_int64());
  EXPECT_EQ(
      documented("GET", "/api/v1/contacts/{id}", "/api/v1/contacts/" + c, "", supervisor_).status,
      200);
  EXPECT_EQ(documented("POST", "/api/v1/demo/contacts/{id}/hangup",
                       "/api/v1/demo/contacts/" + c + "/hangup", "{}", admin_)
                .status,
            200);
  documented("POST", "/api/v1/contacts/{id}/force-end", "/api/v1/contacts/" + c + "/force-end",
             "{}", supervisor_);
  // Agent settings, the events ticket, sign-out.
  EXPECT_EQ(documented("PATCH", "/api/v1/agents/{id}", "/api/v1/agents/" + agent_id,
                       R"({"teamsUserId":null})", admin_)
                .status,
            200);
  EXPECT_EQ(documented("POST", "/api/v1/events/ticket", "/api/v1/events/ticket", "", agent_).status,
            200);
  EXPECT_EQ(documented("POST", "/api/v1/auth/logout", "/api/v1/auth/logout", "", agent_).status,
            204);
  // Graph's webhooks: the validation handshake, and a body that is not a notification batch.
  auto handshake = documented("POST", "/webhooks/graph/notifications",
                              "/webhooks/graph/notifications?validationToken=oa", "", "");
  EXPECT_EQ(handshake.status, 200);
  EXPECT_EQ(handshake.body, "oa");
  EXPECT_EQ(
      documented("POST", "/webhooks/graph/lifecycle", "/webhooks/graph/lifecycle", "not json", "")
          .status,
      400);
  EXPECT_GT(checked_, 20);
}

}  // namespace
}  // namespace ccteams::testing
