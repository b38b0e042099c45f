#include "app/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace ccteams {
namespace {

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(Metrics, CounterRendersHelpTypeAndLabels) {
  Metrics m;
  m.counter("jobs_total", "Jobs done", {{"kind", "a"}}).inc();
  m.counter("jobs_total", "ignored later help", {{"kind", "a"}}).inc(2);
  m.counter("jobs_total", "", {{"kind", "b"}}).inc();
  const auto text = m.render();
  EXPECT_TRUE(contains(text, "# HELP jobs_total Jobs done\n# TYPE jobs_total counter\n")) << text;
  EXPECT_TRUE(contains(text, "jobs_total{kind=\"a\"} 3\n")) << text;
  EXPECT_TRUE(contains(text, "jobs_total{kind=\"b\"} 1\n")) << text;
}

TEST(Metrics, SameNameAndLabelsGiveTheSameObject) {
  Metrics m;
  auto& a = m.counter("c", "h", {{"x", "1"}});
  auto& b = m.counter("c", "h", {{"x", "1"}});
  EXPECT_EQ(&a, &b);
  auto& g1 = m.gauge("g", "h");
  auto& g2 = m.gauge("g", "h");
  EXPECT_EQ(&g1, &g2);
}

TEST(Metrics, GaugeWithoutLabels) {
  Metrics m;
  auto& g = m.gauge("queue_depth", "Waiting items");
  g.set(5);
  g.add(-1.5);
  EXPECT_EQ(g.value(), 3.5);
  EXPECT_TRUE(contains(m.render(), "# TYPE queue_depth gauge\nqueue_depth 3.5\n")) << m.render();
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInf) {
  Metrics m;
  auto& h = m.histogram("latency_seconds", "Latency", {0.1, 0.5, 1}, {{"op", "read"}});
  for (double v : {0.05, 0.1, 0.3, 0.7, 3.0}) h.observe(v);
  const auto text = m.render();
  EXPECT_TRUE(contains(text, "# TYPE latency_seconds histogram\n")) << text;
  EXPECT_TRUE(contains(text, "latency_seconds_bucket{op=\"read\",le=\"0.1\"} 2\n")) << text;
  EXPECT_TRUE(contains(text, "latency_seconds_bucket{op=\"read\",le=\"0.5\"} 3\n"));
  EXPECT_TRUE(contains(text, "latency_seconds_bucket{op=\"read\",le=\"1\"} 4\n"));
  EXPECT_TRUE(contains(text, "latency_seconds_bucket{op=\"read\",le=\"+Inf\"} 5\n"));
  EXPECT_TRUE(contains(text, "latency_seconds_sum{op=\"read\"} 4.15\n")) << text;
  EXPECT_TRUE(contains(text, "latency_seconds_count{op=\"read\"} 5\n"));
  const auto snap = h.snapshot();
  EXPECT_EQ(snap.cumulative, (std::vector<std::uint64_t>{2, 3, 4, 5}));
}

TEST(Metrics, LabelValuesAndHelpAreEscaped) {
  Metrics m;
  m.counter("odd_total", "line one\nback\\slash", {{"v", "a\"b\\c\nd"}}).inc();
  const auto text = m.render();
  EXPECT_TRUE(contains(text, "# HELP odd_total line one\\nback\\\\slash\n")) << text;
  EXPECT_TRUE(contains(text, "odd_total{v=\"a\\\"b\\\\c\\nd\"} 1\n")) << text;
}

TEST(Metrics, FamiliesAreSortedByName) {
  Metrics m;
  m.counter("zeta_total", "z").inc();
  m.counter("alpha_total", "a").inc();
  const auto text = m.render();
  EXPECT_LT(text.find("alpha_total"), text.find("zeta_total"));
}

TEST(Metrics, ConcurrentUpdatesAreNotLost) {
  Metrics m;
  auto& c = m.counter("n_total", "n");
  auto& h = m.histogram("h_seconds", "h", Metrics::default_latency_buckets());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.inc();
        h.observe(0.001);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
  EXPECT_EQ(h.snapshot().count, 40000u);
}

}  // namespace
}  // namespace ccteams
