#include "app/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace ccteams {
namespace {

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
}

TEST(Metrics, FamiliesReadEverySeriesSortedByName) {
  Metrics m;
  m.counter("zeta_total", "z", {{"kind", "b"}}).inc(2);
  m.counter("zeta_total", "z", {{"kind", "a"}}).inc();
  m.gauge("alpha", "a").set(1.5);
  auto& h = m.histogram("mid_seconds", "h", {0.1, 1});
  h.observe(0.05);
  h.observe(3);
  const auto families = m.families();
  ASSERT_EQ(families.size(), 3u);
  EXPECT_EQ(families[0].name, "alpha");
  EXPECT_EQ(families[0].kind, MetricFamily::Kind::gauge);
  EXPECT_EQ(families[0].series.at(0).value, 1.5);
  EXPECT_EQ(families[1].name, "mid_seconds");
  EXPECT_EQ(families[1].kind, MetricFamily::Kind::histogram);
  const auto& snap = families[1].series.at(0).histogram;
  EXPECT_EQ(snap.cumulative, (std::vector<std::uint64_t>{1, 1, 2}));
  EXPECT_EQ(families[2].name, "zeta_total");
  EXPECT_EQ(families[2].help, "z");
  ASSERT_EQ(families[2].series.size(), 2u);
  EXPECT_EQ(families[2].series[0].labels, (Labels{{"kind", "a"}}));
  EXPECT_EQ(families[2].series[0].count, 1u);
  EXPECT_EQ(families[2].series[1].count, 2u);
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
