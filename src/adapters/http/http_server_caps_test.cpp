// The HTTP server's connection caps (issue 23): total and per client address, on the wire.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <thread>

#include "adapters/http/http_server.hpp"
#include "adapters/http/request_metrics.hpp"
#include "adapters/http/server_test_support.hpp"
#include "adapters/http/sync_handler.hpp"
#include "app/metrics.hpp"

namespace ccteams::http {
namespace {

using namespace testing;
using SteadyClock = std::chrono::steady_clock;

// Polls until condition holds (returns as soon as it does) or 30 s have passed.
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = SteadyClock::now() + 30s;
  while (SteadyClock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

Router hello_router() {
  Router router;
  router.add("GET", "/hello",
             sync_handler([](Request&) { return text_response(200, "text/plain", "hello"); }));
  return router;
}

// A client that holds its connection open and proves the server serves it.
std::unique_ptr<WireClient> served_client(std::uint16_t port, const std::string& source = {}) {
  auto c = std::make_unique<WireClient>(port, source);
  auto r = c->request("GET", "/hello");
  if (!r || r->body() != "hello") return nullptr;
  return c;
}

bool refused(std::uint16_t port, const std::string& source = {}) {
  WireClient c(port, source);
  return c.closed_by_peer(30s);
}

std::uint64_t refused_count(Metrics& m, const char* reason) {
  return m.counter("http_connections_refused_total", "", {{"reason", reason}}).value();
}

TEST(HttpServerCaps, ConnectionsBeyondTheTotalCapAreClosedAtOnceAndCounted) {
  Router router = hello_router();
  Metrics metrics;
  ServerOptions o;
  o.metrics = server_metrics(metrics);
  o.max_connections = 3;
  o.header_timeout = 60s;  // a refused client is closed at once, never by this timeout
  ServerHarness harness(router, o);
  std::vector<std::unique_ptr<WireClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(served_client(harness.port(), "127.0.0." + std::to_string(i + 2)));
    ASSERT_TRUE(held.back()) << "client " << i;
  }
  EXPECT_TRUE(refused(harness.port(), "127.0.0.9"));
  EXPECT_EQ(refused_count(metrics, "total"), 1u);
  EXPECT_EQ(harness.server().connection_count(), 3u);
  // A slot that frees up is usable again.
  held.pop_back();
  ASSERT_TRUE(eventually([&] { return harness.server().connection_count() == 2; }));
  EXPECT_TRUE(served_client(harness.port(), "127.0.0.9"));
}

TEST(HttpServerCaps, OneAddressCannotTakeMoreThanItsShare) {
  Router router = hello_router();
  Metrics metrics;
  ServerOptions o;
  o.metrics = server_metrics(metrics);
  o.max_connections = 100;
  o.max_connections_per_address = 2;
  o.header_timeout = 60s;
  ServerHarness harness(router, o);
  auto a1 = served_client(harness.port(), "127.0.0.2");
  auto a2 = served_client(harness.port(), "127.0.0.2");
  ASSERT_TRUE(a1 && a2);
  EXPECT_TRUE(refused(harness.port(), "127.0.0.2"));
  EXPECT_EQ(refused_count(metrics, "per_address"), 1u);
  EXPECT_EQ(refused_count(metrics, "total"), 0u);
  // Another address is not affected.
  auto b1 = served_client(harness.port(), "127.0.0.3");
  EXPECT_TRUE(b1);
  // The address gets its slot back when one of its connections ends.
  a1.reset();
  ASSERT_TRUE(eventually([&] { return harness.server().connection_count() == 2; }));
  EXPECT_TRUE(served_client(harness.port(), "127.0.0.2"));
}

}  // namespace
}  // namespace ccteams::http
