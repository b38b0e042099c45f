#pragma once
// Internal to app/contact_center: what one organisation's decisions read besides its live state
// (org_center.hpp), held in memory on the organisation's strand so that a decision never waits
// for the store: the agents' settings, desktop profiles, idle codes (the RONA code among them)
// and queues. Loaded in one store job (load()); the contact center marks it stale when the
// configuration changes (ContactCenter::config_changed) and the next decision loads it again.
// The lookups answer as the store's would (not_found naming what is missing).

#include <map>
#include <optional>
#include <vector>

#include "app/ports/contact_center_store.hpp"
#include "core/result.hpp"

namespace ccteams {

class OrgConfig {
 public:
  // Reads org's configuration (and makes its RONA idle code, as the store does on first use).
  static Result<OrgConfig> load(ContactCenterStore& store, OrgId org);

  Result<AgentConfig> get_agent(UserId user) const;
  Result<DesktopProfile> get_desktop_profile(DesktopProfileId id) const;
  Result<IdleCode> get_idle_code(IdleCodeId id) const;
  Result<CcQueue> get_queue(QueueId id) const;
  // In the store's order (by id).
  std::vector<AgentConfig> list_agents() const;
  std::vector<CcQueue> list_queues() const;
  const IdleCode& rona_idle_code() const { return rona_; }
  bool has_idle_code(IdleCodeId id) const { return idle_codes_.contains(id); }

  // An agent's settings row the contact center created (defaults for an agent an admin has not
  // configured yet): kept here as the store now has it.
  void add_agent(const AgentConfig& agent) { agents_[agent.user] = agent; }

 private:
  std::map<UserId, AgentConfig> agents_;
  std::map<DesktopProfileId, DesktopProfile> profiles_;
  std::map<IdleCodeId, IdleCode> idle_codes_;
  std::map<QueueId, CcQueue> queues_;
  IdleCode rona_;
};

}  // namespace ccteams
