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

CcConfigService::CcConfigService(Store& store, std::function<void(OrgId)> on_change,
                                 std::vector<IdleCodeGuard> idle_code_guards)
    : store_(store),
      on_change_(std::move(on_change)),
      idle_code_guards_(std::move(idle_code_guards)) {}

namespace {

// The operations' store work: each runs inside one Store::run job.

Result<IdleCode> create_code(ContactCenterStore& cc, OrgId org, const std::string& name,
                             bool active) {
  IdleCode code{IdleCodeId{}, org, name, false, active};
  if (auto r = validate_idle_code(code); !r) return std::move(r).error();
  if (name == kRonaIdleCodeName) return reserved_rona();
  // The system code exists before any ordinary one, so a later "RONA" cannot take its name.
  if (auto r = cc.ensure_rona_idle_code(org); !r) return std::move(r).error();
  return cc.create_idle_code(org, code);
}

Result<IdleCode> update_code(ContactCenterStore& cc, OrgId org, IdleCodeId id,
                             const IdleCodeChanges& changes) {
  auto before = cc.get_idle_code(org, id);
  if (!before) return before;
  IdleCode after = *before;
  if (changes.name) after.name = *changes.name;
  if (changes.active) after.active = *changes.active;
  if (auto r = check_idle_code_update(*before, after); !r) return std::move(r).error();
  if (auto r = validate_idle_code(after); !r) return std::move(r).error();
  if (after.name == kRonaIdleCodeName && !before->system) return reserved_rona();
  return cc.update_idle_code(org, after);
}

Result<void> check_allowed_codes(ContactCenterStore& cc, OrgId org,
                                 const std::vector<IdleCodeId>& codes) {
  for (IdleCodeId id : codes) {
    auto code = cc.get_idle_code(org, id);
    if (!code) {
      if (code.error().code == Errc::not_found) {
        return make_error(Errc::invalid_input,
                          "field 'allowedIdleCodeIds': no idle code " + std::to_string(id.value));
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

Result<DesktopProfile> create_profile(ContactCenterStore& cc, OrgId org, DesktopProfile profile) {
  profile.org = org;
  if (auto r = validate_desktop_profile(profile); !r) return std::move(r).error();
  if (auto r = check_allowed_codes(cc, org, profile.allowed_idle_codes); !r) {
    return std::move(r).error();
  }
  return cc.create_desktop_profile(profile);
}

Result<DesktopProfile> update_profile(ContactCenterStore& cc, OrgId org, DesktopProfileId id,
                                      const DesktopProfileChanges& changes) {
  auto p = cc.get_desktop_profile(org, id);
  if (!p) return p;
  if (changes.name) p->name = *changes.name;
  if (changes.microsoft_teams) p->microsoft_teams = *changes.microsoft_teams;
  if (changes.webex_app) p->webex_app = *changes.webex_app;
  if (changes.rona_timeout_seconds) p->rona_timeout_seconds = *changes.rona_timeout_seconds;
  if (changes.wrap_up_seconds) p->wrap_up_seconds = *changes.wrap_up_seconds;
  if (changes.allowed_idle_codes) p->allowed_idle_codes = *changes.allowed_idle_codes;
  if (auto r = validate_desktop_profile(*p); !r) return std::move(r).error();
  if (auto r = check_allowed_codes(cc, org, p->allowed_idle_codes); !r) {
    return std::move(r).error();
  }
  return cc.update_desktop_profile(*p);
}

Result<std::vector<AgentView>> agents_of(Stores& s, OrgId org) {
  auto users = s.accounts().list_users(org);
  if (!users) return std::move(users).error();
  auto configs = s.contact_center().list_agents(org);
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

Result<AgentView> agent_of(Stores& s, OrgId org, UserId user) {
  auto u = s.accounts().get_user(org, user);
  if (!u) return std::move(u).error();
  if (!u->roles.has(Role::agent)) return make_error(Errc::not_found, "no such agent");
  AgentView v{*u, AgentConfig{user, org, std::nullopt, {}, std::nullopt}, false};
  auto c = s.contact_center().get_agent(org, user);
  if (c) {
    v.config = std::move(*c);
    v.configured = true;
  } else if (c.error().code != Errc::not_found) {
    return std::move(c).error();
  }
  return v;
}

Result<AgentDesktop> desktop_settings(Stores& s, OrgId org, UserId user) {
  auto agent = agent_of(s, org, user);
  if (!agent) return std::move(agent).error();
  ContactCenterStore& cc = s.contact_center();
  AgentDesktop d;
  if (agent->config.desktop_profile) {
    auto p = cc.get_desktop_profile(org, *agent->config.desktop_profile);
    if (!p) return std::move(p).error();
    d.profile = std::move(*p);
  }
  auto codes = cc.list_idle_codes(org);
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
    auto queue = cc.get_queue(org, q);
    if (!queue) return std::move(queue).error();
    d.queues.push_back(std::move(*queue));
  }
  return d;
}

Result<AgentView> store_agent(Stores& s, OrgId org, UserId user, const AgentChanges& changes) {
  auto u = s.accounts().get_user(org, user);
  if (!u) return std::move(u).error();
  if (!u->roles.has(Role::agent)) {
    return make_error(Errc::invalid_input,
                      "field 'userId': " + u->username + " does not have the agent role");
  }
  auto current = agent_of(s, org, user);
  if (!current) return current;
  AgentConfig next = current->config;
  if (changes.desktop_profile) next.desktop_profile = *changes.desktop_profile;
  if (changes.queues) next.queues = *changes.queues;
  if (changes.teams_user_id) next.teams_user_id = *changes.teams_user_id;
  if (auto r = validate_queue_ids(next.queues); !r) return std::move(r).error();
  auto stored = s.contact_center().put_agent(next);
  if (!stored) {
    // Ids named in the body are input: an unknown one is the caller's mistake (400).
    if (stored.error().code == Errc::not_found) {
      return make_error(Errc::invalid_input, stored.error().message);
    }
    return std::move(stored).error();
  }
  return AgentView{*u, *stored, true};
}

}  // namespace

// ---- idle codes ----

CcConfigService::Async<Result<std::vector<IdleCode>>> CcConfigService::list_idle_codes(OrgId org) {
  co_return co_await store_.run([&](Stores& s) -> Result<std::vector<IdleCode>> {
    if (auto r = s.contact_center().ensure_rona_idle_code(org); !r) return std::move(r).error();
    return s.contact_center().list_idle_codes(org);
  });
}

CcConfigService::Async<Result<IdleCode>> CcConfigService::get_idle_code(OrgId org, IdleCodeId id) {
  co_return co_await store_.read(
      [&](Stores& s) { return s.contact_center().get_idle_code(org, id); });
}

CcConfigService::Async<Result<IdleCode>> CcConfigService::create_idle_code(OrgId org,
                                                                           std::string name,
                                                                           bool active) {
  co_return co_await write(
      org, [&](Stores& s) { return create_code(s.contact_center(), org, name, active); });
}

CcConfigService::Async<Result<IdleCode>> CcConfigService::update_idle_code(
    OrgId org, IdleCodeId id, IdleCodeChanges changes) {
  co_return co_await write(
      org, [&](Stores& s) { return update_code(s.contact_center(), org, id, changes); });
}

Result<void> CcConfigService::delete_code(Stores& s, OrgId org, IdleCodeId id) {
  ContactCenterStore& cc = s.contact_center();
  auto code = cc.get_idle_code(org, id);
  if (!code) return std::move(code).error();
  // A system code is refused before anyone else is asked.
  if (auto r = check_idle_code_deletable(*code); !r) return r;
  auto profiles = cc.profiles_using_idle_code(org, id);
  if (!profiles) return std::move(profiles).error();
  std::vector<std::string> users;
  if (!profiles->empty()) {
    users.push_back((profiles->size() == 1 ? "desktop profile " : "desktop profiles ") +
                    join(*profiles));
  }
  for (const auto& guard : idle_code_guards_) {
    auto reason = guard(s, org, id);
    if (!reason) return std::move(reason).error();
    if (*reason && !(*reason)->empty()) users.push_back(std::move(**reason));
  }
  if (auto r = check_idle_code_deletable(*code, join(users)); !r) return r;
  return cc.delete_idle_code(org, id);
}

CcConfigService::Async<Result<void>> CcConfigService::delete_idle_code(OrgId org, IdleCodeId id) {
  co_return co_await write(org, [&](Stores& s) { return delete_code(s, org, id); });
}

// ---- desktop profiles ----

CcConfigService::Async<Result<std::vector<DesktopProfile>>> CcConfigService::list_desktop_profiles(
    OrgId org) {
  co_return co_await store_.read(
      [&](Stores& s) { return s.contact_center().list_desktop_profiles(org); });
}

CcConfigService::Async<Result<DesktopProfile>> CcConfigService::get_desktop_profile(
    OrgId org, DesktopProfileId id) {
  co_return co_await store_.read(
      [&](Stores& s) { return s.contact_center().get_desktop_profile(org, id); });
}

CcConfigService::Async<Result<DesktopProfile>> CcConfigService::create_desktop_profile(
    OrgId org, DesktopProfile profile) {
  co_return co_await write(
      org, [&](Stores& s) { return create_profile(s.contact_center(), org, profile); });
}

CcConfigService::Async<Result<DesktopProfile>> CcConfigService::update_desktop_profile(
    OrgId org, DesktopProfileId id, DesktopProfileChanges changes) {
  co_return co_await write(
      org, [&](Stores& s) { return update_profile(s.contact_center(), org, id, changes); });
}

CcConfigService::Async<Result<void>> CcConfigService::delete_desktop_profile(OrgId org,
                                                                             DesktopProfileId id) {
  co_return co_await write(
      org, [&](Stores& s) { return s.contact_center().delete_desktop_profile(org, id); });
}

// ---- queues ----

CcConfigService::Async<Result<std::vector<CcQueue>>> CcConfigService::list_queues(OrgId org) {
  co_return co_await store_.read([&](Stores& s) { return s.contact_center().list_queues(org); });
}

CcConfigService::Async<Result<CcQueue>> CcConfigService::get_queue(OrgId org, QueueId id) {
  co_return co_await store_.read([&](Stores& s) { return s.contact_center().get_queue(org, id); });
}

CcConfigService::Async<Result<CcQueue>> CcConfigService::create_queue(OrgId org, std::string name) {
  if (auto r = validate_display_name(name); !r) co_return std::move(r).error();
  co_return co_await write(org, [&](Stores& s) {
    return s.contact_center().create_queue(CcQueue{QueueId{}, org, name});
  });
}

CcConfigService::Async<Result<CcQueue>> CcConfigService::rename_queue(OrgId org, QueueId id,
                                                                      std::string name) {
  if (auto r = validate_display_name(name); !r) co_return std::move(r).error();
  co_return co_await write(org, [&](Stores& s) {
    return s.contact_center().update_queue(CcQueue{id, org, name});
  });
}

CcConfigService::Async<Result<void>> CcConfigService::delete_queue(OrgId org, QueueId id) {
  co_return co_await write(org,
                           [&](Stores& s) { return s.contact_center().delete_queue(org, id); });
}

// ---- agents ----

CcConfigService::Async<Result<std::vector<AgentView>>> CcConfigService::list_agents(OrgId org) {
  co_return co_await store_.run([&](Stores& s) { return agents_of(s, org); });
}

CcConfigService::Async<Result<AgentView>> CcConfigService::get_agent(OrgId org, UserId user) {
  co_return co_await store_.run([&](Stores& s) { return agent_of(s, org, user); });
}

CcConfigService::Async<Result<AgentDesktop>> CcConfigService::desktop_of(OrgId org, UserId user) {
  co_return co_await store_.run([&](Stores& s) { return desktop_settings(s, org, user); });
}

CcConfigService::Async<Result<AgentView>> CcConfigService::put_agent(OrgId org, UserId user,
                                                                     AgentChanges changes) {
  co_return co_await write(org, [&](Stores& s) { return store_agent(s, org, user, changes); });
}

CcConfigService::Async<Result<void>> CcConfigService::delete_agent(OrgId org, UserId user) {
  co_return co_await write(org,
                           [&](Stores& s) { return s.contact_center().delete_agent(org, user); });
}

}  // namespace ccteams
