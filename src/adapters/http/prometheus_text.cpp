#include "adapters/http/prometheus_text.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "app/metrics.hpp"

namespace ccteams::http {

namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
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
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

const char* type_name(MetricFamily::Kind kind) {
  switch (kind) {
    case MetricFamily::Kind::counter:
      return "counter";
    case MetricFamily::Kind::gauge:
      return "gauge";
    case MetricFamily::Kind::histogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

std::string prometheus_text(const Metrics& metrics) {
  std::ostringstream out;
  for (const auto& fam : metrics.families()) {
    const std::string& name = fam.name;
    out << "# HELP " << name << ' ' << escape_help(fam.help) << '\n';
    out << "# TYPE " << name << ' ' << type_name(fam.kind) << '\n';
    for (const auto& series : fam.series) {
      const std::string labels = render_labels(series.labels);
      switch (fam.kind) {
        case MetricFamily::Kind::counter:
          out << name << labels << ' ' << series.count << '\n';
          break;
        case MetricFamily::Kind::gauge:
          out << name << labels << ' ' << format_number(series.value) << '\n';
          break;
        case MetricFamily::Kind::histogram: {
          const auto& snap = series.histogram;
          for (std::size_t i = 0; i <= snap.bounds.size(); ++i) {
            const std::string le =
                i < snap.bounds.size() ? format_number(snap.bounds[i]) : std::string("+Inf");
            out << name << "_bucket" << render_labels(series.labels, "le", le) << ' '
                << snap.cumulative[i] << '\n';
          }
          out << name << "_sum" << labels << ' ' << format_number(snap.sum) << '\n';
          out << name << "_count" << labels << ' ' << snap.count << '\n';
          break;
        }
      }
    }
  }
  return out.str();
}

}  // namespace ccteams::http
