#include "adapters/http/internal_forwarder.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "adapters/http/http_client.hpp"
#include "adapters/http/server_test_support.hpp"
#include "app/ports/org_ownership.hpp"

namespace ccteams::http {
namespace {

using namespace std::chrono_literals;
using testing::fetch;
using testing::ServerHarness;

constexpr std::int64_t kNow = 1'800'000'000'000;
const std::string kKey(32, 'k');

// The outgoing client's own I/O thread.
struct ClientThread {
  boost::asio::io_context ioc;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
      ioc.get_executor()};
  HttpClient client{ioc, ClientOptions{}};
  std::thread thread{[this] { ioc.run(); }};
  ~ClientThread() {
    work.reset();
    thread.join();
  }
};

std::shared_ptr<InternalForwarder> forwarder(HttpClient& client, std::string owner_url,
                                             std::atomic<int>* lookups = nullptr,
                                             std::string key = kKey) {
  auto lookup = [owner_url, lookups](std::int64_t) -> boost::asio::awaitable<
                                                       Result<std::optional<std::string>>> {
    if (lookups != nullptr) ++*lookups;
    if (owner_url.empty()) co_return std::optional<std::string>{};
    co_return std::optional<std::string>{owner_url};
  };
  return std::make_shared<InternalForwarder>(
      client, std::move(lookup), [] { return kNow; },
      InternalChannelOptions{std::move(key), 2000ms, 10'000ms, 1000ms});
}

Request request(std::vector<Header> headers, std::string body = R"({"a":1})") {
  Request r;
  r.method = "POST";
  r.target = "/api/v1/me/session?x=1";
  r.path = "/api/v1/me/session";
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(InternalForwarder, OnlyAFreshMacUnderTheSharedKeyVouchesForTheClientAddress) {
  ClientThread t;
  auto f = forwarder(t.client, "");
  auto other = forwarder(t.client, "", nullptr, std::string(32, 'x'));
  const auto good = f->sign("POST", "/api/v1/me/session?x=1", R"({"a":1})", "203.0.113.9", kNow);
  auto without = [&](std::string_view name) {
    std::vector<Header> h;
    for (const auto& g : good) {
      if (g.name != name) h.push_back(g);
    }
    return h;
  };
  auto with = [&](std::string_view name, std::string value) {
    auto h = good;
    for (auto& g : h) {
      if (g.name == name) g.value = value;
    }
    return h;
  };
  struct Case {
    const char* what;
    Request req;
    std::optional<Errc> refused;  // nullopt: accepted
  };
  const Case cases[] = {
      {"signed", request(good), std::nullopt},
      {"no MAC", request(without(kForwardedMacHeader)), Errc::unauthenticated},
      {"another client", request(with(kForwardedClientHeader, "198.51.100.1")), Errc::forbidden},
      {"another body", request(good, R"({"a":2})"), Errc::forbidden},
      {"forged MAC", request(with(kForwardedMacHeader, std::string(64, '0'))), Errc::forbidden},
      {"another key",
       request(other->sign("POST", "/api/v1/me/session?x=1", R"({"a":1})", "203.0.113.9", kNow)),
       Errc::forbidden},
      {"stale",
       request(f->sign("POST", "/api/v1/me/session?x=1", R"({"a":1})", "203.0.113.9",
                       kNow - 10'001)),
       Errc::forbidden},
      {"from the future",
       request(f->sign("POST", "/api/v1/me/session?x=1", R"({"a":1})", "203.0.113.9",
                       kNow + 10'001)),
       Errc::forbidden},
  };
  for (const Case& c : cases) {
    auto r = f->verify(c.req);
    if (!c.refused) {
      ASSERT_TRUE(r) << c.what << ": " << r.error().message;
      EXPECT_EQ(r->value_or(""), "203.0.113.9") << c.what;
    } else {
      ASSERT_FALSE(r) << c.what;
      EXPECT_EQ(r.error().code, *c.refused) << c.what << ": " << r.error().message;
    }
  }
  // An ordinary request carries none of the headers: nothing to check.
  auto plain = f->verify(request({}));
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->has_value());
}

// Two servers in one process: "front" does not serve organisation 7 and forwards; "owner" does.
struct TwoInstances : ::testing::Test {
  ClientThread t;
  std::atomic<int> owner_lookups{0};
  Router owner_router;
  Router front_router;
  std::unique_ptr<ServerHarness> owner;
  std::unique_ptr<ServerHarness> front;

  void start(std::string owner_url_override = {}) {
    // The owner says who it believes the client is, or that the organisation moved meanwhile.
    owner_router.add("POST", "/api/v1/me/session", [](Request& req) -> boost::asio::awaitable<Response> {
      Response r = text_response(200, "text/plain", req.remote_address + " " + req.body);
      r.set_header("X-Owner", "yes");
      co_return r;
    });
    owner_router.add("GET", "/moved", [](Request&) -> boost::asio::awaitable<Response> {
      co_return error_response(org_elsewhere(OrgId{7}));
    });
    for (const char* path : {"/api/v1/me/session", "/moved"}) {
      front_router.add(path == std::string("/moved") ? "GET" : "POST", path,
                       [](Request&) -> boost::asio::awaitable<Response> {
                         co_return error_response(org_elsewhere(OrgId{7}));
                       });
    }
    ServerOptions oo;
    oo.forwarder = forwarder(t.client, "http://127.0.0.1:1", &owner_lookups);
    owner = std::make_unique<ServerHarness>(owner_router, std::move(oo));
    ServerOptions fo;
    fo.forwarder = forwarder(t.client, owner_url_override.empty()
                                           ? "http://127.0.0.1:" + std::to_string(owner->port())
                                           : owner_url_override);
    front = std::make_unique<ServerHarness>(front_router, std::move(fo));
  }
};

TEST_F(TwoInstances, ARequestRefusedAsOrgElsewhereIsAnsweredByTheOwner) {
  start();
  testing::WireClient client(front->port(), "127.0.0.2");
  auto r = client.request("POST", "/api/v1/me/session", R"({"a":1})",
                          {{"Content-Type", "application/json"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200) << r->body();
  // The owner took the client's address from the MAC, not its peer (the front, 127.0.0.1).
  EXPECT_EQ(r->body(), R"(127.0.0.2 {"a":1})");
  EXPECT_EQ((*r)["X-Owner"], "yes");
  EXPECT_EQ((*r)[kOrgElsewhereHeader], "");
}

TEST_F(TwoInstances, AForwardedRequestIsNeverForwardedAgain) {
  start();
  auto r = fetch(front->port(), "GET", "/moved");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 503);
  EXPECT_NE(r->body().find("\"org_elsewhere\""), std::string::npos) << r->body();
  EXPECT_EQ((*r)["Retry-After"], "1");
  EXPECT_EQ((*r)[kOrgElsewhereHeader], "");
  EXPECT_EQ(owner_lookups.load(), 0);
}

TEST_F(TwoInstances, ForgedInternalHeadersAreRefusedBeforeAnyHandler) {
  start();
  auto absent = fetch(owner->port(), "POST", "/api/v1/me/session", "{}",
                      {{"Content-Type", "application/json"},
                       {"X-Ccteams-Forwarded-Client", "10.9.9.9"}});
  ASSERT_TRUE(absent);
  EXPECT_EQ(absent->result_int(), 401);
  auto forged = fetch(owner->port(), "POST", "/api/v1/me/session", "{}",
                      {{"Content-Type", "application/json"},
                       {"X-Ccteams-Forwarded-Client", "10.9.9.9"},
                       {"X-Ccteams-Forwarded-At", std::to_string(kNow)},
                       {"X-Ccteams-Forwarded-Mac", std::string(64, 'a')}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->result_int(), 403);
  EXPECT_EQ((*forged)["X-Owner"], "");
}

TEST_F(TwoInstances, AnOwnerThatDoesNotAnswerLeavesTheClientWithOrgElsewhere) {
  start("http://127.0.0.1:1");  // nothing listens there
  const auto began = std::chrono::steady_clock::now();
  auto r = fetch(front->port(), "POST", "/api/v1/me/session", "{}",
                 {{"Content-Type", "application/json"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 503);
  EXPECT_NE(r->body().find("\"org_elsewhere\""), std::string::npos) << r->body();
  EXPECT_EQ((*r)["Retry-After"], "1");
  EXPECT_LT(std::chrono::steady_clock::now() - began, 2s);
}

}  // namespace
}  // namespace ccteams::http
