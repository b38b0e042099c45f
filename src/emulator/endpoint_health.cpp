#include "emulator/endpoint_health.hpp"

namespace ccteams::emulator {

EndpointHealth::Stats& EndpointHealth::current(const std::string& url, Timestamp now) {
  auto [it, inserted] = urls_.try_emplace(url);
  Stats& s = it->second;
  // Graph flushes the statistics every 10 minutes; a flagged URL gets a fresh chance.
  if (inserted || now - s.window_start >= options_.window) s = Stats{.window_start = now};
  return s;
}

void EndpointHealth::record(const std::string& url, std::size_t notifications,
                            PublishTiming timing, Timestamp now) {
  Stats& s = current(url, now);
  s.total += notifications;
  if (timing != PublishTiming::in_time) s.slow += notifications;
  if (timing == PublishTiming::over_retry_timeout) s.over_retry_timeout += notifications;
  if (s.total < options_.min_notifications) return;
  const auto share = [&s](std::size_t n) {
    return static_cast<double>(n) / static_cast<double>(s.total);
  };
  // "More than" the share, as the 2026 text says (the earlier text said "at least").
  s.mode = share(s.over_retry_timeout) > options_.drop_share ? Mode::dropped
           : share(s.slow) > options_.slow_share             ? Mode::delayed
                                                              : Mode::normal;
}

EndpointHealth::Mode EndpointHealth::mode(const std::string& url, Timestamp now) {
  auto it = urls_.find(url);
  if (it == urls_.end()) return Mode::normal;
  return current(url, now).mode;
}

EndpointHealth::Stats EndpointHealth::stats(const std::string& url, Timestamp now) {
  if (!urls_.contains(url)) return Stats{};
  return current(url, now);
}

std::vector<std::pair<std::string, EndpointHealth::Stats>> EndpointHealth::report(Timestamp now) {
  std::vector<std::pair<std::string, Stats>> out;
  for (auto& [url, ignored] : urls_) out.emplace_back(url, current(url, now));
  return out;
}

}  // namespace ccteams::emulator
