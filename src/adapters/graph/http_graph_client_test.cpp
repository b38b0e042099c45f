// HttpGraphClient against a scripted Graph + Entra on 127.0.0.1 (the project's HTTP server).
#include "adapters/graph/http_graph_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <deque>
#include <mutex>
#include <optional>

#include "adapters/http/http_client.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/server_test_support.hpp"
#include "adapters/http/sync_handler.hpp"
#include "app/testing/fake_clock.hpp"


namespace ccteams::graph {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Scripted answers per route, and a record of what arrived. Shared with the server threads.
class FakeMicrosoft {
 public:
  struct Seen {
    std::string method, target, authorization, consistency, content_type, body;
  };
  void script(const std::string& path, http::Response r) {
    std::lock_guard lock(mutex_);
    scripts_[path].push_back(std::move(r));
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  http::Router router() {
    http::Router r;
    for (const char* m : {"GET", "POST", "PATCH", "DELETE"}) {
      r.add(m, "/{tenant}/oauth2/v2.0/token", answer());
      r.add(m, "/v1.0/users", answer());
      r.add(m, "/v1.0/users/delta", answer());
      r.add(m, "/v1.0/communications/getPresencesByUserId", answer());
      r.add(m, "/v1.0/subscriptions", answer());
    }
    return r;
  }

 private:
  http::Handler answer() {
    return http::sync_handler([this](http::Request& req) {
      std::lock_guard lock(mutex_);
      seen_.push_back({req.method, req.target, std::string(req.header("authorization")),
                       std::string(req.header("consistencylevel")),
                       std::string(req.header("content-type")), req.body});
      auto& queue = scripts_[req.path];
      if (queue.empty()) return http::text_response(599, "text/plain", "unscripted");
      auto r = std::move(queue.front());
      queue.pop_front();
      return r;
    });
  }
  std::mutex mutex_;
  std::map<std::string, std::deque<http::Response>> scripts_;
  std::vector<Seen> seen_;
};

http::Response json(int status, std::string body) {
  return http::text_response(status, "application/json", std::move(body));
}

constexpr const char* kToken =
    R"({"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"app-token-1"})";
constexpr const char* kToken2 =
    R"({"token_type":"Bearer","expires_in":3599,"access_token":"app-token-2"})";

class HttpGraphClientTest : public ::testing::Test {
 protected:
  HttpGraphClientTest()
      : router_(fake_.router()),
        server_(router_, http::ServerOptions{}),
        http_(ioc_, ClientOptions{}),
        clock_(from_unix_millis(1795508735000)) {
    GraphClientConfig config;
    config.login_base = "http://127.0.0.1:" + std::to_string(server_.port());
    config.graph_base = config.login_base + "/v1.0";
    config.client_id = "11111111-2222-3333-4444-555555555555";
    config.client_secret = "top-secret";
    config.random = [] { return 0.0; };  // zero jitter: retries without waiting
    client_ = std::make_unique<HttpGraphClient>(http_, clock_, config);
  }

  // Runs task on ioc_ in this thread until it completes (GraphResult has no default state,
  // so co_spawn's use_future cannot carry it).
  template <class T>
  static asio::awaitable<void> store(asio::awaitable<T> task, std::optional<T>& out) {
    out.emplace(co_await std::move(task));
  }
  template <class T>
  T run(asio::awaitable<T> task) {
    std::optional<T> out;
    bool done = false;
    std::exception_ptr failure;
    asio::co_spawn(ioc_, store(std::move(task), out), [&](std::exception_ptr e) {
      failure = e;
      done = true;
    });
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done) {
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("timed out");
      ioc_.restart();
      ioc_.run_for(20ms);
    }
    if (failure) std::rethrow_exception(failure);
    return std::move(*out);
  }

  std::string base() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }

  FakeMicrosoft fake_;
  http::Router router_;
  http::testing::ServerHarness server_;
  asio::io_context ioc_;
  HttpClient http_;
  FakeClock clock_;
  std::unique_ptr<HttpGraphClient> client_;
};

TEST_F(HttpGraphClientTest, ListUsersGetsAnAppTokenOnceAndFollowsNextLinkVerbatim) {
  fake_.script("/tenant-a/oauth2/v2.0/token", json(200, kToken));
  const std::string next = base() + "/v1.0/users?$skiptoken=RFNwdAIAAQAAAD8";
  fake_.script("/v1.0/users", json(200, R"({"@odata.nextLink":")" + next +
                                            R"(","value":[{"id":"u1","department":"Retail"}]})"));
  fake_.script("/v1.0/users", json(200, R"({"value":[{"id":"u2"}]})"));

  auto first = run(client_->list_users("tenant-a", 100));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->users[0].department, "Retail");
  ASSERT_EQ(first->next_link, next);
  auto second = run(client_->users_page("tenant-a", *first->next_link));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->users[0].id, "u2");

  const auto seen = fake_.seen();
  ASSERT_EQ(seen.size(), 3u);  // one token request serves both pages
  EXPECT_EQ(seen[0].content_type, "application/x-www-form-urlencoded");
  EXPECT_NE(seen[0].body.find("grant_type=client_credentials"), std::string::npos);
  EXPECT_NE(seen[1].target.find("$select=id,displayName,givenName,surname,mail,userPrincipalName,"
                                "jobTitle,department,businessPhones,accountEnabled"),
            std::string::npos);
  EXPECT_EQ(seen[1].authorization, "Bearer app-token-1");
  EXPECT_EQ(seen[1].consistency, "eventual");
  EXPECT_EQ(seen[2].target, "/v1.0/users?$skiptoken=RFNwdAIAAQAAAD8");
}

TEST_F(HttpGraphClientTest, RefusesALinkToAnotherOriginWithoutSendingTheToken) {
  auto r = run(client_->users_page("tenant-a", "https://evil.example.com/v1.0/users?$skiptoken=x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, GraphErrorKind::invalid_request);
  EXPECT_TRUE(fake_.seen().empty());
}

TEST_F(HttpGraphClientTest, TooManyRequestsIsRetriedAfterRetryAfter) {
  fake_.script("/tenant-a/oauth2/v2.0/token", json(200, kToken));
  auto throttled = json(429, R"({"error":{"code":"TooManyRequests","message":"Too many requests"}})");
  throttled.set_header("Retry-After", "0");
  fake_.script("/v1.0/communications/getPresencesByUserId", throttled);
  fake_.script("/v1.0/communications/getPresencesByUserId",
               json(200, R"({"value":[{"id":"u1","availability":"Busy","activity":"InACall"}]})"));
  auto r = run(client_->get_presences("tenant-a", {"u1"}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)[0].activity, "InACall");
  const auto seen = fake_.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].body, R"({"ids":["u1"]})");
}

TEST_F(HttpGraphClientTest, GraphErrorsAreTypedAndFourHundredsAreNotRetried) {
  fake_.script("/tenant-a/oauth2/v2.0/token", json(200, kToken));
  fake_.script("/v1.0/users/delta", json(403, R"({"error":{"code":"Authorization_RequestDenied",
      "message":"Insufficient privileges to complete the operation.",
      "innerError":{"date":"2026-11-24T08:25:35","request-id":"req-1"}}})"));
  auto r = run(client_->users_delta_start("tenant-a"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, GraphErrorKind::forbidden);
  EXPECT_EQ(r.error().code, "Authorization_RequestDenied");
  EXPECT_EQ(r.error().request_id, "req-1");
  EXPECT_EQ(r.error().to_error().code, Errc::forbidden);
  const auto seen = fake_.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].target, "/v1.0/users/delta?$select=" + std::string(HttpGraphClient::kUserSelect));
}

TEST_F(HttpGraphClientTest, ServerErrorsAreRetriedThenReported) {
  fake_.script("/tenant-a/oauth2/v2.0/token", json(200, kToken));
  for (int i = 0; i < 4; ++i) {
    fake_.script("/v1.0/users", json(503, R"({"error":{"code":"serviceNotAvailable","message":"x"}})"));
  }
  auto r = run(client_->list_users("tenant-a", 50));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, GraphErrorKind::unavailable);
  EXPECT_EQ(fake_.seen().size(), 5u);  // token + max_attempts (4)
}

TEST_F(HttpGraphClientTest, EntraRefusalCarriesTheAadstsCode) {
  fake_.script("/tenant-a/oauth2/v2.0/token",
               json(401, R"({"error":"invalid_client","error_description":"AADSTS7000222: The provided client secret keys are expired.","error_codes":[7000222],"trace_id":"t1","correlation_id":"c1"})"));
  auto r = run(client_->app_token("tenant-a"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, GraphErrorKind::unauthorized);
  EXPECT_TRUE(r.error().has_aadsts(7000222));
  EXPECT_EQ(r.error().to_error().message.find("top-secret"), std::string::npos);
}

TEST_F(HttpGraphClientTest, ARejectedCachedTokenIsReplacedOnce) {
  fake_.script("/tenant-a/oauth2/v2.0/token", json(200, kToken));
  fake_.script("/tenant-a/oauth2/v2.0/token", json(200, kToken2));
  fake_.script("/v1.0/users", json(401, R"({"error":{"code":"InvalidAuthenticationToken","message":"expired"}})"));
  fake_.script("/v1.0/users", json(200, R"({"value":[]})"));
  auto r = run(client_->list_users("tenant-a", 10));
  ASSERT_TRUE(r) << r.error().message;
  const auto seen = fake_.seen();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[1].authorization, "Bearer app-token-1");
  EXPECT_EQ(seen[3].authorization, "Bearer app-token-2");
}

TEST_F(HttpGraphClientTest, TokensAreRefreshedAheadOfExpiry) {
  fake_.script("/tenant-a/oauth2/v2.0/token", json(200, kToken));
  fake_.script("/tenant-a/oauth2/v2.0/token", json(200, kToken2));
  fake_.script("/v1.0/users", json(200, R"({"value":[]})"));
  fake_.script("/v1.0/users", json(200, R"({"value":[]})"));
  ASSERT_TRUE(run(client_->list_users("tenant-a", 10)));
  clock_.advance(std::chrono::seconds{3599 - 299});  // inside the 5-minute margin
  ASSERT_TRUE(run(client_->list_users("tenant-a", 10)));
  const auto seen = fake_.seen();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[3].authorization, "Bearer app-token-2");
}

TEST_F(HttpGraphClientTest, SubscriptionCreateUsesTheDelegatedTokenAndIsNotRetriedOnFiveHundred) {
  fake_.script("/v1.0/subscriptions", json(500, R"({"error":{"code":"generalException","message":"x"}})"));
  SubscriptionRequest req;
  req.presence_user_ids = {"u1"};
  req.notification_url = "https://cc.example.com/webhooks/graph/notifications";
  req.expiration = clock_.now() + std::chrono::minutes{55};
  auto r = run(client_->create_subscription("tenant-a", "delegated-token", req));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, GraphErrorKind::unavailable);
  const auto seen = fake_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].authorization, "Bearer delegated-token");
  EXPECT_EQ(seen[0].content_type, "application/json");
}

TEST_F(HttpGraphClientTest, PresenceBatchesOverSixHundredFiftyAreRefusedLocally) {
  auto r = run(client_->get_presences("tenant-a", std::vector<std::string>(651, "u")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, GraphErrorKind::invalid_request);
  EXPECT_TRUE(fake_.seen().empty());
}

}  // namespace
}  // namespace ccteams::graph
