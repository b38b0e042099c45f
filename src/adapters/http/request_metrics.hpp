#pragma once
// The HTTP server's per-request metrics: http_requests_total{method,route,status} and
// http_request_duration_seconds{method,route}. Looking a series up in the Metrics registry takes
// its mutex and builds label vectors; doing that on every request showed in http_bench. This
// keeps the series handles per (method, route, status) behind a shared lock, so a request
// after the first of its kind costs one hash lookup and two atomic updates.
//
// Thread-safety: record() may be called from any thread.

#include <memory>
#include <string_view>

#include "adapters/http/server_metrics.hpp"

namespace ccteams {
class Metrics;
}

namespace ccteams::http {

class RequestMetrics {
 public:
  // metrics is not owned and must outlive this object.
  explicit RequestMetrics(Metrics& metrics);
  ~RequestMetrics();
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;

  // method: the request method ("OTHER" for unknown ones, "-" when unparsed, so the label set
  // stays bounded); route: the router pattern or "unmatched". Both are copied on first use.
  void record(std::string_view method, std::string_view route, int status, double seconds);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The HTTP server's metrics in our registry (ServerOptions::metrics): http_open_connections,
// http_connections_refused_total{reason="total"|"per_address"} (registered here, so they show
// before the first connection) and the per-request series above. metrics is not owned and must
// outlive the result.
std::shared_ptr<ServerMetrics> server_metrics(Metrics& metrics);

}  // namespace ccteams::http
