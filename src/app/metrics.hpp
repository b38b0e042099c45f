#pragma once
// A small Prometheus-style metrics registry: counters, gauges and histograms with labels. It
// counts; families() reads them all at once. The text exposition format for GET /metrics is a
// wire format and lives in adapters/http/prometheus_text.hpp.
//
// Thread-safety: registering and updating are safe from any thread. References returned by
// counter()/gauge()/histogram() stay valid for the registry's lifetime; hot paths keep them.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace ccteams {

using Labels = std::vector<std::pair<std::string, std::string>>;  // e.g. {{"method","GET"}}

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double d);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double v);
  // Snapshot for rendering and tests: cumulative counts per bound (+Inf last), sum, count.
  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  // size bounds.size() + 1
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
  std::atomic<std::uint64_t> count_{0};
};

// One family as read by Metrics::families(): each series' labels and current value (the field
// of the family's kind).
struct MetricFamily {
  enum class Kind : std::uint8_t { counter, gauge, histogram };
  struct Series {
    Labels labels;
    std::uint64_t count = 0;        // counter
    double value = 0;               // gauge
    Histogram::Snapshot histogram;  // histogram
  };
  std::string name;
  std::string help;
  Kind kind = Kind::counter;
  std::vector<Series> series;  // sorted by labels
};

class Metrics {
 public:
  // Out of line: Family is complete only in metrics.cpp.
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Latency buckets in seconds suited to HTTP handlers and Graph calls.
  static std::vector<double> default_latency_buckets();

  // The same (name, labels) returns the same object. help is kept from the first call.
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help,
                       const std::vector<double>& bounds, const Labels& labels = {});

  // Every family, sorted by name, with its series' values now.
  std::vector<MetricFamily> families() const;

 private:
  struct Family;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_;
};

}  // namespace ccteams
