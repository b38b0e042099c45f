#pragma once
// The Prometheus text exposition format (version 0.0.4) of a Metrics registry, for GET /metrics:
// families sorted by name, HELP and label values escaped, bucket bounds in their shortest text.
// The registry (app/metrics.hpp) only counts; this is the wire format.

#include <string>

namespace ccteams {
class Metrics;
}  // namespace ccteams

namespace ccteams::http {

std::string prometheus_text(const Metrics& metrics);

}  // namespace ccteams::http
