#include "adapters/pg/pg_inbox_wake.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace ccteams::store {

std::vector<std::string> inbox_wake_payloads(std::vector<OrgId> orgs, std::size_t max_bytes) {
  std::sort(orgs.begin(), orgs.end());
  orgs.erase(std::unique(orgs.begin(), orgs.end()), orgs.end());
  std::vector<std::string> out;
  std::string current;
  for (OrgId org : orgs) {
    const std::string id = std::to_string(org.value);
    if (!current.empty() && current.size() + 1 + id.size() > max_bytes) {
      out.push_back(std::move(current));
      current.clear();
    }
    if (!current.empty()) current += ',';
    current += id;
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

std::vector<OrgId> parse_inbox_wake(std::string_view payload, std::size_t* skipped) {
  std::vector<OrgId> out;
  std::size_t bad = 0;
  while (!payload.empty()) {
    const auto comma = payload.find(',');
    const std::string_view part = payload.substr(0, comma);
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), id);
    if (ec == std::errc() && end == part.data() + part.size() && id > 0) {
      out.push_back(OrgId{id});
    } else {
      ++bad;
    }
    if (comma == std::string_view::npos) break;
    payload.remove_prefix(comma + 1);
  }
  if (skipped != nullptr) *skipped = bad;
  return out;
}

}  // namespace ccteams::store
