#include "app/metrics.hpp"

#include <variant>

namespace ccteams {

namespace {

void atomic_add(std::atomic<double>& a, double d) {
  double cur = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

}  // namespace

void Gauge::add(double d) { atomic_add(value_, d); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double v) {
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  atomic_add(sum_, v);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.bounds = bounds_;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  s.count = running;
  return s;
}

struct Metrics::Family {
  std::string help;
  MetricFamily::Kind kind;
  std::map<Labels, std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>,
                                std::unique_ptr<Histogram>>>
      series;
};

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

std::vector<double> Metrics::default_latency_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Counter& Metrics::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& fam = families_[name];
  if (!fam) fam = std::make_unique<Family>(Family{help, MetricFamily::Kind::counter, {}});
  auto& slot = fam->series[labels];
  if (slot.index() != 0 || !std::get<0>(slot)) slot = std::make_unique<Counter>();
  return *std::get<0>(slot);
}

Gauge& Metrics::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& fam = families_[name];
  if (!fam) fam = std::make_unique<Family>(Family{help, MetricFamily::Kind::gauge, {}});
  auto it = fam->series.find(labels);
  if (it == fam->series.end() || it->second.index() != 1) {
    fam->series[labels] = std::make_unique<Gauge>();
  }
  return *std::get<1>(fam->series[labels]);
}

Histogram& Metrics::histogram(const std::string& name, const std::string& help,
                              const std::vector<double>& bounds, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& fam = families_[name];
  if (!fam) fam = std::make_unique<Family>(Family{help, MetricFamily::Kind::histogram, {}});
  auto it = fam->series.find(labels);
  if (it == fam->series.end() || it->second.index() != 2) {
    fam->series[labels] = std::make_unique<Histogram>(bounds);
  }
  return *std::get<2>(fam->series[labels]);
}

std::vector<MetricFamily> Metrics::families() const {
  std::lock_guard lock(mu_);
  std::vector<MetricFamily> out;
  out.reserve(families_.size());
  for (const auto& [name, fam] : families_) {
    MetricFamily f;
    f.name = name;
    f.help = fam->help;
    f.kind = fam->kind;
    for (const auto& [labels, series] : fam->series) {
      MetricFamily::Series& s = f.series.emplace_back();
      s.labels = labels;
      if (series.index() == 0) {
        s.count = std::get<0>(series)->value();
      } else if (series.index() == 1) {
        s.value = std::get<1>(series)->value();
      } else {
        s.histogram = std::get<2>(series)->snapshot();
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace ccteams
