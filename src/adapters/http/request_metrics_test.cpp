#include "adapters/http/request_metrics.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "adapters/http/prometheus_text.hpp"
#include "app/metrics.hpp"

namespace ccteams::http {
namespace {

TEST(RequestMetrics, CountsPerMethodRouteAndStatusAndTimesPerMethodRoute) {
  Metrics metrics;
  RequestMetrics rm(metrics);
  rm.record("GET", "/api/v1/users", 200, 0.002);
  rm.record("GET", "/api/v1/users", 200, 0.004);
  rm.record("GET", "/api/v1/users", 404, 0.001);
  rm.record("POST", "/api/v1/users", 201, 0.003);

  EXPECT_EQ(metrics
                .counter("http_requests_total", "",
                         {{"method", "GET"}, {"route", "/api/v1/users"}, {"status", "200"}})
                .value(),
            2u);
  EXPECT_EQ(metrics
                .counter("http_requests_total", "",
                         {{"method", "GET"}, {"route", "/api/v1/users"}, {"status", "404"}})
                .value(),
            1u);
  const auto snap = metrics
                        .histogram("http_request_duration_seconds", "",
                                   Metrics::default_latency_buckets(),
                                   {{"method", "GET"}, {"route", "/api/v1/users"}})
                        .snapshot();
  EXPECT_EQ(snap.count, 3u);
  EXPECT_NEAR(snap.sum, 0.007, 1e-9);
  const std::string text = prometheus_text(metrics);
  EXPECT_NE(text.find(R"(http_requests_total{method="POST",route="/api/v1/users",status="201"} 1)"),
            std::string::npos)
      << text;
}

// The caller's strings may be temporaries: the cache must keep its own copies.
TEST(RequestMetrics, KeepsNoReferenceToTheCallersStrings) {
  Metrics metrics;
  RequestMetrics rm(metrics);
  for (int i = 0; i < 3; ++i) {
    std::string method = "GET";
    std::string route = "/r/" + std::to_string(i % 2);
    rm.record(method, route, 200, 0.001);
    method.assign("XXX");
    route.assign("garbage-garbage-garbage");
  }
  EXPECT_EQ(metrics.counter("http_requests_total", "",
                            {{"method", "GET"}, {"route", "/r/0"}, {"status", "200"}})
                .value(),
            2u);
  EXPECT_EQ(metrics.counter("http_requests_total", "",
                            {{"method", "GET"}, {"route", "/r/1"}, {"status", "200"}})
                .value(),
            1u);
}

TEST(RequestMetrics, ConcurrentRecordsAreAllCounted) {
  Metrics metrics;
  RequestMetrics rm(metrics);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&rm, t] {
      for (int i = 0; i < kPerThread; ++i) rm.record("GET", t % 2 ? "/a" : "/b", 200, 0.0001);
    });
  }
  for (auto& th : threads) th.join();
  const Counter& a = metrics.counter("http_requests_total", "",
                                 {{"method", "GET"}, {"route", "/a"}, {"status", "200"}});
  const Counter& b = metrics.counter("http_requests_total", "",
                                 {{"method", "GET"}, {"route", "/b"}, {"status", "200"}});
  EXPECT_EQ(a.value() + b.value(), std::uint64_t{kThreads} * kPerThread);
}

}  // namespace
}  // namespace ccteams::http
