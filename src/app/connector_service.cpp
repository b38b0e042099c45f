// ConnectorService: the connectors tab, features and mapping, the lifecycle steps an admin
// takes, and what other services read. Consent, health checks and authorisation errors are in
// connector_consent.cpp.
#include "app/connector_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ccteams {

namespace {

Result<void> require_admin(const Caller& caller) { return require_role(caller, {Role::admin}); }

// A connector never set up offers nothing: the optional features are off until Set up gives
// them the server's default (off in `serve`, on in the demo) and the admin changes them.
TeamsConnector not_configured(OrgId org) {
  TeamsConnector c;
  c.org = org;
  c.show_user_details = false;
  c.presence_sync = false;
  return c;
}

std::string on_off(bool v) { return v ? "on" : "off"; }

std::string rule_key(const PresenceMappingRule& r) {
  std::string key(availability_name(r.availability));
  if (r.activity) key += "/" + std::string(activity_name(*r.activity));
  return key;
}

std::string describe_mapping(const PresenceMapping& m) {
  std::string out;
  for (const auto& r : m.rules()) {
    out += (out.empty() ? "" : ", ") + rule_key(r) + " -> idle code " +
           std::to_string(r.idle_code.value);
  }
  return out.empty() ? "(empty)" : out;
}

}  // namespace

Result<ActiveConnector> read_active_connector(ConnectorStore& store, OrgId org) {
  auto current = store.find_connector(org);
  if (!current) return std::move(current).error();
  if (!*current) {
    return make_error(Errc::not_found, "The Microsoft Teams connector is not set up");
  }
  const TeamsConnector& c = **current;
  if (c.status != ConnectorStatus::active) {
    return make_error(Errc::conflict, "The Microsoft Teams connector is " +
                                          std::string(connector_status_name(c.status)) +
                                          ", not Active");
  }
  return ActiveConnector{c.tenant_id, c.show_user_details, c.presence_sync, c.mapping};
}

ConnectorService::ConnectorService(Store& store, EntraTokens& entra, IdTokenVerifier& id_tokens,
                                   const EntraLinks& links, const SecretSealer& sealer,
                                   const PkceHasher& pkce, const TokenSource& tokens,
                                   const Clock& clock, ConnectorServiceConfig config)
    : store_(store),
      entra_(entra),
      id_tokens_(id_tokens),
      links_(links),
      sealer_(sealer),
      pkce_(pkce),
      tokens_(tokens),
      clock_(clock),
      config_(std::move(config)) {}

void ConnectorService::add_participant(ConnectorParticipant& participant) {
  participants_.push_back(&participant);
}

void ConnectorService::set_redirect_uri(std::string uri) { config_.redirect_uri = std::move(uri); }

Result<TeamsConnector> ConnectorService::load(ConnectorStore& st, OrgId org) {
  auto found = st.find_connector(org);
  if (!found) return std::move(found).error();
  if (!*found) return not_configured(org);
  return std::move(**found);
}

ConnectorService::Async<Result<TeamsConnector>> ConnectorService::list(Caller caller) {
  if (auto r = require_admin(caller); !r) co_return std::move(r).error();
  auto job = [&](Stores& s) { return load(s.connectors(), caller.org_id); };
  co_return co_await store_.run(job);
}

ConnectorService::Async<Result<TeamsConnector>> ConnectorService::get(Caller caller) {
  co_return co_await list(std::move(caller));
}

Result<void> ConnectorService::check_mapping(ContactCenterStore& cc, OrgId org,
                                             const PresenceMapping& mapping) {
  if (auto r = mapping.validate(); !r) return r;
  for (std::size_t i = 0; i < mapping.rules().size(); ++i) {
    const auto& rule = mapping.rules()[i];
    const std::string field = "presenceMapping[" + std::to_string(i) + "].idleCodeId";
    auto code = cc.get_idle_code(org, rule.idle_code);
    if (!code) {
      if (code.error().code != Errc::not_found) return std::move(code).error();
      return make_error(Errc::invalid_input, field + ": no idle code " +
                                                 std::to_string(rule.idle_code.value) +
                                                 " in this organisation");
    }
    if (code->system) {
      return make_error(Errc::invalid_input,
                        field + ": " + code->name + " is a system idle code and cannot be mapped");
    }
    if (!code->active) {
      return make_error(Errc::invalid_input, field + ": idle code " + code->name + " is inactive");
    }
  }
  return ok();
}

Result<ConnectorService::Patched> ConnectorService::apply_patch(Stores& s, const Caller& caller,
                                                                const ConnectorPatch& patch) {
  ConnectorStore& st = s.connectors();
  auto current = load(st, caller.org_id);
  if (!current) return std::move(current).error();
  if (current->status == ConnectorStatus::not_configured) {
    return make_error(Errc::not_found,
                      "The Microsoft Teams connector is not set up; start with Set up");
  }
  TeamsConnector next = *current;
  std::vector<std::string> changes;
  if (patch.show_user_details && *patch.show_user_details != next.show_user_details) {
    next.show_user_details = *patch.show_user_details;
    changes.push_back("showUserDetails " + on_off(next.show_user_details));
  }
  if (patch.presence_sync && *patch.presence_sync != next.presence_sync) {
    next.presence_sync = *patch.presence_sync;
    changes.push_back("presenceSync " + on_off(next.presence_sync));
  }
  if (patch.presence_mapping) {
    PresenceMapping mapping(*patch.presence_mapping);
    if (auto r = check_mapping(s.contact_center(), caller.org_id, mapping); !r) {
      append(st, entry(caller.org_id, &caller, "update", AuditResult::error, r.error().message));
      return std::move(r).error();
    }
    if (!(mapping == next.mapping)) {
      next.mapping = std::move(mapping);
      changes.push_back("presenceMapping " + describe_mapping(next.mapping));
    }
  }
  if (changes.empty()) return Patched{std::move(*current), false};
  next.updated_at = clock_.now();
  auto saved = st.save_connector(next, current->version);
  if (!saved) {
    append(st, entry(caller.org_id, &caller, "update", AuditResult::error, saved.error().message));
    return std::move(saved).error();
  }
  std::string detail;
  for (const auto& c : changes) detail += (detail.empty() ? "" : "; ") + c;
  append(st, entry(caller.org_id, &caller, "update", AuditResult::ok, detail));
  return Patched{std::move(*saved), true};
}

ConnectorService::Async<Result<TeamsConnector>> ConnectorService::update(Caller caller,
                                                                         ConnectorPatch patch) {
  if (auto r = require_admin(caller); !r) co_return std::move(r).error();
  // The read, the idle codes' check and the write in one job: nothing changes in between.
  auto job = [&](Stores& s) { return apply_patch(s, caller, patch); };
  auto patched = co_await store_.run(job);
  if (!patched) co_return std::move(patched).error();
  if (patched->changed && patched->connector.status == ConnectorStatus::active) {
    for (auto* p : participants_) p->connector_changed(caller.org_id);
  }
  co_return std::move(patched->connector);
}

Result<TeamsConnector> ConnectorService::load_for(ConnectorStore& st, const Caller& caller,
                                                  ConnectorEvent event, const char* action) {
  auto current = load(st, caller.org_id);
  if (!current) return current;
  auto next_status = next_connector_status(current->status, event);
  if (!next_status) {
    append(st,
           entry(caller.org_id, &caller, action, AuditResult::error, next_status.error().message));
    return std::move(next_status).error();
  }
  return current;
}

Result<TeamsConnector> ConnectorService::save_deactivated(ConnectorStore& st,
                                                          const Caller& caller) {
  auto current = load_for(st, caller, ConnectorEvent::deactivate, "deactivate");
  if (!current) return current;
  TeamsConnector next = *current;
  next.status = *next_connector_status(current->status, ConnectorEvent::deactivate);
  next.updated_at = clock_.now();
  auto saved = st.save_connector(next, current->version);
  if (!saved) return saved;
  append(st, entry(caller.org_id, &caller, "deactivate", AuditResult::ok, "Active -> Inactive"));
  return saved;
}

ConnectorService::Async<Result<TeamsConnector>> ConnectorService::deactivate(Caller caller) {
  if (auto r = require_admin(caller); !r) co_return std::move(r).error();
  auto job = [&](Stores& s) { return save_deactivated(s.connectors(), caller); };
  auto saved = co_await store_.run(job);
  if (!saved) co_return saved;
  co_await notify_inactive(caller.org_id);
  co_return saved;
}

ConnectorService::Async<Result<DeleteOutcome>> ConnectorService::remove(Caller caller) {
  if (auto r = require_admin(caller); !r) co_return std::move(r).error();
  auto check = [&](Stores& s) {
    return load_for(s.connectors(), caller, ConnectorEvent::remove, "delete");
  };
  auto current = co_await store_.run(check);
  if (!current) co_return std::move(current).error();
  DeleteOutcome out;
  for (auto* p : participants_) {
    Result<std::string> removed = make_error(Errc::internal, "not run");
    try {
      removed = co_await p->remove_connector_artefacts(caller.org_id, current->tenant_id);
    } catch (const std::exception& e) {
      removed = make_error(Errc::internal, e.what());
    }
    if (!removed) {
      const std::string message = "Deleting stopped: " + std::string(p->participant_name()) +
                                  " could not remove its data: " + removed.error().message;
      record(entry(caller.org_id, &caller, "delete", AuditResult::error, message));
      co_return make_error(
          removed.error().code == Errc::internal ? Errc::unavailable : removed.error().code,
          message);
    }
    out.removed.push_back(std::string(p->participant_name()) + ": " + *removed);
  }
  out.message = kEnterpriseAppStaysMessage;
  std::string detail = std::string(connector_status_name(current->status)) + " -> NotConfigured";
  for (const auto& line : out.removed) detail += "; " + line;
  auto erase = [&](Stores& s) -> Result<void> {
    ConnectorStore& st = s.connectors();
    if (auto r = st.delete_connector(caller.org_id); !r) {
      append(st, entry(caller.org_id, &caller, "delete", AuditResult::error, r.error().message));
      return r;
    }
    append(st, entry(caller.org_id, &caller, "delete", AuditResult::ok, detail));
    return ok();
  };
  if (auto r = co_await store_.run(erase); !r) co_return std::move(r).error();
  co_return out;
}

ConnectorService::Async<Result<std::vector<ConnectorAuditEntry>>> ConnectorService::audit(
    Caller caller, std::size_t limit, std::optional<std::int64_t> before) {
  if (auto r = require_admin(caller); !r) co_return std::move(r).error();
  if (limit < 1 || limit > 200) {
    co_return make_error(Errc::invalid_input, "limit must be from 1 to 200");
  }
  auto job = [&](Stores& s) { return s.connectors().list_audit(caller.org_id, limit, before); };
  co_return co_await store_.read(job);
}

Result<std::optional<std::string>> ConnectorService::idle_code_in_use(Stores& stores, OrgId org,
                                                                      IdleCodeId code) {
  auto current = stores.connectors().find_connector(org);
  if (!current) return std::move(current).error();
  if (!*current) return std::optional<std::string>{};
  std::vector<std::string> keys;
  for (const auto& r : (*current)->mapping.rules()) {
    if (r.idle_code == code) keys.push_back(rule_key(r));
  }
  if (keys.empty()) return std::optional<std::string>{};
  std::string list;
  for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
  return std::optional<std::string>{"the Microsoft Teams presence mapping (" + list + ")"};
}

ConnectorService::Async<Result<ActiveConnector>> ConnectorService::active(OrgId org) {
  auto job = [&](Stores& s) { return read_active_connector(s.connectors(), org); };
  co_return co_await store_.run(job);
}

ConnectorService::Async<Result<std::vector<OrgId>>> ConnectorService::active_orgs() {
  auto job = [](Stores& s) { return s.connectors().orgs_with_status(ConnectorStatus::active); };
  co_return co_await store_.run(job);
}

ConnectorService::Async<Result<std::string>> ConnectorService::active_tenant(OrgId org) {
  auto a = co_await active(org);
  if (!a) co_return std::move(a).error();
  co_return std::move(a->tenant);
}

std::function<ConnectorService::Async<Result<std::string>>(OrgId)>
ConnectorService::active_tenant_lookup() {
  // Not a coroutine lambda: the coroutine is the member, whose frame owns its argument.
  return [this](OrgId org) { return active_tenant(org); };
}

std::function<void(const Caller&, std::string, bool, std::string)> ConnectorService::audit_hook() {
  return [this](const Caller& who, std::string action, bool ok, std::string detail) {
    std::optional<UserId> actor;
    if (who.user_id.value != 0) actor = who.user_id;
    record(entry_as(who.org_id, actor, who.username, std::move(action),
                    ok ? AuditResult::ok : AuditResult::error, std::move(detail)));
  };
}

ConnectorService::Async<void> ConnectorService::notify_active(OrgId org,
                                                              const std::string& tenant) {
  for (auto* p : participants_) {
    try {
      co_await p->connector_active(org, tenant);
    } catch (const std::exception& e) {
      spdlog::error("connector: {} failed to start for org {}: {}", p->participant_name(),
                    org.value, e.what());
    }
  }
}

ConnectorService::Async<void> ConnectorService::notify_inactive(OrgId org) {
  for (auto* p : participants_) {
    try {
      co_await p->connector_inactive(org);
    } catch (const std::exception& e) {
      spdlog::error("connector: {} failed to stop for org {}: {}", p->participant_name(), org.value,
                    e.what());
    }
  }
}

ConnectorAuditEntry ConnectorService::entry(OrgId org, const Caller* actor, std::string action,
                                            AuditResult result, std::string detail) const {
  if (actor == nullptr) {
    return entry_as(org, std::nullopt, "", std::move(action), result, std::move(detail));
  }
  return entry_as(org, actor->user_id, actor->username, std::move(action), result,
                  std::move(detail));
}

ConnectorAuditEntry ConnectorService::entry_as(OrgId org, std::optional<UserId> actor,
                                               std::string username, std::string action,
                                               AuditResult result, std::string detail) const {
  ConnectorAuditEntry e;
  e.org = org;
  e.actor = actor;
  e.actor_username = std::move(username);
  e.action = std::move(action);
  e.result = result;
  e.detail = std::move(detail);
  e.at = clock_.now();
  return e;
}

void ConnectorService::append(ConnectorStore& st, const ConnectorAuditEntry& e) {
  // The action itself has happened (or been refused); a lost audit line must not undo it, but
  // it must be visible to operators.
  if (auto r = st.append_audit(e); !r) {
    spdlog::error("connector audit for org {} not recorded ({} {}): {}", e.org.value, e.action,
                  e.result == AuditResult::ok ? "ok" : "error", r.error().message);
  }
}

void ConnectorService::record(ConnectorAuditEntry e) {
  store_.post([e = std::move(e)](Stores& s) { append(s.connectors(), e); });
}

}  // namespace ccteams
