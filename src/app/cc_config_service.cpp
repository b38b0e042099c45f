#include "app/cc_config_service.hpp"

#include <algorithm>
#include <set>

namespace ccteams {

namespace {

Error reserved_rona() {
  return make_error(Errc::conflict, "RONA is a system idle code; it cannot be created by hand");
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace

Result<void> validate_queue_ids(const std::vector<QueueId>& queues) {
  std::set<QueueId> seen;
  for (QueueId q : queues) {
    if (!seen.insert(q).second) {
      return make_error(Errc::invalid_input,
                        "field 'queueIds' repeats queue " + std::to_string(q.value));
    }
  }
  return ok();
}

CcConfigService::CcConfigService(AccountStore& accounts, ContactCenterStore& store,
                                 std::function<void(OrgId)> on_change)
    : accounts_(accounts), store_(store), on_change_(std::move(on_change)) {}

template <class T>
Result<T> CcConfigService::changed(OrgId org, Result<T> r) {
  if (r && on_change_) on_change_(org);
  return r;
}

// ---- idle codes ----

Result<std::vector<IdleCode>> CcConfigService::list_idle_codes(OrgId org) {
  if (auto r = store_.ensure_rona_idle_code(org); !r) return std::move(r).error();
  return store_.list_idle_codes(org);
}

Result<IdleCode> CcConfigService::get_idle_code(OrgId org, IdleCodeId id) {
  return store_.get_idle_code(org, id);
}

Result<IdleCode> CcConfigService::create_idle_code(OrgId org, const std::string& name,
                                                   bool active) {
  IdleCode code{IdleCodeId{}, org, name, false, active};
  if (auto r = validate_idle_code(code); !r) return std::move(r).error();
  if (name == kRonaIdleCodeName) return reserved_rona();
  // The system code exists before any ordinary one, so a later "RONA" cannot take its name.
  if (auto r = store_.ensure_rona_idle_code(org); !r) return std::move(r).error();
  return changed(org, store_.create_idle_code(org, code));
}

Result<IdleCode> CcConfigService::update_idle_code(OrgId org, IdleCodeId id,
                                                   const IdleCodeChanges& changes) {
  auto before = store_.get_idle_code(org, id);
  if (!before) return before;
  IdleCode after = *before;
  if (changes.name) after.name = *changes.name;
  if (changes.active) after.active = *changes.active;
  if (auto r = check_idle_code_update(*before, after); !r) return std::move(r).error();
  if (auto r = validate_idle_code(after); !r) return std::move(r).error();
  if (after.name == kRonaIdleCodeName && !before->system) return reserved_rona();
  return changed(org, store_.update_idle_code(org, after));
}

void CcConfigService::add_idle_code_guard(IdleCodeGuard guard) {
  std::lock_guard lock(guards_mu_);
  idle_code_guards_.push_back(std::move(guard));
}

Result<void> CcConfigService::delete_idle_code(OrgId org, IdleCodeId id) {
  auto code = store_.get_idle_code(org, id);
  if (!code) return std::move(code).error();
  // A system code is refused before anyone else is asked.
  if (auto r = check_idle_code_deletable(*code); !r) return r;
  auto profiles = store_.profiles_using_idle_code(org, id);
  if (!profiles) return std::move(profiles).error();
  std::vector<std::string> users;
  if (!profiles->empty()) {
    users.push_back((profiles->size() == 1 ? "desktop profile " : "desktop profiles ") +
                    join(*profiles));
  }
  std::vector<IdleCodeGuard> guards;
  {
    std::lock_guard lock(guards_mu_);
    guards = idle_code_guards_;  // called unlocked: a guard may take its own locks
  }
  for (const auto& guard : guards) {
    auto reason = guard(org, id);
    if (!reason) return std::move(reason).error();
    if (*reason && !(*reason)->empty()) users.push_back(std::move(**reason));
  }
  if (auto r = check_idle_code_deletable(*code, join(users)); !r) return r;
  return changed(org, store_.delete_idle_code(org, id));
}

// ---- desktop profiles ----

Result<void> CcConfigService::check_allowed_codes(OrgId org, const std::vector<IdleCodeId>& codes) {
  for (IdleCodeId id : codes) {
    auto code = store_.get_idle_code(org, id);
    if (!code) {
      if (code.error().code == Errc::not_found) {
        return make_error(Errc::invalid_input, "field 'allowedIdleCodeIds': no idle code " +
                                                   std::to_string(id.value));
      }
      return std::move(code).error();
    }
    if (code->system) {
      return make_error(Errc::invalid_input,
                        "field 'allowedIdleCodeIds': " + code->name +
                            " is a system code and cannot be chosen by agents");
    }
  }
  return ok();
}

Result<std::vector<DesktopProfile>> CcConfigService::list_desktop_profiles(OrgId org) {
  return store_.list_desktop_profiles(org);
}

Result<DesktopProfile> CcConfigService::get_desktop_profile(OrgId org, DesktopProfileId id) {
  return store_.get_desktop_profile(org, id);
}

Result<DesktopProfile> CcConfigService::create_desktop_profile(OrgId org, DesktopProfile profile) {
  profile.org = org;
  if (auto r = validate_desktop_profile(profile); !r) return std::move(r).error();
  if (auto r = check_allowed_codes(org, profile.allowed_idle_codes); !r) {
    return std::move(r).error();
  }
  return changed(org, store_.create_desktop_profile(profile));
}

Result<DesktopProfile> CcConfigService::update_desktop_profile(
    OrgId org, DesktopProfileId id, const DesktopProfileChanges& changes) {
  auto p = store_.get_desktop_profile(org, id);
  if (!p) return p;
  if (changes.name) p->name = *changes.name;
  if (changes.microsoft_teams) p->microsoft_teams = *changes.microsoft_teams;
  if (changes.webex_app) p->webex_app = *changes.webex_app;
  if (changes.rona_timeout_seconds) p->rona_timeout_seconds = *changes.rona_timeout_seconds;
  if (changes.wrap_up_seconds) p->wrap_up_seconds = *changes.wrap_up_seconds;
  if (changes.allowed_idle_codes) p->allowed_idle_codes = *changes.allowed_idle_codes;
  if (auto r = validate_desktop_profile(*p); !r) return std::move(r).error();
  if (auto r = check_allowed_codes(org, p->allowed_idle_codes); !r) return std::move(r).error();
  return changed(org, store_.update_desktop_profile(*p));
}

Result<void> CcConfigService::delete_desktop_profile(OrgId org, DesktopProfileId id) {
  return changed(org, store_.delete_desktop_profile(org, id));
}

// ---- queues ----

Result<std::vector<CcQueue>> CcConfigService::list_queues(OrgId org) {
  return store_.list_queues(org);
}

Result<CcQueue> CcConfigService::get_queue(OrgId org, QueueId id) {
  return store_.get_queue(org, id);
}

Result<CcQueue> CcConfigService::create_queue(OrgId org, const std::string& name) {
  if (auto r = validate_display_name(name); !r) return std::move(r).error();
  return changed(org, store_.create_queue(CcQueue{QueueId{}, org, name}));
}

Result<CcQueue> CcConfigService::rename_queue(OrgId org, QueueId id, const std::string& name) {
  if (auto r = validate_display_name(name); !r) return std::move(r).error();
  return changed(org, store_.update_queue(CcQueue{id, org, name}));
}

Result<void> CcConfigService::delete_queue(OrgId org, QueueId id) {
  return changed(org, store_.delete_queue(org, id));
}

// ---- agents ----

Result<std::vector<AgentView>> CcConfigService::list_agents(OrgId org) {
  auto users = accounts_.list_users(org);
  if (!users) return std::move(users).error();
  auto configs = store_.list_agents(org);
  if (!configs) return std::move(configs).error();
  std::vector<AgentView> out;
  for (auto& u : *users) {
    if (!u.roles.has(Role::agent)) continue;
    AgentView v{u, AgentConfig{u.id, org, std::nullopt, {}, std::nullopt}, false};
    auto it = std::find_if(configs->begin(), configs->end(),
                           [&](const AgentConfig& c) { return c.user == u.id; });
    if (it != configs->end()) {
      v.config = *it;
      v.configured = true;
    }
    out.push_back(std::move(v));
  }
  return out;
}

Result<AgentView> CcConfigService::get_agent(OrgId org, UserId user) {
  auto u = accounts_.get_user(org, user);
  if (!u) return std::move(u).error();
  if (!u->roles.has(Role::agent)) return make_error(Errc::not_found, "no such agent");
  AgentView v{*u, AgentConfig{user, org, std::nullopt, {}, std::nullopt}, false};
  auto c = store_.get_agent(org, user);
  if (c) {
    v.config = std::move(*c);
    v.configured = true;
  } else if (c.error().code != Errc::not_found) {
    return std::move(c).error();
  }
  return v;
}

Result<AgentDesktop> CcConfigService::desktop_of(OrgId org, UserId user) {
  auto agent = get_agent(org, user);
  if (!agent) return std::move(agent).error();
  AgentDesktop d;
  if (agent->config.desktop_profile) {
    auto p = store_.get_desktop_profile(org, *agent->config.desktop_profile);
    if (!p) return std::move(p).error();
    d.profile = std::move(*p);
  }
  auto codes = store_.list_idle_codes(org);
  if (!codes) return std::move(codes).error();
  const std::vector<IdleCodeId> allowed =
      d.profile ? d.profile->allowed_idle_codes : std::vector<IdleCodeId>{};
  for (auto& c : *codes) {
    if (!c.active || c.system) continue;
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), c.id) == allowed.end()) {
      continue;
    }
    d.idle_codes.push_back(std::move(c));
  }
  for (QueueId q : agent->config.queues) {
    auto queue = store_.get_queue(org, q);
    if (!queue) return std::move(queue).error();
    d.queues.push_back(std::move(*queue));
  }
  return d;
}

Result<AgentView> CcConfigService::put_agent(OrgId org, UserId user, const AgentChanges& changes) {
  auto u = accounts_.get_user(org, user);
  if (!u) return std::move(u).error();
  if (!u->roles.has(Role::agent)) {
    return make_error(Errc::invalid_input,
                      "field 'userId': " + u->username + " does not have the agent role");
  }
  auto current = get_agent(org, user);
  if (!current) return current;
  AgentConfig next = current->config;
  if (changes.desktop_profile) next.desktop_profile = *changes.desktop_profile;
  if (changes.queues) next.queues = *changes.queues;
  if (changes.teams_user_id) next.teams_user_id = *changes.teams_user_id;
  if (auto r = validate_queue_ids(next.queues); !r) return std::move(r).error();
  auto stored = store_.put_agent(next);
  if (!stored) {
    // Ids named in the body are input: an unknown one is the caller's mistake (400).
    if (stored.error().code == Errc::not_found) {
      return make_error(Errc::invalid_input, stored.error().message);
    }
    return std::move(stored).error();
  }
  if (on_change_) on_change_(org);
  return AgentView{*u, *stored, true};
}

Result<void> CcConfigService::delete_agent(OrgId org, UserId user) {
  return changed(org, store_.delete_agent(org, user));
}

}  // namespace ccteams
