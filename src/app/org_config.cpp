#include "app/org_config.hpp"

namespace ccteams {

namespace {

template <class Map, class Key>
auto find_in(const Map& map, Key key, const char* what) -> Result<typename Map::mapped_type> {
  auto it = map.find(key);
  if (it == map.end()) return make_error(Errc::not_found, std::string("no such ") + what);
  return it->second;
}

template <class Map>
auto values_of(const Map& map) {
  std::vector<typename Map::mapped_type> out;
  out.reserve(map.size());
  for (const auto& [key, value] : map) out.push_back(value);
  return out;
}

}  // namespace

Result<OrgConfig> OrgConfig::load(ContactCenterStore& store, OrgId org) {
  OrgConfig c;
  auto agents = store.list_agents(org);
  if (!agents) return std::move(agents).error();
  for (auto& a : *agents) c.agents_[a.user] = std::move(a);
  auto profiles = store.list_desktop_profiles(org);
  if (!profiles) return std::move(profiles).error();
  for (auto& p : *profiles) c.profiles_[p.id] = std::move(p);
  auto rona = store.ensure_rona_idle_code(org);
  if (!rona) return std::move(rona).error();
  c.rona_ = std::move(*rona);
  auto codes = store.list_idle_codes(org);
  if (!codes) return std::move(codes).error();
  for (auto& code : *codes) c.idle_codes_[code.id] = std::move(code);
  auto queues = store.list_queues(org);
  if (!queues) return std::move(queues).error();
  for (auto& q : *queues) c.queues_[q.id] = std::move(q);
  return c;
}

Result<AgentConfig> OrgConfig::get_agent(UserId user) const {
  return find_in(agents_, user, "agent");
}
Result<DesktopProfile> OrgConfig::get_desktop_profile(DesktopProfileId id) const {
  return find_in(profiles_, id, "desktop profile");
}
Result<IdleCode> OrgConfig::get_idle_code(IdleCodeId id) const {
  return find_in(idle_codes_, id, "idle code");
}
Result<CcQueue> OrgConfig::get_queue(QueueId id) const { return find_in(queues_, id, "queue"); }
std::vector<AgentConfig> OrgConfig::list_agents() const { return values_of(agents_); }
std::vector<CcQueue> OrgConfig::list_queues() const { return values_of(queues_); }

}  // namespace ccteams
