#include "adapters/http/request_metrics.hpp"

#include <cstddef>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "app/metrics.hpp"

namespace ccteams::http {
namespace {

struct KeyView {
  std::string_view method;
  std::string_view route;
  int status = 0;
};

struct Key {
  std::string method;
  std::string route;
  int status = 0;
  KeyView view() const { return {method, route, status}; }
};

// Transparent hash and equality, so that a lookup needs no allocation.
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(const KeyView& k) const noexcept {
    const std::hash<std::string_view> h;
    std::size_t seed = h(k.method);
    seed ^= h(k.route) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
    seed ^= std::hash<int>{}(k.status) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
    return seed;
  }
  std::size_t operator()(const Key& k) const noexcept { return (*this)(k.view()); }
};

struct KeyEq {
  using is_transparent = void;
  static bool same(const KeyView& a, const KeyView& b) noexcept {
    return a.status == b.status && a.method == b.method && a.route == b.route;
  }
  bool operator()(const Key& a, const Key& b) const noexcept { return same(a.view(), b.view()); }
  bool operator()(const Key& a, const KeyView& b) const noexcept { return same(a.view(), b); }
  bool operator()(const KeyView& a, const Key& b) const noexcept { return same(a, b.view()); }
};

struct Series {
  Counter* requests = nullptr;
  Histogram* duration = nullptr;
};

}  // namespace

struct RequestMetrics::Impl {
  explicit Impl(Metrics& m) : metrics(m) {}
  Metrics& metrics;
  std::shared_mutex mu;
  std::unordered_map<Key, Series, KeyHash, KeyEq> series;

  Series lookup(const KeyView& key) {
    {
      std::shared_lock lock(mu);
      if (auto it = series.find(key); it != series.end()) return it->second;
    }
    // First request of its kind: register with the registry (which returns the same objects
    // for the same labels, so a race between two first requests is harmless).
    const std::string method(key.method);
    const std::string route(key.route);
    Series s;
    s.requests = &metrics.counter(
        "http_requests_total", "HTTP requests by method, route and status",
        {{"method", method}, {"route", route}, {"status", std::to_string(key.status)}});
    s.duration = &metrics.histogram("http_request_duration_seconds", "HTTP request handling time",
                                    Metrics::default_latency_buckets(),
                                    {{"method", method}, {"route", route}});
    std::unique_lock lock(mu);
    series.try_emplace(Key{method, route, key.status}, s);
    return s;
  }
};

RequestMetrics::RequestMetrics(Metrics& metrics) : impl_(std::make_unique<Impl>(metrics)) {}
RequestMetrics::~RequestMetrics() = default;

void RequestMetrics::record(std::string_view method, std::string_view route, int status,
                            double seconds) {
  const Series s = impl_->lookup(KeyView{method, route, status});
  s.requests->inc();
  s.duration->observe(seconds);
}

namespace {

class RegistryServerMetrics final : public ServerMetrics {
 public:
  explicit RegistryServerMetrics(Metrics& metrics)
      : open_(metrics.gauge("http_open_connections", "Open HTTP and WebSocket connections")),
        refused_total_(metrics.counter("http_connections_refused_total", kRefusedHelp,
                                       {{"reason", "total"}})),
        refused_per_address_(metrics.counter("http_connections_refused_total", kRefusedHelp,
                                             {{"reason", "per_address"}})),
        requests_(metrics) {}

  // ServerMetrics
  void open_connections_changed(int delta) override { open_.add(delta); }
  void connection_refused(Refusal cap) override {
    (cap == Refusal::total ? refused_total_ : refused_per_address_).inc();
  }
  void request_done(std::string_view method, std::string_view route, int status,
                    double seconds) override {
    requests_.record(method, route, status, seconds);
  }

 private:
  static constexpr const char* kRefusedHelp =
      "Connections closed at once because a connection cap was reached";
  Gauge& open_;
  Counter& refused_total_;
  Counter& refused_per_address_;
  RequestMetrics requests_;
};

}  // namespace

std::shared_ptr<ServerMetrics> server_metrics(Metrics& metrics) {
  return std::make_shared<RegistryServerMetrics>(metrics);
}

}  // namespace ccteams::http
