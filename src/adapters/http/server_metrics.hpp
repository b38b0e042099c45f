#pragma once
// What the HTTP server reports about itself, as an interface: the server library (which the
// emulator uses too) knows no metrics registry. adapters/http/request_metrics.hpp implements it
// over ours (http_open_connections, http_connections_refused_total{reason},
// http_requests_total{method,route,status}, http_request_duration_seconds{method,route}).
//
// Thread-safety: every method may be called from any thread, concurrently.

#include <string_view>

namespace ccteams::http {

class ServerMetrics {
 public:
  virtual ~ServerMetrics() = default;

  // An accepted connection was registered (+1) or has ended (-1).
  virtual void open_connections_changed(int delta) = 0;
  enum class Refusal { total, per_address };
  // A connection was closed at once because a connection cap was reached.
  virtual void connection_refused(Refusal cap) = 0;
  // One finished exchange. method: the request method ("OTHER" for unknown ones, "-" when
  // unparsed); route: the router pattern or "unmatched". Both may be temporaries.
  virtual void request_done(std::string_view method, std::string_view route, int status,
                            double seconds) = 0;
};

}  // namespace ccteams::http
