#include "emulator/endpoint_health.hpp"

namespace ccteams::emulator {

EndpointHealth::Stats& EndpointHealth::current(const std::string& url, Timestamp now) {
  auto [it, inserted] = urls_.try_emplace(url);
  Stats& s = it->second;
  // Graph flushes the statistics every 10 minutes; a flagged URL gets a fresh chance.
  if (inserted || now - s.window_start >= options_.window) s = Stats{now, 0, 0, Mode::normal};
  return s;
}

void EndpointHealth::record(const std::string& url, std::size_t notifications, bool slow,
                            Timestamp now) {
  Stats& s = current(url, now);
  s.total += notifications;
  if (slow) s.slow += notifications;
  if (s.total < options_.min_notifications) return;
  const double share = static_cast<double>(s.slow) / static_cast<double>(s.total);
  s.mode = share >= options_.drop_share   ? Mode::dropped
           : share >= options_.slow_share ? Mode::delayed
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
