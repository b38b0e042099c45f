// ConnectorService: health checks and authorisation errors (Entra refusing our app token), which
// turn an Active or Inactive connector into AuthorizationError.
#include <spdlog/spdlog.h>

#include "app/connector_entra.hpp"
#include "app/connector_service.hpp"
#include "app/ports/entra.hpp"

namespace ccteams {

std::optional<ConnectorStatus> ConnectorService::save_authorization_error(
    ConnectorStore& st, OrgId org, const std::string& message, const Caller* actor) {
  // Two attempts: a concurrent write (e.g. an update of the mapping) must not hide the error.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto current = load(st, org);
    if (!current) return std::nullopt;
    auto next_status = next_connector_status(current->status, ConnectorEvent::authorization_failed);
    if (!next_status) return std::nullopt;  // not Active/Inactive (already in error, deleted, ...)
    TeamsConnector next = *current;
    next.status = *next_status;
    next.last_error = message;
    next.updated_at = clock_.now();
    auto saved = st.save_connector(next, current->version);
    if (!saved && saved.error().code == Errc::conflict) continue;
    if (!saved) {
      spdlog::error("connector: org {} authorisation error not stored: {}", org.value,
                    saved.error().message);
      return std::nullopt;
    }
    append(st, entry(org, actor, "authorization error", AuditResult::error,
                     std::string(connector_status_name(current->status)) +
                         " -> AuthorizationError: " + message));
    return current->status;
  }
  return std::nullopt;
}

ConnectorService::Async<void> ConnectorService::mark_authorization_error(OrgId org,
                                                                         std::string message,
                                                                         const Caller* actor) {
  auto job = [&](Stores& s) {
    return save_authorization_error(s.connectors(), org, message, actor);
  };
  const std::optional<ConnectorStatus> was = co_await store_.run(job);
  if (!was) co_return;
  spdlog::warn("connector: org {} is in AuthorizationError: {}", org.value, message);
  if (*was == ConnectorStatus::active) co_await notify_inactive(org);
}

ConnectorService::Async<void> ConnectorService::report_authorization_failure(OrgId org,
                                                                             GraphError error) {
  switch (classify_reported_failure(error)) {
    case ReportedFailure::refused: {
      auto job = [&](Stores& s) { return load(s.connectors(), org); };
      auto current = co_await store_.run(job);
      const std::string tenant = current ? current->tenant_id : std::string("?");
      co_await mark_authorization_error(org, entra_refusal_message(error, tenant), nullptr);
      break;
    }
    case ReportedFailure::confirm:
      // check_health records what it finds in the connector's status (the console shows it).
      if (auto r = co_await check_health(org); !r) {
        spdlog::warn("connector: org {}: health check after a Graph refusal failed: {}", org.value,
                     r.error().message);
      }
      break;
    case ReportedFailure::ignore:
      break;
  }
}

ConnectorService::Async<Result<ConnectorStatus>> ConnectorService::check_health(OrgId org) {
  auto job = [&](Stores& s) { return load(s.connectors(), org); };
  auto current = co_await store_.run(job);
  if (!current) co_return std::move(current).error();
  if (current->status != ConnectorStatus::active) co_return current->status;
  const TenantConfirmation confirmed = co_await confirm_tenant(entra_, current->tenant_id);
  if (confirmed.kind == TenantConfirmation::Kind::transient) co_return confirmed.error;
  if (confirmed.kind == TenantConfirmation::Kind::refused) {
    co_await mark_authorization_error(org, confirmed.error.message, nullptr);
    auto after = co_await store_.run(job);
    if (!after) co_return std::move(after).error();
    co_return after->status;
  }
  co_return ConnectorStatus::active;
}

ConnectorService::Async<void> ConnectorService::check_all_active() {
  auto orgs = co_await active_orgs();
  if (!orgs) {
    spdlog::error("connector health check: {}", orgs.error().message);
    co_return;
  }
  for (OrgId org : *orgs) {
    if (!config_.ownership->serves(org)) continue;
    auto status = co_await check_health(org);
    if (!status) {
      spdlog::warn("connector health check of org {}: {}", org.value, status.error().message);
    }
  }
}

}  // namespace ccteams
