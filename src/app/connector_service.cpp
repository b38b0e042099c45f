// ConnectorService: the connectors tab, features and mapping, the lifecycle steps an admin
// takes, and what other services read. Consent, health checks and authorisation errors are in
// connector_consent.cpp.
#include "app/connector_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ccteams {

namespace {

Result<void> require_admin(const Caller& caller) { return require_role(caller, {Role::admin}); }

TeamsConnector not_configured(OrgId org) {
  TeamsConnector c;
  c.org = org;
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

ConnectorService::ConnectorService(ConnectorStore& store, ConnectorIdleCodes& cc,
                                   AccountStore& accounts, GraphClient& graph,
                                   IdTokenVerifier& id_tokens, const EntraLinks& links,
                                   const SecretSealer& sealer, const PkceHasher& pkce,
                                   const TokenSource& tokens, const Clock& clock,
                                   ConnectorServiceConfig config)
    : store_(store),
      cc_(cc),
      accounts_(accounts),
      graph_(graph),
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

Result<TeamsConnector> ConnectorService::load(OrgId org) {
  auto found = store_.find_connector(org);
  if (!found) return std::move(found).error();
  if (!*found) return not_configured(org);
  return std::move(**found);
}

Result<TeamsConnector> ConnectorService::list(const Caller& caller) {
  if (auto r = require_admin(caller); !r) return std::move(r).error();
  return load(caller.org_id);
}

Result<TeamsConnector> ConnectorService::get(const Caller& caller) { return list(caller); }

Result<void> ConnectorService::check_mapping(OrgId org, const PresenceMapping& mapping) {
  if (auto r = mapping.validate(); !r) return r;
  for (std::size_t i = 0; i < mapping.rules().size(); ++i) {
    const auto& rule = mapping.rules()[i];
    const std::string field = "presenceMapping[" + std::to_string(i) + "].idleCodeId";
    auto code = cc_.get_idle_code(org, rule.idle_code);
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

Result<TeamsConnector> ConnectorService::update(const Caller& caller, const ConnectorPatch& patch) {
  if (auto r = require_admin(caller); !r) return std::move(r).error();
  auto current = load(caller.org_id);
  if (!current) return current;
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
    if (auto r = check_mapping(caller.org_id, mapping); !r) {
      record(caller.org_id, &caller, "update", AuditResult::error, r.error().message);
      return std::move(r).error();
    }
    if (!(mapping == next.mapping)) {
      next.mapping = std::move(mapping);
      changes.push_back("presenceMapping " + describe_mapping(next.mapping));
    }
  }
  if (changes.empty()) return current;
  next.updated_at = clock_.now();
  auto saved = store_.save_connector(next, current->version);
  if (!saved) {
    record(caller.org_id, &caller, "update", AuditResult::error, saved.error().message);
    return saved;
  }
  std::string detail;
  for (const auto& c : changes) detail += (detail.empty() ? "" : "; ") + c;
  record(caller.org_id, &caller, "update", AuditResult::ok, detail);
  if (saved->status == ConnectorStatus::active) {
    for (auto* p : participants_) p->connector_changed(caller.org_id);
  }
  return saved;
}

ConnectorService::Async<Result<TeamsConnector>> ConnectorService::deactivate(const Caller& caller) {
  if (auto r = require_admin(caller); !r) co_return std::move(r).error();
  auto current = load(caller.org_id);
  if (!current) co_return current;
  auto next_status = next_connector_status(current->status, ConnectorEvent::deactivate);
  if (!next_status) {
    record(caller.org_id, &caller, "deactivate", AuditResult::error, next_status.error().message);
    co_return std::move(next_status).error();
  }
  TeamsConnector next = *current;
  next.status = *next_status;
  next.updated_at = clock_.now();
  auto saved = store_.save_connector(next, current->version);
  if (!saved) co_return saved;
  record(caller.org_id, &caller, "deactivate", AuditResult::ok, "Active -> Inactive");
  co_await notify_inactive(caller.org_id);
  co_return saved;
}

ConnectorService::Async<Result<DeleteOutcome>> ConnectorService::remove(const Caller& caller) {
  if (auto r = require_admin(caller); !r) co_return std::move(r).error();
  auto current = load(caller.org_id);
  if (!current) co_return std::move(current).error();
  auto next_status = next_connector_status(current->status, ConnectorEvent::remove);
  if (!next_status) {
    record(caller.org_id, &caller, "delete", AuditResult::error, next_status.error().message);
    co_return std::move(next_status).error();
  }
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
      record(caller.org_id, &caller, "delete", AuditResult::error, message);
      co_return make_error(
          removed.error().code == Errc::internal ? Errc::unavailable : removed.error().code,
          message);
    }
    out.removed.push_back(std::string(p->participant_name()) + ": " + *removed);
  }
  if (auto r = store_.delete_connector(caller.org_id); !r) {
    record(caller.org_id, &caller, "delete", AuditResult::error, r.error().message);
    co_return std::move(r).error();
  }
  out.message = kEnterpriseAppStaysMessage;
  std::string detail = std::string(connector_status_name(current->status)) + " -> NotConfigured";
  for (const auto& line : out.removed) detail += "; " + line;
  record(caller.org_id, &caller, "delete", AuditResult::ok, detail);
  co_return out;
}

Result<std::vector<ConnectorAuditEntry>> ConnectorService::audit(
    const Caller& caller, std::size_t limit, std::optional<std::int64_t> before) {
  if (auto r = require_admin(caller); !r) return std::move(r).error();
  if (limit < 1 || limit > 200) {
    return make_error(Errc::invalid_input, "limit must be from 1 to 200");
  }
  return store_.list_audit(caller.org_id, limit, before);
}

Result<std::optional<std::string>> ConnectorService::idle_code_in_use(OrgId org, IdleCodeId code) {
  auto current = store_.find_connector(org);
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

Result<ActiveConnector> ConnectorService::active(OrgId org) {
  auto current = store_.find_connector(org);
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

std::function<Result<std::string>(OrgId)> ConnectorService::active_tenant_lookup() {
  return [this](OrgId org) -> Result<std::string> {
    auto a = active(org);
    if (!a) return std::move(a).error();
    return std::move(a->tenant);
  };
}

std::function<void(const Caller&, std::string, bool, std::string)> ConnectorService::audit_hook() {
  return [this](const Caller& who, std::string action, bool ok, std::string detail) {
    std::optional<UserId> actor;
    if (who.user_id.value != 0) actor = who.user_id;
    record_as(who.org_id, actor, who.username, std::move(action),
              ok ? AuditResult::ok : AuditResult::error, std::move(detail));
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

void ConnectorService::record(OrgId org, const Caller* actor, std::string action,
                              AuditResult result, std::string detail) {
  if (actor == nullptr) {
    record_as(org, std::nullopt, "", std::move(action), result, std::move(detail));
  } else {
    record_as(org, actor->user_id, actor->username, std::move(action), result, std::move(detail));
  }
}

void ConnectorService::record_as(OrgId org, std::optional<UserId> actor, std::string username,
                                 std::string action, AuditResult result, std::string detail) {
  ConnectorAuditEntry e;
  e.org = org;
  e.actor = actor;
  e.actor_username = std::move(username);
  e.action = std::move(action);
  e.result = result;
  e.detail = std::move(detail);
  e.at = clock_.now();
  // The action itself has happened (or been refused); a lost audit line must not undo it, but
  // it must be visible to operators.
  if (auto r = store_.append_audit(e); !r) {
    spdlog::error("connector audit for org {} not recorded ({} {}): {}", org.value, e.action,
                  result == AuditResult::ok ? "ok" : "error", r.error().message);
  }
}

}  // namespace ccteams
