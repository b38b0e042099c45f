// The HTTP server's limits, timeouts and graceful shutdown, on the wire.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "adapters/http/http_server.hpp"
#include "adapters/http/server_test_support.hpp"
#include "adapters/http/sync_handler.hpp"

namespace ccteams::http {
namespace {

using namespace testing;
using Clock = std::chrono::steady_clock;

std::atomic<int> g_slow_started{0};

Router make_router(std::chrono::milliseconds slow_delay) {
  Router router;
  router.add("GET", "/hello", sync_handler([](Request&) {
               return text_response(200, "text/plain", "hello");
             }));
  router.add("POST", "/upload", sync_handler([](Request& req) {
               return text_response(200, "text/plain", std::to_string(req.body.size()));
             }));
  router.add("GET", "/slow", [slow_delay](Request&) -> asio::awaitable<Response> {
    g_slow_started.fetch_add(1);
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(slow_delay);
    co_await timer.async_wait(asio::use_awaitable);
    co_return text_response(200, "text/plain", "slow done");
  });
  return router;
}

bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

bool can_connect(std::uint16_t port) {
  try {
    WireClient probe(port);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

TEST(HttpServerLimits, OversizedBodyIs413AndServerKeepsServing) {
  Router router = make_router(0ms);
  ServerHarness harness(router, ServerOptions{});
  WireClient client(harness.port());
  const std::string body(10 << 20, 'x');
  // The server refuses after the header, then drains what the client keeps sending so the
  // client can read the answer.
  ASSERT_FALSE(client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body, 10s));
  auto r = client.read();
  ASSERT_TRUE(r) << client.error().message();
  EXPECT_EQ(r->result_int(), 413);
  EXPECT_NE(r->body().find(R"("code":"payload_too_large")"), std::string::npos);
  EXPECT_EQ((*r)[bhttp::field::connection], "close");
  EXPECT_TRUE(client.closed_by_peer(3s));

  auto next = fetch(harness.port(), "POST", "/upload", std::string(1000, 'y'));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body(), "1000");
}

TEST(HttpServerLimits, OversizedChunkedBodyIs413) {
  Router router = make_router(0ms);
  ServerOptions o;
  o.body_limit = 1000;
  ServerHarness harness(router, o);
  WireClient client(harness.port());
  const std::string chunk(800, 'z');
  ASSERT_FALSE(client.send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "320\r\n" + chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"));
  auto r = client.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 413);
}

TEST(HttpServerLimits, SilentClientIsClosedAfterHeaderTimeout) {
  Router router = make_router(0ms);
  ServerOptions o;
  o.header_timeout = 200ms;
  ServerHarness harness(router, o);
  WireClient silent(harness.port());
  WireClient half(harness.port());
  ASSERT_FALSE(half.send("GET /hello HTTP/1.1\r\nHost:"));
  const auto start = Clock::now();
  EXPECT_TRUE(silent.closed_by_peer(3s));
  EXPECT_TRUE(half.closed_by_peer(3s));
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 150ms);
  EXPECT_LT(elapsed, 2s);
}

TEST(HttpServerLimits, SlowBodyIsClosedAfterBodyTimeout) {
  Router router = make_router(0ms);
  ServerOptions o;
  o.body_timeout = 200ms;
  ServerHarness harness(router, o);
  WireClient client(harness.port());
  ASSERT_FALSE(client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc"));
  EXPECT_TRUE(client.closed_by_peer(3s));
}

TEST(HttpServerLimits, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  Router router = make_router(0ms);
  ServerOptions o;
  o.idle_timeout = 300ms;
  ServerHarness harness(router, o);
  WireClient client(harness.port());
  ASSERT_TRUE(client.request("GET", "/hello"));
  const auto start = Clock::now();
  EXPECT_TRUE(client.closed_by_peer(3s));
  EXPECT_GE(Clock::now() - start, 250ms);
  EXPECT_TRUE(wait_for([&] { return harness.server().connection_count() == 0; }, 30s));
}

TEST(HttpServerLimits, OversizedHeaderIs400) {
  Router router = make_router(0ms);
  ServerOptions o;
  o.header_limit = 1024;
  ServerHarness harness(router, o);
  auto r = fetch(harness.port(), "GET", "/hello", {}, {{"X-Big", std::string(4096, 'h')}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 400);
}

TEST(HttpServerShutdown, InFlightRequestFinishesAndNewConnectionsAreRefused) {
  Router router = make_router(300ms);
  ServerHarness harness(router, ServerOptions{});
  WireClient idle(harness.port());
  ASSERT_TRUE(idle.request("GET", "/hello"));  // now an idle keep-alive connection

  WireClient busy(harness.port());
  const int started_before = g_slow_started.load();
  ASSERT_FALSE(busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(wait_for([&] { return g_slow_started.load() > started_before; }, 30s));

  const auto start = Clock::now();
  auto done = std::make_shared<std::promise<void>>();
  harness.server().shutdown(5s, [done] { done->set_value(); });

  EXPECT_TRUE(idle.closed_by_peer(2s));  // idle connections go at once
  auto r = busy.read();
  ASSERT_TRUE(r) << busy.error().message();
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(r->body(), "slow done");
  EXPECT_EQ((*r)[bhttp::field::connection], "close");
  EXPECT_TRUE(busy.closed_by_peer(2s));
  ASSERT_EQ(done->get_future().wait_for(30s), std::future_status::ready);
  EXPECT_LT(Clock::now() - start, 3s);  // done when the last connection ended, not at grace
  EXPECT_FALSE(can_connect(harness.port()));
  EXPECT_EQ(harness.server().connection_count(), 0u);
}

TEST(HttpServerShutdown, GraceElapsedForceClosesTheRest) {
  Router router = make_router(10s);
  ServerHarness harness(router, ServerOptions{});
  WireClient busy(harness.port());
  const int started_before = g_slow_started.load();
  ASSERT_FALSE(busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(wait_for([&] { return g_slow_started.load() > started_before; }, 30s));
  const auto start = Clock::now();
  EXPECT_TRUE(harness.shutdown_and_wait(200ms, 3s));
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_TRUE(busy.closed_by_peer(2s));
}

TEST(HttpServerShutdown, WithoutConnectionsDoneComesAtOnce) {
  Router router = make_router(0ms);
  ServerHarness harness(router, ServerOptions{});
  const auto start = Clock::now();
  EXPECT_TRUE(harness.shutdown_and_wait(5s, 2s));
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_TRUE(harness.shutdown_and_wait(5s, 2s));  // a second call only adds its callback
}

}  // namespace
}  // namespace ccteams::http
