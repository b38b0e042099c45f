#include "adapters/graph/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>

namespace ccteams::graph {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parse_uint(std::string_view s, std::int64_t& out) {
  if (s.empty() || s.size() > 12) return false;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// IMF-fixdate, the preferred HTTP-date form (RFC 9110 §5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT".
std::optional<Timestamp> parse_imf_fixdate(std::string_view s) {
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
      s[16] != ' ' || s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  static constexpr std::array<std::string_view, 12> kMonths{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  unsigned month = 0;
  for (unsigned i = 0; i < kMonths.size(); ++i) {
    if (s.substr(8, 3) == kMonths[i]) month = i + 1;
  }
  std::int64_t d = 0, y = 0, h = 0, mi = 0, sec = 0;
  if (month == 0 || !parse_uint(s.substr(5, 2), d) || !parse_uint(s.substr(12, 4), y) ||
      !parse_uint(s.substr(17, 2), h) || !parse_uint(s.substr(20, 2), mi) ||
      !parse_uint(s.substr(23, 2), sec)) {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day ymd{year{static_cast<int>(y)}, std::chrono::month{month},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  return Timestamp{sys_days{ymd}.time_since_epoch() + hours{h} + minutes{mi} + seconds{sec}};
}

std::chrono::milliseconds backoff(const RetryConfig& config, int attempt, double random) {
  // 2^(attempt-1) overflows quickly; past the cap the exponent no longer matters.
  const int exponent = std::clamp(attempt - 1, 0, 30);
  const double ceiling =
      std::min(static_cast<double>(config.max_delay.count()),
               static_cast<double>(config.base_delay.count()) * std::ldexp(1.0, exponent));
  const double r = std::clamp(random, 0.0, 1.0);
  return std::chrono::milliseconds{static_cast<std::int64_t>(std::floor(ceiling * r))};
}

}  // namespace

bool is_transient_status(int status) {
  return status == 0 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           Timestamp now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  std::int64_t seconds = 0;
  if (parse_uint(value, seconds)) return std::chrono::milliseconds{seconds * 1000};
  if (auto at = parse_imf_fixdate(value)) {
    return std::max(std::chrono::milliseconds{0}, *at - now);
  }
  return std::nullopt;
}

RetryDecision decide_retry(const RetryConfig& config, const RetryInput& in) {
  RetryDecision d;
  const bool throttle = in.status == 429 || in.status == 503;
  std::optional<std::chrono::milliseconds> retry_after;
  if (throttle) {
    retry_after = parse_retry_after(in.retry_after, in.now);
    if (retry_after) {
      d.retry_after_seconds = static_cast<int>((retry_after->count() + 999) / 1000);
    }
  }
  if (!is_transient_status(in.status)) return d;
  if (in.attempt >= config.max_attempts) return d;
  // Graph's 429/503 say the request was not processed; anything else may have been.
  if (!throttle && !in.idempotent) return d;
  if (retry_after) {
    if (*retry_after > config.max_retry_after) return d;
    d.retry = true;
    d.delay = *retry_after;
    return d;
  }
  d.retry = true;
  d.delay = backoff(config, in.attempt, in.random);
  return d;
}

}  // namespace ccteams::graph
