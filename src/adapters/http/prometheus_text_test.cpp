#include "adapters/http/prometheus_text.hpp"

#include <gtest/gtest.h>

#include "app/metrics.hpp"

namespace ccteams::http {
namespace {

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(PrometheusText, CounterRendersHelpTypeAndLabels) {
  Metrics m;
  m.counter("jobs_total", "Jobs done", {{"kind", "a"}}).inc();
  m.counter("jobs_total", "ignored later help", {{"kind", "a"}}).inc(2);
  m.counter("jobs_total", "", {{"kind", "b"}}).inc();
  const auto text = prometheus_text(m);
  EXPECT_TRUE(contains(text, "# HELP jobs_total Jobs done\n# TYPE jobs_total counter\n")) << text;
  EXPECT_TRUE(contains(text, "jobs_total{kind=\"a\"} 3\n")) << text;
  EXPECT_TRUE(contains(text, "jobs_total{kind=\"b\"} 1\n")) << text;
}

TEST(PrometheusText, HistogramBucketsAreCumulativeWithInf) {
  Metrics m;
  auto& h = m.histogram("latency_seconds", "Latency", {0.1, 0.5, 1}, {{"op", "read"}});
  for (double v : {0.05, 0.1, 0.3, 0.7, 3.0}) h.observe(v);
  const auto text = prometheus_text(m);
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

TEST(PrometheusText, LabelValuesAndHelpAreEscaped) {
  Metrics m;
  m.counter("odd_total", "line one\nback\\slash", {{"v", "a\"b\\c\nd"}}).inc();
  const auto text = prometheus_text(m);
  EXPECT_TRUE(contains(text, "# HELP odd_total line one\\nback\\\\slash\n")) << text;
  EXPECT_TRUE(contains(text, "odd_total{v=\"a\\\"b\\\\c\\nd\"} 1\n")) << text;
}

TEST(PrometheusText, FamiliesAreSortedByName) {
  Metrics m;
  m.counter("zeta_total", "z").inc();
  m.counter("alpha_total", "a").inc();
  const auto text = prometheus_text(m);
  EXPECT_LT(text.find("alpha_total"), text.find("zeta_total"));
}

TEST(PrometheusText, GaugeWithoutLabels) {
  Metrics m;
  m.gauge("queue_depth", "Waiting items").set(3.5);
  const auto text = prometheus_text(m);
  EXPECT_TRUE(contains(text, "# TYPE queue_depth gauge\nqueue_depth 3.5\n")) << text;
}

}  // namespace
}  // namespace ccteams::http
