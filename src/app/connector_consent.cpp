// ConnectorService, the Entra half: admin consent (authorize and the callback), confirming a
// tenant with an app token, reactivation, health checks and authorisation errors.
#include <spdlog/spdlog.h>

#include <cctype>

#include "app/connector_entra.hpp"
#include "app/connector_service.hpp"

namespace ccteams {

namespace {

// RFC 3986 unreserved characters kept, everything else %XX (query values of the consent URL).
std::string url_encode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// The AADSTS number Entra puts at the start of an error_description ("AADSTS65004: ...").
std::string aadsts_code(std::string_view description) {
  const auto p = description.find("AADSTS");
  if (p == std::string_view::npos) return {};
  std::size_t end = p + 6;
  while (end < description.size() && std::isdigit(static_cast<unsigned char>(description[end]))) {
    ++end;
  }
  return end > p + 6 ? std::string(description.substr(p, end - p)) : std::string{};
}

// Entra's description without its "Trace ID / Correlation ID" lines, bounded for display.
std::string first_line(std::string_view text) {
  auto line = text.substr(0, text.find_first_of("\r\n"));
  if (line.size() > 300) line = line.substr(0, 300);
  return std::string(line);
}

// The admin-facing sentence for Entra's error redirect (graph-protocol.md §1.1).
std::string consent_error_message(const ConsentCallback& p) {
  const std::string code = aadsts_code(p.error_description);
  const std::string suffix = code.empty() ? " (" + p.error + ")" : " (" + code + ")";
  if (p.error == "access_denied" &&
      (code == "AADSTS90094" || code == "AADSTS65001" || code.empty())) {
    return "Microsoft Entra ID refused the consent: the signed-in account is not a Global "
           "Administrator or Privileged Role Administrator" +
           suffix + ". Sign in to Microsoft with such an account and start again with Set up.";
  }
  if (p.error == "consent_required" || p.error == "permission_denied" || code == "AADSTS65004") {
    return "The consent was cancelled in Microsoft Entra ID" + suffix +
           "; nothing was changed. Start again with Set up when ready.";
  }
  std::string text = "Microsoft Entra ID refused the consent: " + p.error;
  if (!p.error_description.empty()) text += ": " + first_line(p.error_description);
  return text;
}

}  // namespace

Result<IdleCodeId> ConnectorService::ensure_idle_code(OrgId org, const char* name) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto codes = cc_.list_idle_codes(org);
    if (!codes) return std::move(codes).error();
    for (const auto& c : *codes) {
      if (c.name == name) return c.id;
    }
    IdleCode code;
    code.org = org;
    code.name = name;
    auto created = cc_.create_idle_code(org, code);
    if (created) return created->id;
    // conflict: created concurrently under the same name; the second listing finds it.
    if (created.error().code != Errc::conflict) return std::move(created).error();
  }
  return make_error(Errc::internal, std::string("idle code ") + name + " could not be created");
}

Result<PresenceMapping> ConnectorService::default_mapping(OrgId org) {
  DefaultMappingCodes codes;
  for (auto [name, slot] : {std::pair{kTeamsDndCodeName, &codes.do_not_disturb},
                            std::pair{kTeamsInACallCodeName, &codes.in_a_call},
                            std::pair{kTeamsConferenceCodeName, &codes.in_a_conference_call},
                            std::pair{kTeamsPresentingCodeName, &codes.presenting}}) {
    auto id = ensure_idle_code(org, name);
    if (!id) return std::move(id).error();
    *slot = *id;
  }
  return default_presence_mapping(codes);
}

Result<AuthorizeStart> ConnectorService::authorize(const Caller& caller) {
  if (auto r = require_role(caller, {Role::admin}); !r) return std::move(r).error();
  if (config_.client_id.empty() || config_.redirect_uri.empty()) {
    return make_error(Errc::unavailable,
                      "The Microsoft Teams connector is not configured on this server "
                      "([microsoft] client_id and server.public_url)");
  }
  auto current = load(caller.org_id);
  if (!current) return std::move(current).error();
  auto next_status = next_connector_status(current->status, ConnectorEvent::authorize);
  if (!next_status) {
    record(caller.org_id, &caller, "authorize", AuditResult::error, next_status.error().message);
    return std::move(next_status).error();
  }
  const Timestamp now = clock_.now();
  if (*next_status != current->status) {
    TeamsConnector next = *current;
    next.status = *next_status;
    next.updated_at = now;
    auto saved = store_.save_connector(next, current->version);
    if (!saved) return std::move(saved).error();
  }
  // 256 random bits; only the digest is stored, so the database cannot answer the callback.
  const std::string state = tokens_.new_token();
  ConsentRequest request{tokens_.digest(state),
                         caller.org_id,
                         caller.user_id,
                         caller.username,
                         caller.session_digest,
                         now,
                         now + config_.consent_ttl,
                         false};
  if (auto r = store_.put_consent_request(request); !r) return std::move(r).error();
  // Old requests are kept a day so that a late callback still gets "expired", not "unknown".
  if (auto r = store_.prune_consent_requests(now - std::chrono::hours(24)); !r) {
    spdlog::warn("connector: pruning consent requests failed: {}", r.error().message);
  }
  record(caller.org_id, &caller, "authorize", AuditResult::ok,
         "admin consent started; the request expires at " + format_iso8601(request.expires_at));
  return AuthorizeStart{config_.login_base + "/organizations/v2.0/adminconsent?client_id=" +
                            url_encode(config_.client_id) +
                            "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&redirect_uri=" +
                            url_encode(config_.redirect_uri) + "&state=" + url_encode(state),
                        request.expires_at};
}

ConnectorService::Async<Result<TeamsConnector>> ConnectorService::callback(ConsentCallback p) {
  const Timestamp now = clock_.now();
  const Error restart = make_error(
      Errc::invalid_input,
      "This consent answer does not belong to a Set up started here; start again with Set up");
  if (p.state.empty()) co_return restart;
  const std::string digest = tokens_.digest(p.state);
  auto request = store_.claim_consent_request(digest);
  if (!request) {
    if (request.error().code != Errc::not_found) co_return std::move(request).error();
    spdlog::warn("connector: consent callback with an unknown state");
    co_return restart;
  }
  const OrgId org = request->org;
  auto fail = [&](Error e) -> Error {
    record_as(org, request->user, request->username, "callback", AuditResult::error, e.message);
    return e;
  };
  if (request->used) {
    co_return fail(make_error(Errc::conflict,
                              "This consent answer was already used; start again with Set up"));
  }
  if (now >= request->expires_at) {
    co_return fail(
        make_error(Errc::conflict, "The consent request expired; start again with Set up"));
  }
  // The session that started it must still be an admin's session of the same organisation.
  auto session = accounts_.find_session(request->session_digest, now);
  auto user = accounts_.get_user(org, request->user);
  if (!session || session->org_id != org || session->user_id != request->user || !user ||
      user->disabled || !user->roles.has(Role::admin)) {
    co_return fail(make_error(Errc::forbidden,
                              "The ccteams admin session that started this consent has ended or "
                              "is no longer an admin of this organisation; sign in and start "
                              "again with Set up"));
  }
  // Error first: the v2 error redirect still says admin_consent=True.
  if (!p.error.empty()) co_return fail(make_error(Errc::forbidden, consent_error_message(p)));
  if (!iequal(p.admin_consent, "true") || p.tenant.empty()) {
    co_return fail(make_error(Errc::invalid_input,
                              "Microsoft Entra ID did not confirm the admin consent; start again "
                              "with Set up"));
  }
  const TenantConfirmation confirmed = co_await confirm_tenant(graph_, p.tenant);
  if (confirmed.kind == TenantConfirmation::Kind::transient) {
    // Consent is granted in Entra; only our confirmation is missing. Reloading the page retries.
    if (auto r = store_.release_consent_request(digest); !r) {
      spdlog::warn("connector: releasing a consent request failed: {}", r.error().message);
    }
    co_return fail(confirmed.error);
  }
  if (confirmed.kind == TenantConfirmation::Kind::refused) co_return fail(confirmed.error);
  // A tenant belongs to one organisation at most (the store enforces it too): another
  // organisation's tenant is refused without saying whose it is.
  auto holder = store_.find_org_by_tenant(confirmed.tid);
  if (!holder) co_return fail(std::move(holder).error());
  if (*holder && **holder != org) {
    co_return fail(make_error(Errc::conflict, std::string(kTenantTakenMessage)));
  }

  auto current = load(org);
  if (!current) co_return fail(std::move(current).error());
  auto next_status = next_connector_status(current->status, ConnectorEvent::consent_accepted);
  if (!next_status) co_return fail(std::move(next_status).error());
  TeamsConnector next = *current;
  next.status = *next_status;
  next.tenant_id = confirmed.tid;
  next.consented_by = request->user;
  next.consented_by_username = request->username;
  next.consented_at = now;
  next.granted_permissions = confirmed.roles;
  next.last_error.clear();
  next.updated_at = now;
  if (next.mapping.rules().empty()) {
    auto mapping = default_mapping(org);
    if (!mapping) co_return fail(std::move(mapping).error());
    next.mapping = std::move(*mapping);
  }
  auto saved = store_.save_connector(next, current->version);
  if (!saved) co_return fail(std::move(saved).error());
  std::string permissions;
  for (const auto& r : next.granted_permissions)
    permissions += (permissions.empty() ? "" : " ") + r;
  record_as(org, request->user, request->username, "callback", AuditResult::ok,
            std::string(connector_status_name(current->status)) + " -> Active; tenant " +
                next.tenant_id + "; permissions " + permissions);
  co_await notify_active(org, next.tenant_id);
  co_return saved;
}

ConnectorService::Async<Result<TeamsConnector>> ConnectorService::reactivate(const Caller& caller) {
  if (auto r = require_role(caller, {Role::admin}); !r) co_return std::move(r).error();
  auto current = load(caller.org_id);
  if (!current) co_return current;
  auto next_status = next_connector_status(current->status, ConnectorEvent::reactivate);
  if (!next_status) {
    record(caller.org_id, &caller, "reactivate", AuditResult::error, next_status.error().message);
    co_return std::move(next_status).error();
  }
  const TenantConfirmation confirmed = co_await confirm_tenant(graph_, current->tenant_id);
  if (confirmed.kind == TenantConfirmation::Kind::transient) {
    record(caller.org_id, &caller, "reactivate", AuditResult::error, confirmed.error.message);
    co_return confirmed.error;
  }
  if (confirmed.kind == TenantConfirmation::Kind::refused) {
    co_await mark_authorization_error(caller.org_id, confirmed.error.message, &caller);
    co_return confirmed.error;
  }
  TeamsConnector next = *current;
  next.status = *next_status;
  next.granted_permissions = confirmed.roles;
  next.last_error.clear();
  next.updated_at = clock_.now();
  auto saved = store_.save_connector(next, current->version);
  if (!saved) co_return saved;
  record(caller.org_id, &caller, "reactivate", AuditResult::ok, "Inactive -> Active");
  co_await notify_active(caller.org_id, next.tenant_id);
  co_return saved;
}

ConnectorService::Async<void> ConnectorService::mark_authorization_error(OrgId org,
                                                                         std::string message,
                                                                         const Caller* actor) {
  // Two attempts: a concurrent write (e.g. an update of the mapping) must not hide the error.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto current = load(org);
    if (!current) co_return;
    auto next_status = next_connector_status(current->status, ConnectorEvent::authorization_failed);
    if (!next_status) co_return;  // not Active/Inactive (already in error, deleted, ...)
    TeamsConnector next = *current;
    next.status = *next_status;
    next.last_error = message;
    next.updated_at = clock_.now();
    auto saved = store_.save_connector(next, current->version);
    if (!saved && saved.error().code == Errc::conflict) continue;
    if (!saved) {
      spdlog::error("connector: org {} authorisation error not stored: {}", org.value,
                    saved.error().message);
      co_return;
    }
    record(
        org, actor, "authorization error", AuditResult::error,
        std::string(connector_status_name(current->status)) + " -> AuthorizationError: " + message);
    spdlog::warn("connector: org {} is in AuthorizationError: {}", org.value, message);
    if (current->status == ConnectorStatus::active) co_await notify_inactive(org);
    co_return;
  }
}

ConnectorService::Async<void> ConnectorService::report_authorization_failure(
    OrgId org, const GraphError& error) {
  switch (classify_reported_failure(error)) {
    case ReportedFailure::refused: {
      auto current = load(org);
      const std::string tenant = current ? current->tenant_id : std::string("?");
      co_await mark_authorization_error(org, entra_refusal_message(error, tenant), nullptr);
      break;
    }
    case ReportedFailure::confirm:
      (void)co_await check_health(org);
      break;
    case ReportedFailure::ignore:
      break;
  }
}

ConnectorService::Async<Result<ConnectorStatus>> ConnectorService::check_health(OrgId org) {
  auto current = load(org);
  if (!current) co_return std::move(current).error();
  if (current->status != ConnectorStatus::active) co_return current->status;
  const TenantConfirmation confirmed = co_await confirm_tenant(graph_, current->tenant_id);
  if (confirmed.kind == TenantConfirmation::Kind::transient) co_return confirmed.error;
  if (confirmed.kind == TenantConfirmation::Kind::refused) {
    co_await mark_authorization_error(org, confirmed.error.message, nullptr);
    auto after = load(org);
    if (!after) co_return std::move(after).error();
    co_return after->status;
  }
  co_return ConnectorStatus::active;
}

ConnectorService::Async<void> ConnectorService::check_all_active() {
  auto orgs = store_.orgs_with_status(ConnectorStatus::active);
  if (!orgs) {
    spdlog::error("connector health check: {}", orgs.error().message);
    co_return;
  }
  for (OrgId org : *orgs) {
    auto status = co_await check_health(org);
    if (!status) {
      spdlog::warn("connector health check of org {}: {}", org.value, status.error().message);
    }
  }
}

}  // namespace ccteams
