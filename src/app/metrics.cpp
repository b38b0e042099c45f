#include "app/metrics.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <variant>

namespace ccteams {

namespace {

void atomic_add(std::atomic<double>& a, double d) {
  double cur = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

std::string render_labels(const Labels& labels, const std::string& extra_key = {},
                          const std::string& extra_value = {}) {
  if (labels.empty() && extra_key.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out.push_back(',');
    first = false;
    out += k + "=\"" + escape_label(v) + "\"";
  }
  if (!extra_key.empty()) {
    if (!first) out.push_back(',');
    out += extra_key + "=\"" + extra_value + "\"";
  }
  out.push_back('}');
  return out;
}

// The shortest text that reads back as v: bucket bounds render as le="0.1", not
// le="0.10000000000000001" (Prometheus matches le values as text across scrapes).
std::string format_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

// HELP text escapes backslash and newline (the exposition format's rule for HELP).
std::string escape_help(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
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
  std::string type;  // "counter", "gauge", "histogram"
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
  if (!fam) fam = std::make_unique<Family>(Family{help, "counter", {}});
  auto& slot = fam->series[labels];
  if (slot.index() != 0 || !std::get<0>(slot)) slot = std::make_unique<Counter>();
  return *std::get<0>(slot);
}

Gauge& Metrics::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& fam = families_[name];
  if (!fam) fam = std::make_unique<Family>(Family{help, "gauge", {}});
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
  if (!fam) fam = std::make_unique<Family>(Family{help, "histogram", {}});
  auto it = fam->series.find(labels);
  if (it == fam->series.end() || it->second.index() != 2) {
    fam->series[labels] = std::make_unique<Histogram>(bounds);
  }
  return *std::get<2>(fam->series[labels]);
}

std::string Metrics::render() const {
  std::lock_guard lock(mu_);
  std::ostringstream out;
  for (const auto& [name, fam] : families_) {
    out << "# HELP " << name << ' ' << escape_help(fam->help) << '\n';
    out << "# TYPE " << name << ' ' << fam->type << '\n';
    for (const auto& [labels, series] : fam->series) {
      if (series.index() == 0) {
        out << name << render_labels(labels) << ' ' << std::get<0>(series)->value() << '\n';
      } else if (series.index() == 1) {
        out << name << render_labels(labels) << ' ' << format_number(std::get<1>(series)->value())
            << '\n';
      } else {
        const auto snap = std::get<2>(series)->snapshot();
        for (std::size_t i = 0; i <= snap.bounds.size(); ++i) {
          const std::string le =
              i < snap.bounds.size() ? format_number(snap.bounds[i]) : std::string("+Inf");
          out << name << "_bucket" << render_labels(labels, "le", le) << ' ' << snap.cumulative[i]
              << '\n';
        }
        out << name << "_sum" << render_labels(labels) << ' ' << format_number(snap.sum) << '\n';
        out << name << "_count" << render_labels(labels) << ' ' << snap.count << '\n';
      }
    }
  }
  return out.str();
}

}  // namespace ccteams
