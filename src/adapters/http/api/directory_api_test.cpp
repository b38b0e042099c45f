// The directory routes on a real server: authentication and roles (search for any role of the
// org, sync for admins), query validation, the JSON of results with and without
// showUserDetails, and the on-demand sync's report.
#include "adapters/http/api/directory_api.hpp"

#include <gtest/gtest.h>

#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>

#include "adapters/crypto/crypto_token_source.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/server_test_support.hpp"
#include "adapters/store/sqlite_store.hpp"
#include "app/directory_service.hpp"
#include "app/org_actors.hpp"
#include "app/system_clock.hpp"
#include "app/testing/fake_directory_graph.hpp"
#include "app/testing/fakes.hpp"
#include "app/testing/in_memory_directory_store.hpp"
#include "app/testing/test_store.hpp"
#include "app/testing/run_awaitable.hpp"
#include "app/testing/simulated_time.hpp"
#include "app/user_service.hpp"

namespace ccteams::http {
namespace {

namespace json = boost::json;

TeamsUser teams_user(const std::string& id, const std::string& given, const std::string& surname,
                     std::vector<std::string> phones) {
  TeamsUser u;
  u.id = id;
  u.display_name = given + " " + surname;
  u.given_name = given;
  u.surname = surname;
  u.mail = given + "@contoso.example";
  u.user_principal_name = u.mail;
  u.department = "Billing";
  u.job_title = "Billing Lead";
  u.business_phones = std::move(phones);
  return u;
}

class DirectoryApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SqliteStore::open(":memory:");
    ASSERT_TRUE(s);
    sqlite_ = std::move(*s);
    auth_ = std::make_unique<AuthService>(*sqlite_, hasher_, tokens_, clock_, AuthOptions{});
    users_ = std::make_unique<UserService>(*sqlite_, workers_, hasher_, clock_, 1);
    org_ = ccteams::testing::run_awaitable(users_->ensure_org("Contoso"))->id;
    ASSERT_TRUE(ccteams::testing::run_awaitable(
        users_->create(org_, NewUser{"ann", "pw", "Ann", RoleSet{Role::agent}})));
    ASSERT_TRUE(ccteams::testing::run_awaitable(
        users_->create(org_, NewUser{"sue", "pw", "Sue", RoleSet{Role::supervisor}})));
    ASSERT_TRUE(ccteams::testing::run_awaitable(
        users_->create(org_, NewUser{"root", "pw", "Root", RoleSet{Role::admin}})));
    std::vector<DirectoryUser> rows = {
        make_directory_user(teams_user("u1", "Bea", "Stone", {"+1 425 555 0101"})),
        make_directory_user(teams_user("u2", "Cal", "Stone", {})),
    };
    ASSERT_TRUE(mirror_.replace_all(org_, rows, {"tid", "delta:0:0", clock_.now(), 2}));
    directory_ = std::make_unique<DirectoryService>(
        actors_, mirror_port_, graph_, clock_, scheduler_,
        [this](OrgId) -> boost::asio::awaitable<Result<ActiveConnector>> {
          co_return ActiveConnector{"tid", show_details_.load(), true, {}};
        },
        [this]() -> boost::asio::awaitable<Result<std::vector<OrgId>>> {
          co_return std::vector<OrgId>{org_};
        });
    ctx_ = std::make_unique<DirectoryApiContext>(DirectoryApiContext{*auth_, *directory_});
    register_directory_routes(router_, *ctx_);
    harness_ = std::make_unique<testing::ServerHarness>(router_, ServerOptions{});
  }
  // The members go in reverse order of declaration, the directory before the strands' thread:
  // first no request in flight, then nothing running on an organisation's strand (a search's
  // coroutine may still be finishing there after its answer was sent).
  void TearDown() override {
    harness_.reset();
    actor_threads_.stop();
    actor_threads_.join();
  }

  std::string token(const std::string& user) {
    return ccteams::testing::run_awaitable(auth_->login(user, "pw", "t", workers_))->token;
  }
  testing::ClientResponse get(const std::string& target, const std::string& user) {
    std::vector<std::pair<std::string, std::string>> h;
    if (!user.empty()) h.push_back({"Authorization", "Bearer " + token(user)});
    auto r = testing::fetch(harness_->port(), "GET", target, {}, h);
    EXPECT_TRUE(r);
    return r ? *r : testing::ClientResponse{};
  }
  testing::ClientResponse post(const std::string& target, const std::string& user) {
    auto r = testing::fetch(harness_->port(), "POST", target, {},
                            {{"Authorization", "Bearer " + token(user)}});
    EXPECT_TRUE(r);
    return r ? *r : testing::ClientResponse{};
  }

  std::unique_ptr<SqliteStore> sqlite_;
  ccteams::testing::PlainHasher hasher_;
  CryptoTokenSource tokens_;
  ccteams::testing::InlineWorkers workers_;
  SystemClock clock_;
  std::unique_ptr<AuthService> auth_;
  std::unique_ptr<UserService> users_;
  OrgId org_;
  ccteams::testing::InMemoryDirectoryStore mirror_;
  // Its jobs run on the organisation's strand (one thread): the in-memory store is not shared.
  ccteams::testing::TestStore mirror_port_{ccteams::testing::TestStores{.directory = &mirror_}};
  ccteams::testing::FakeDirectoryGraph graph_;
  // The organisations' strands run here, apart from the server's threads.
  boost::asio::thread_pool actor_threads_{1};
  OrgActors actors_{actor_threads_.get_executor()};
  // The schedule is not started here: time never moves.
  ccteams::testing::SimulatedTime scheduler_{from_unix_millis(1'790'000'000'000)};
  std::atomic<bool> show_details_{true};
  std::unique_ptr<DirectoryService> directory_;
  std::unique_ptr<DirectoryApiContext> ctx_;
  Router router_;
  std::unique_ptr<testing::ServerHarness> harness_;
};

TEST_F(DirectoryApiTest, EveryRoleOfTheOrgSearchesWithPresenceAndDialability) {
  EXPECT_EQ(get("/api/v1/directory/teams-users?q=stone", "").result_int(), 401);
  for (const char* who : {"ann", "sue", "root"}) {
    auto r = get("/api/v1/directory/teams-users?q=stone", who);
    ASSERT_EQ(r.result_int(), 200) << who << " " << r.body();
  }
  auto r = get("/api/v1/directory/teams-users?q=stone&limit=1", "ann");
  const json::value body = json::parse(r.body());
  ASSERT_EQ(body.at("items").as_array().size(), 1u);
  EXPECT_EQ(body.at("total"), 2);
  EXPECT_EQ(body.at("showUserDetails"), true);
  const auto& first = body.at("items").at(0);
  EXPECT_EQ(first.at("id"), "u1");
  EXPECT_EQ(first.at("phone"), "+14255550101");
  EXPECT_EQ(first.at("dialable"), true);
  EXPECT_EQ(first.at("department"), "Billing");
  EXPECT_EQ(first.at("presence").at("availability"), "Available");
  ASSERT_TRUE(body.at("nextCursor").is_string());
  auto next = get("/api/v1/directory/teams-users?q=stone&limit=1&cursor=" +
                      std::string(body.at("nextCursor").as_string()),
                  "ann");
  const json::value second = json::parse(next.body());
  EXPECT_EQ(second.at("items").at(0).at("id"), "u2");
  EXPECT_EQ(second.at("items").at(0).at("dialable"), false);
  EXPECT_EQ(second.at("items").at(0).at("dialability"), "missing");
  EXPECT_TRUE(second.at("items").at(0).at("notDialableReason").is_string());
  EXPECT_TRUE(second.at("nextCursor").is_null());
}

TEST_F(DirectoryApiTest, BadQueriesAre400) {
  EXPECT_EQ(get("/api/v1/directory/teams-users?q=stone&limit=0", "ann").result_int(), 400);
  EXPECT_EQ(get("/api/v1/directory/teams-users?q=stone&limit=x", "ann").result_int(), 400);
  EXPECT_EQ(get("/api/v1/directory/teams-users", "ann").result_int(), 400);  // nothing to search
  EXPECT_EQ(get("/api/v1/directory/teams-users?q=stone&cursor=bogus", "ann").result_int(), 400);
}

TEST_F(DirectoryApiTest, GateOffShowsNoPresenceNorDetails) {
  show_details_ = false;
  auto r = get("/api/v1/directory/teams-users?q=stone", "ann");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  const json::value body = json::parse(r.body());
  EXPECT_EQ(body.at("showUserDetails"), false);
  for (const auto& item : body.at("items").as_array()) {
    EXPECT_FALSE(item.as_object().contains("presence"));
    EXPECT_FALSE(item.as_object().contains("department"));
    EXPECT_FALSE(item.as_object().contains("jobTitle"));
  }
  EXPECT_EQ(get("/api/v1/directory/teams-users?q=stone&department=Billing", "ann").result_int(),
            400);
  EXPECT_EQ(graph_.presence_calls, 0);
}

TEST_F(DirectoryApiTest, OnDemandSyncIsForAdmins) {
  EXPECT_EQ(post("/api/v1/directory/teams-users/sync", "ann").result_int(), 403);
  EXPECT_EQ(post("/api/v1/directory/teams-users/sync", "sue").result_int(), 403);
  auto r = post("/api/v1/directory/teams-users/sync", "root");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  const json::value body = json::parse(r.body());
  EXPECT_EQ(body.at("full"), false);
  EXPECT_EQ(body.at("users"), 2);
}

}  // namespace
}  // namespace ccteams::http
