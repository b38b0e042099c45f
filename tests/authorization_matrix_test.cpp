// Issue 23, "Show": the authorization matrix. Every route of the server (the router's own list)
// x {anonymous, agent, supervisor, admin, another organisation's admin, another organisation's
// agent}, with the ids in paths and bodies belonging to organisation 1:
//  * anonymous: 401 (public routes, the Graph webhook and the consent callbacks excepted);
//  * a role the route does not allow: 403 (decided before any id is looked at);
//  * another organisation with an allowed role: exactly the answer (status and message) an
//    unknown id gets, which is 404 for an id in the path and 400 naming the field for an id in
//    the body, so that existence is not revealed; its own data for routes without ids (never
//    organisation 1's);
//  * the consent callbacks: the same answer for everyone (the state decides, not the session);
//  * the organisation's own allowed roles: neither 401 nor 403 nor 500.
// A route missing from the table below fails the test: a new endpoint needs a policy here.
//
// The service runs in process (as `ccteams demo` wires it: demo routes, loopback /metrics)
// because the test needs the router's route list and a second organisation seeded through
// UserService, as `ccteams user add` does.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "adapters/http/router.hpp"
#include "app/testing/run_awaitable.hpp"
#include "app/user_service.hpp"
#include "cli/demo.hpp"
#include "cli/runtime.hpp"
#include "console_files.hpp"
#include "demo_fixture.hpp"
#include "in_process_runtime.hpp"

namespace ccteams::testing {
namespace {

using namespace std::chrono_literals;

enum class Policy {
  public_,        // anyone: health, sign-in, the console's files
  metrics,        // demo: open to loopback callers (serve: see metrics_access_test)
  callback,       // a cross-site redirect from Entra: no session, the state is checked
  graph_webhook,  // Graph: no session; validation handshake, clientState
  any_role,       // any signed-in user of the organisation
  agent,          // the agent role (a supervisor is an agent too)
  supervisor,     // supervisor or admin
  admin,          // admin only
};

// Which organisation-1 resource a {id} in the path, or "{x}" in a body, stands for.
enum class Ids { none, user, idle_code, profile, queue, contact, sync_account };

struct Entry {
  const char* method;
  const char* pattern;
  Policy policy;
  Ids ids = Ids::none;         // the {id} in the pattern
  const char* body = "";       // "{user}", "{queue}"... are replaced by organisation 1's ids
  bool body_has_ids = false;   // the body names organisation 1's resources
  bool fresh_session = false;  // the call ends the caller's session
};

// One line per route. DELETEs run last, so that what they delete is still there before.
const std::vector<Entry> kMatrix = {
    {"GET", "/healthz", Policy::public_},
    {"GET", "/readyz", Policy::public_},
    {"GET", "/metrics", Policy::metrics},
    {"GET", "/", Policy::public_},
    {"GET", "/api/v1/openapi.json", Policy::public_},
    {"POST", "/api/v1/auth/login", Policy::public_, Ids::none,
     R"({"username":"agent1","password":"pw"})"},
    {"POST", "/api/v1/auth/logout", Policy::any_role, Ids::none, "", false, true},
    {"GET", "/api/v1/auth/session", Policy::any_role},
    // users
    {"GET", "/api/v1/users", Policy::admin},
    {"POST", "/api/v1/users", Policy::admin, Ids::none,
     R"({"username":"matrixnew","password":"longenough1","roles":["agent"]})"},
    {"GET", "/api/v1/users/{id}", Policy::admin, Ids::user},
    {"PATCH", "/api/v1/users/{id}", Policy::admin, Ids::user, R"({"displayName":"Matrix"})"},
    {"DELETE", "/api/v1/users/{id}", Policy::admin, Ids::user},
    // contact-center configuration
    {"GET", "/api/v1/idle-codes", Policy::supervisor},
    {"POST", "/api/v1/idle-codes", Policy::admin, Ids::none, R"({"name":"MatrixNewCode"})"},
    {"GET", "/api/v1/idle-codes/{id}", Policy::admin, Ids::idle_code},
    {"PUT", "/api/v1/idle-codes/{id}", Policy::admin, Ids::idle_code, R"({"active":true})"},
    {"PATCH", "/api/v1/idle-codes/{id}", Policy::admin, Ids::idle_code, R"({"active":true})"},
    {"DELETE", "/api/v1/idle-codes/{id}", Policy::admin, Ids::idle_code},
    {"GET", "/api/v1/desktop-profiles", Policy::admin},
    {"POST", "/api/v1/desktop-profiles", Policy::admin, Ids::none,
     R"({"name":"MatrixNewProfile","allowedIdleCodeIds":[{idle_code}]})", true},
    {"GET", "/api/v1/desktop-profiles/{id}", Policy::admin, Ids::profile},
    {"PUT", "/api/v1/desktop-profiles/{id}", Policy::admin, Ids::profile, R"({"webexApp":false})"},
    {"PATCH", "/api/v1/desktop-profiles/{id}", Policy::admin, Ids::profile,
     R"({"webexApp":false})"},
    {"DELETE", "/api/v1/desktop-profiles/{id}", Policy::admin, Ids::profile},
    {"GET", "/api/v1/queues", Policy::supervisor},
    {"POST", "/api/v1/queues", Policy::admin, Ids::none, R"({"name":"MatrixNewQueue"})"},
    {"GET", "/api/v1/queues/{id}", Policy::admin, Ids::queue},
    {"PUT", "/api/v1/queues/{id}", Policy::admin, Ids::queue, R"({"name":"MatrixQueue"})"},
    {"PATCH", "/api/v1/queues/{id}", Policy::admin, Ids::queue, R"({"name":"MatrixQueue"})"},
    {"DELETE", "/api/v1/queues/{id}", Policy::admin, Ids::queue},
    {"GET", "/api/v1/agents", Policy::admin},
    {"POST", "/api/v1/agents", Policy::admin, Ids::none, R"({"userId":{user}})", true},
    {"GET", "/api/v1/agents/{id}", Policy::admin, Ids::user},
    {"PUT", "/api/v1/agents/{id}", Policy::admin, Ids::user, R"({"queueIds":[]})"},
    {"PATCH", "/api/v1/agents/{id}", Policy::admin, Ids::user, R"({"queueIds":[]})"},
    {"DELETE", "/api/v1/agents/{id}", Policy::admin, Ids::user},
    // the desk
    {"POST", "/api/v1/me/session", Policy::agent, Ids::none, "{}"},
    {"DELETE", "/api/v1/me/session", Policy::agent},
    {"GET", "/api/v1/me", Policy::any_role},
    {"GET", "/api/v1/me/desktop", Policy::agent},
    {"GET", "/api/v1/me/team", Policy::agent},
    {"PUT", "/api/v1/me/state", Policy::agent, Ids::none,
     R"({"state":"Idle","idleCodeId":{idle_code}})", true},
    {"GET", "/api/v1/agents/states", Policy::supervisor},
    {"PUT", "/api/v1/agents/{id}/state", Policy::supervisor, Ids::user, R"({"state":"LoggedOut"})"},
    {"GET", "/api/v1/queues/{id}/stats", Policy::supervisor, Ids::queue},
    {"GET", "/api/v1/contacts/{id}", Policy::any_role, Ids::contact},
    {"POST", "/api/v1/contacts/{id}/accept", Policy::agent, Ids::contact, "{}"},
    {"POST", "/api/v1/contacts/{id}/decline", Policy::agent, Ids::contact, "{}"},
    {"POST", "/api/v1/contacts/{id}/hold", Policy::agent, Ids::contact, "{}"},
    {"POST", "/api/v1/contacts/{id}/resume", Policy::agent, Ids::contact, "{}"},
    {"POST", "/api/v1/contacts/{id}/consult", Policy::agent, Ids::contact,
     R"({"number":"+15550199"})"},
    {"POST", "/api/v1/contacts/{id}/conference", Policy::agent, Ids::contact, "{}"},
    {"POST", "/api/v1/contacts/{id}/drop-party", Policy::agent, Ids::contact, "{}"},
    {"POST", "/api/v1/contacts/{id}/transfer", Policy::agent, Ids::contact,
     R"({"number":"+15550199"})"},
    {"POST", "/api/v1/contacts/{id}/end", Policy::agent, Ids::contact, "{}"},
    {"POST", "/api/v1/contacts/{id}/wrapup", Policy::agent, Ids::contact, "{}"},
    {"POST", "/api/v1/contacts/{id}/force-end", Policy::supervisor, Ids::contact, "{}"},
    {"POST", "/api/v1/contacts/{id}/requeue", Policy::supervisor, Ids::contact, "{}"},
    {"POST", "/api/v1/demo/contacts", Policy::any_role, Ids::none, R"({"queueId":{queue}})", true},
    {"POST", "/api/v1/demo/contacts/{id}/hangup", Policy::any_role, Ids::contact, "{}"},
    {"WEBSOCKET", "/api/v1/events", Policy::any_role},
    {"POST", "/api/v1/events/ticket", Policy::any_role, Ids::none, "{}"},
    // the Teams connector
    {"GET", "/api/v1/connectors", Policy::admin},
    {"POST", "/api/v1/connectors/msteams/authorize", Policy::admin, Ids::none, "{}"},
    {"GET", "/api/v1/connectors/msteams", Policy::admin},
    {"PATCH", "/api/v1/connectors/msteams", Policy::admin, Ids::none,
     R"({"showUserDetails":true})"},
    {"POST", "/api/v1/connectors/msteams/deactivate", Policy::admin, Ids::none, "{}"},
    {"POST", "/api/v1/connectors/msteams/reactivate", Policy::admin, Ids::none, "{}"},
    {"DELETE", "/api/v1/connectors/msteams", Policy::admin},
    {"GET", "/api/v1/connectors/msteams/audit", Policy::admin},
    {"GET", "/api/v1/connectors/msteams/callback", Policy::callback},
    {"GET", "/api/v1/connectors/msteams/sync-accounts", Policy::admin},
    {"POST", "/api/v1/connectors/msteams/sync-accounts/sign-in", Policy::admin, Ids::none, "{}"},
    {"DELETE", "/api/v1/connectors/msteams/sync-accounts/{id}", Policy::admin, Ids::sync_account},
    {"GET", "/api/v1/connectors/msteams/sync-accounts/callback", Policy::callback},
    {"GET", "/api/v1/connectors/msteams/presence-sync", Policy::supervisor},
    {"GET", "/api/v1/directory/teams-users", Policy::any_role},
    {"POST", "/api/v1/directory/teams-users/sync", Policy::admin, Ids::none, "{}"},
    {"POST", "/webhooks/graph/notifications", Policy::graph_webhook},
    {"POST", "/webhooks/graph/lifecycle", Policy::graph_webhook},
};

struct Identity {
  const char* name;
  std::string username;
  std::set<Role> roles;
  bool other_org = false;
  std::string token;
};

bool allows(Policy p, const std::set<Role>& roles) {
  auto has = [&](Role r) { return roles.contains(r); };
  switch (p) {
    case Policy::agent:
      return has(Role::agent);
    case Policy::supervisor:
      return has(Role::supervisor) || has(Role::admin);
    case Policy::admin:
      return has(Role::admin);
    default:
      return true;
  }
}

bool needs_session(Policy p) {
  return p == Policy::any_role || p == Policy::agent || p == Policy::supervisor ||
         p == Policy::admin;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// A WebSocket handshake; the status line is enough (101 or the refusal).
int websocket_status(std::uint16_t port, const std::string& token) {
  const int fd = connect_loopback(port);
  std::string req = "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    "Origin: http://127.0.0.1:" +
                    std::to_string(port) + "\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
  req += "\r\n";
  send_all(fd, req);
  std::string got;
  char buf[1024];
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (got.find("\r\n") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (got.size() < 12) return 0;
  return std::stoi(got.substr(9, 3));
}

class AuthorizationMatrix : public ::testing::Test {
 protected:
  void SetUp() override {
    auto o = in_process_options(dir_);
    o.demo = true;  // as `ccteams demo`: the demo routes are part of the matrix
    o.metrics_open_to_loopback = true;
    runtime_ = create_seeded_runtime(std::move(o));
    ASSERT_TRUE(runtime_);
    // Organisation 2, as the demo seeds organisation 1 (and `ccteams user add` any other).
    auto other = run_awaitable(runtime_->users().ensure_org("Matrix Other Org"));
    ASSERT_TRUE(other) << other.error().message;
    for (const auto& u : {NewUser{"otheradmin", "pw", "Other Admin", RoleSet{Role::admin}},
                          NewUser{"otheragent", "pw", "Other Agent", RoleSet{Role::agent}}}) {
      auto made = run_awaitable(runtime_->users().create(other->id, u));
      ASSERT_TRUE(made) << made.error().message;
    }
    // Organisation 1's throwaway user (for the user and agent routes, DELETE among them).
    auto org1 = run_awaitable(runtime_->users().ensure_org(cli::kDemoOrgName));
    ASSERT_TRUE(org1);
    auto user = run_awaitable(runtime_->users().create(
        org1->id, NewUser{"matrixuser", "pw", "Matrix User", RoleSet{Role::agent}}));
    ASSERT_TRUE(user) << user.error().message;
    ids_[Ids::user] = std::to_string(user->id.value);
    port_ = start_runtime(*runtime_);
    ASSERT_NE(port_, 0);

    identities_ = {{"anonymous", "", {}},
                   {"other organisation's agent", "otheragent", {Role::agent}, true},
                   {"other organisation's admin", "otheradmin", {Role::admin}, true},
                   {"agent", "agent1", {Role::agent}},
                   {"supervisor", "supervisor", {Role::supervisor, Role::agent}},
                   {"admin", "admin", {Role::admin}}};
    for (auto& i : identities_) {
      if (!i.username.empty()) i.token = login(i.username);
    }
    const std::string& admin = identities_.back().token;
    // Organisation 1's resources, named so that a leak into another organisation's answer
    // shows (kMarker).
    ids_[Ids::idle_code] = created(admin, "/api/v1/idle-codes", R"({"name":"MatrixOrg1Code"})");
    ids_[Ids::profile] =
        created(admin, "/api/v1/desktop-profiles", R"({"name":"MatrixOrg1Profile"})");
    ids_[Ids::queue] = created(admin, "/api/v1/queues", R"({"name":"MatrixOrg1Queue"})");
    auto contact =
        call("POST", "/api/v1/demo/contacts", R"({"queueId":)" + ids_[Ids::queue] + "}", admin);
    ASSERT_EQ(contact.status, 201) << contact.body;
    ids_[Ids::contact] = std::to_string(parse(contact.body).at("contact").at("id").as_int64());
    ids_[Ids::sync_account] = "1";  // none exists: both organisations must get 404 alike
  }
  void TearDown() override {
    stop_runtime(runtime_);
    std::filesystem::remove_all(dir_);
  }

  std::string login(const std::string& username) {
    auto r = call("POST", "/api/v1/auth/login",
                  R"({"username":")" + username + R"(","password":"pw"})", "");
    EXPECT_EQ(r.status, 200) << username << ": " << r.body;
    return r.status == 200 ? std::string(parse(r.body).at("token").as_string()) : "";
  }
  std::string created(const std::string& token, const std::string& path, const std::string& body) {
    auto r = call("POST", path, body, token);
    EXPECT_EQ(r.status, 201) << path << ": " << r.body;
    return r.status == 201 ? std::to_string(id_of(r.body)) : "0";
  }
  RawResponse call(const std::string& method, const std::string& target, const std::string& body,
                   const std::string& token) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return http_request(port_, method, target, body, headers);
  }

  // unknown: ids nobody has, to compare another organisation's answer with.
  std::string fill(std::string s, bool unknown = false) const {
    for (const auto& [kind, name] :
         {std::pair{Ids::user, "{user}"}, std::pair{Ids::idle_code, "{idle_code}"},
          std::pair{Ids::queue, "{queue}"}}) {
      s = replace_all(s, name, unknown ? std::string(kUnknownId) : ids_.at(kind));
    }
    return s;
  }
  static constexpr const char* kUnknownId = "987654321";

  // One cell: what identity i gets from route e; a failure names both and the answer.
  void check(const Entry& e, const Identity& i) {
    std::string target = e.pattern;
    const std::string unknown_target = replace_all(target, "{id}", kUnknownId);
    if (e.ids != Ids::none) target = replace_all(target, "{id}", ids_.at(e.ids));
    if (e.policy == Policy::graph_webhook) target += "?validationToken=matrix";
    if (e.policy == Policy::callback) target += "?state=forged&code=x&tenant=x&admin_consent=True";
    std::string token = i.token;
    if (e.fresh_session && !token.empty()) token = login(i.username);

    int status = 0;
    std::string body;
    if (std::string_view(e.method) == "WEBSOCKET") {
      status = websocket_status(port_, token);
    } else {
      auto r = call(e.method, target, fill(e.body), token);
      status = r.status;
      body = r.body;
    }
    const std::string cell = std::string(e.method) + " " + e.pattern + " as " + i.name;
    const bool ok_status = status != 0 && status != 401 && status != 403 && status != 500;
    if (i.token.empty() && needs_session(e.policy)) {
      EXPECT_EQ(status, 401) << cell << ": " << body;
    } else if (!allows(e.policy, i.roles)) {
      EXPECT_EQ(status, 403) << cell << ": " << body;
    } else if (i.other_org && (e.ids != Ids::none || e.body_has_ids) && needs_session(e.policy)) {
      if (e.ids != Ids::none) {
        EXPECT_EQ(status, 404) << cell << ": " << body;
      }
      const std::string& unknown_path = e.ids != Ids::none ? unknown_target : target;
      auto unknown = call(e.method, unknown_path, fill(e.body, true), token);
      EXPECT_EQ(status, unknown.status) << cell << ": " << body << " vs unknown: " << unknown.body;
      // The message may name the id it was given; apart from that, the same words.
      EXPECT_EQ(
          replace_all(replace_all(body, ids_.at(Ids::queue), "?"), ids_.at(Ids::idle_code), "?"),
          replace_all(unknown.body, kUnknownId, "?"))
          << cell;
    } else if (e.policy == Policy::callback) {
      EXPECT_NE(status, 401) << cell << ": " << body;
      EXPECT_NE(status, 500) << cell << ": " << body;
      auto [first, inserted] = callback_status_.emplace(e.pattern, status);
      EXPECT_EQ(status, first->second) << cell << ": the answer depends on the caller";
    } else {
      EXPECT_TRUE(ok_status) << cell << " -> " << status << ": " << body;
    }
    if (i.other_org) {
      EXPECT_EQ(body.find("MatrixOrg1"), std::string::npos)
          << cell << " shows organisation 1: " << body;
    }
  }

  std::filesystem::path dir_ = make_temp_dir("ccteams-matrix");
  std::unique_ptr<cli::Runtime> runtime_;
  std::uint16_t port_ = 0;
  std::vector<Identity> identities_;
  std::map<Ids, std::string> ids_;
  std::map<std::string, int> callback_status_;
};

TEST_F(AuthorizationMatrix, EveryRouteHasAnEntryAndEveryEntryARoute) {
  std::set<std::pair<std::string, std::string>> table;
  for (const auto& e : kMatrix) table.emplace(e.method, e.pattern);
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& r : runtime_->routes()) {
    if (is_console_file(r)) continue;
    served.emplace(r.method, r.pattern);
    EXPECT_TRUE(table.contains({r.method, r.pattern}))
        << r.method << " " << r.pattern
        << " has no entry in the authorization matrix (tests/authorization_matrix_test.cpp): "
           "add one with its policy";
  }
  for (const auto& e : kMatrix) {
    EXPECT_TRUE(served.contains({e.method, e.pattern}))
        << e.method << " " << e.pattern << " is in the matrix but not served";
  }
}

TEST_F(AuthorizationMatrix, EveryRouteAnswersEachCallerAsItsPolicySays) {
  std::vector<const Entry*> order;
  for (const auto& e : kMatrix) {
    if (std::string_view(e.method) != "DELETE") order.push_back(&e);
  }
  for (const auto& e : kMatrix) {
    if (std::string_view(e.method) == "DELETE") order.push_back(&e);
  }
  for (const Entry* e : order) {
    for (const auto& i : identities_) check(*e, i);
  }
  // The console's files: public.
  for (const auto& r : runtime_->routes()) {
    if (!is_console_file(r) || r.method != "GET") continue;
    EXPECT_EQ(call("GET", r.pattern, "", "").status, 200) << r.pattern;
  }
}

}  // namespace
}  // namespace ccteams::testing
