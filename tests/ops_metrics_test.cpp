// ops/ cannot drift from the code: every metric the Grafana dashboard and the Prometheus rules
// query, and every label value they match exactly, must be in a running demo's /metrics.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "demo_fixture.hpp"

namespace ccteams::testing {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The PromQL expressions of a rules file: `expr:` on one line or as a `|` block.
std::vector<std::string> rule_expressions(const std::string& yaml) {
  std::vector<std::string> exprs;
  std::istringstream in(yaml);
  std::string line;
  std::string block;
  std::size_t block_indent = 0;
  bool in_block = false;
  static const std::regex kExpr(R"(^(\s*)expr:\s*(.*)$)");
  while (std::getline(in, line)) {
    const std::size_t indent = line.find_first_not_of(' ');
    if (in_block) {
      if (indent != std::string::npos && indent > block_indent) {
        block += line + "\n";
        continue;
      }
      exprs.push_back(block);
      in_block = false;
    }
    std::smatch m;
    if (!std::regex_match(line, m, kExpr)) continue;
    if (m[2] == "|") {
      in_block = true;
      block.clear();
      block_indent = static_cast<std::size_t>(m[1].length());
    } else {
      exprs.push_back(m[2]);
    }
  }
  if (in_block) exprs.push_back(block);
  return exprs;
}

void collect_dashboard_expressions(const boost::json::value& v, std::vector<std::string>& out) {
  if (const auto* o = v.if_object()) {
    for (const auto& [key, child] : *o) {
      if (key == "expr" && child.is_string()) out.emplace_back(child.as_string());
      collect_dashboard_expressions(child, out);
    }
  } else if (const auto* a = v.if_array()) {
    for (const auto& child : *a) collect_dashboard_expressions(child, out);
  }
}

struct Selector {
  std::string metric;
  std::vector<std::pair<std::string, std::string>> equal_labels;  // label="value" matchers
};

// Metric names in an expression with their exact label matchers. Identifiers followed by "("
// are functions; PromQL keywords, label names in by/on/without lists, durations and strings
// are not metrics.
std::vector<Selector> selectors_in(std::string expr) {
  static const std::set<std::string> kKeywords = {
      "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
      "bool", "offset", "inf", "nan", "le"};
  // Grouping label lists and range durations are not metrics.
  expr = std::regex_replace(expr, std::regex(R"(\b(by|without|on|ignoring)\s*\([^)]*\))"), " ");
  expr = std::regex_replace(expr, std::regex(R"(\[[^\]]*\])"), " ");
  std::vector<Selector> out;
  static const std::regex kToken(
      R"re(([A-Za-z_:][A-Za-z0-9_:]*)\s*(\{[^}]*\})?\s*(\()?|"[^"]*"|[0-9.]+)re");
  static const std::regex kEqual(R"re(([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"([^"]*)")re");
  for (std::sregex_iterator it(expr.begin(), expr.end(), kToken), end; it != end; ++it) {
    const auto& m = *it;
    if (!m[1].matched || m[3].matched) continue;  // a string, a number or a function call
    const std::string name = m[1];
    if (kKeywords.count(name) != 0) continue;
    Selector s{name, {}};
    const std::string matchers = m[2];
    for (std::sregex_iterator e(matchers.begin(), matchers.end(), kEqual), eend; e != eend; ++e) {
      // kEqual matches only "=": in =~, != and !~ no label name stands right before "=\"".
      s.equal_labels.emplace_back((*e)[1], (*e)[2]);
    }
    out.push_back(std::move(s));
  }
  return out;
}

bool has_series(const std::string& metrics, const std::string& name) {
  std::istringstream in(metrics);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name, 0) == 0 && line.size() > name.size() &&
        (line[name.size()] == '{' || line[name.size()] == ' ')) {
      return true;
    }
  }
  return false;
}

bool has_labelled_series(const std::string& metrics, const std::string& name,
                         const std::string& label, const std::string& value) {
  std::istringstream in(metrics);
  std::string line;
  const std::string pair = label + "=\"" + value + "\"";
  while (std::getline(in, line)) {
    if (line.rfind(name + "{", 0) == 0 && line.find(pair) != std::string::npos) return true;
  }
  return false;
}

TEST(OpsMetrics, SelectorParsingFindsMetricsAndExactLabels) {
  auto s = selectors_in(
      R"(sum by (instance, le) (rate(foo_bucket{method="POST", route=~"/a/.*", job!="x"}[5m])) > 1 unless on (instance) bar)");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].metric, "foo_bucket");
  ASSERT_EQ(s[0].equal_labels.size(), 1u);
  EXPECT_EQ(s[0].equal_labels[0].first, "method");
  EXPECT_EQ(s[1].metric, "bar");
}

TEST(OpsMetrics, DashboardsAndAlertsUseOnlyExportedMetrics) {
  const fs::path ops = fs::path(CCTEAMS_SOURCE_DIR) / "ops";
  const std::string rules = read_text(ops / "prometheus" / "alerts.yml");
  std::vector<std::string> exprs = rule_expressions(rules);
  ASSERT_GE(exprs.size(), 10u) << "alerts.yml: expressions not found";
  const std::size_t rule_count = exprs.size();
  collect_dashboard_expressions(boost::json::parse(read_text(ops / "grafana" / "ccteams.json")),
                                exprs);
  ASSERT_GE(exprs.size(), rule_count + 15) << "ccteams.json: panel expressions not found";

  // Recording rules defined in alerts.yml may be used by name.
  std::set<std::string> recorded;
  static const std::regex kRecord(R"(record:\s*(\S+))");
  for (std::sregex_iterator it(rules.begin(), rules.end(), kRecord), end; it != end; ++it) {
    recorded.insert((*it)[1]);
  }

  DemoProcess demo;
  ASSERT_NE(demo.port(), 0);
  // The webhook's own latency series appears with its first request: a validation handshake.
  auto v = demo.send("POST", "/webhooks/graph/notifications?validationToken=ops-test", "");
  ASSERT_EQ(v.status, 200) << v.body;
  const auto scrape = demo.get("/metrics");
  ASSERT_EQ(scrape.status, 200);
  const std::string& metrics = scrape.body;
  EXPECT_TRUE(has_labelled_series(metrics, "http_request_duration_seconds_bucket", "route",
                                  "/webhooks/graph/notifications"));

  // Series Prometheus makes itself, and labels it adds to every scrape.
  const std::set<std::string> kPrometheus = {"up"};
  const std::set<std::string> kTargetLabels = {"instance", "job"};
  std::set<std::string> checked;
  for (const auto& expr : exprs) {
    for (const auto& s : selectors_in(expr)) {
      if (kPrometheus.count(s.metric) != 0) continue;
      if (s.metric.find(':') != std::string::npos) {
        EXPECT_EQ(recorded.count(s.metric), 1u) << s.metric << " is not recorded in alerts.yml";
        continue;
      }
      checked.insert(s.metric);
      EXPECT_TRUE(has_series(metrics, s.metric))
          << s.metric << " (in ops/: " << expr << ") is not in ccteams' /metrics";
      for (const auto& [label, value] : s.equal_labels) {
        if (kTargetLabels.count(label) != 0) continue;
        EXPECT_TRUE(has_labelled_series(metrics, s.metric, label, value))
            << s.metric << "{" << label << "=\"" << value << "\"} is not in ccteams' /metrics";
      }
    }
  }
  EXPECT_GE(checked.size(), 15u) << "fewer metrics than expected were found in ops/";
}

}  // namespace
}  // namespace ccteams::testing
