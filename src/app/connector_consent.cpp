// ConnectorService, the Entra half: admin consent (authorize and the callback), confirming a
// tenant with an app token, and reactivation. Health checks and authorisation errors are in
// connector_health.cpp.
#include <spdlog/spdlog.h>

#include <cctype>
#include <functional>

#include "app/connector_entra.hpp"
#include "app/connector_service.hpp"
#include "app/oauth_text.hpp"

namespace ccteams {

namespace {

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

Result<IdleCodeId> ConnectorService::ensure_idle_code(ContactCenterStore& cc, OrgId org,
                                                      const char* name) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto codes = cc.list_idle_codes(org);
    if (!codes) return std::move(codes).error();
    for (const auto& c : *codes) {
      if (c.name == name) return c.id;
    }
    IdleCode code;
    code.org = org;
    code.name = name;
    auto created = cc.create_idle_code(org, code);
    if (created) return created->id;
    // conflict: created concurrently under the same name; the second listing finds it.
    if (created.error().code != Errc::conflict) return std::move(created).error();
  }
  return make_error(Errc::internal, std::string("idle code ") + name + " could not be created");
}

Result<PresenceMapping> ConnectorService::default_mapping(ContactCenterStore& cc, OrgId org) {
  DefaultMappingCodes codes;
  for (auto [name, slot] : {std::pair{kTeamsDndCodeName, &codes.do_not_disturb},
                            std::pair{kTeamsInACallCodeName, &codes.in_a_call},
                            std::pair{kTeamsConferenceCodeName, &codes.in_a_conference_call},
                            std::pair{kTeamsPresentingCodeName, &codes.presenting}}) {
    auto id = ensure_idle_code(cc, org, name);
    if (!id) return std::move(id).error();
    *slot = *id;
  }
  return default_presence_mapping(codes);
}

ConnectorService::Async<Result<AuthorizeStart>> ConnectorService::authorize(Caller caller) {
  if (auto r = require_role(caller, {Role::admin}); !r) co_return std::move(r).error();
  if (config_.client_id.empty() || config_.redirect_uri.empty()) {
    co_return make_error(Errc::unavailable,
                         "The Microsoft Teams connector is not configured on this server "
                         "([microsoft] client_id and server.public_url)");
  }
  auto job = [&](Stores& s) { return start_authorize(s.connectors(), caller); };
  co_return co_await store_.run(job);
}

// The status step and the stored request in one job: the request is for the status just read.
Result<AuthorizeStart> ConnectorService::start_authorize(ConnectorStore& st, const Caller& caller) {
  auto current = load(st, caller.org_id);
  if (!current) return std::move(current).error();
  auto next_status = next_connector_status(current->status, ConnectorEvent::authorize);
  if (!next_status) {
    append(st, entry(caller.org_id, &caller, "authorize", AuditResult::error,
                     next_status.error().message));
    return std::move(next_status).error();
  }
  const Timestamp now = clock_.now();
  if (*next_status != current->status) {
    TeamsConnector next = *current;
    if (current->status == ConnectorStatus::not_configured) {
      next.show_user_details = config_.optional_features_on;
      next.presence_sync = config_.optional_features_on;
    }
    next.status = *next_status;
    next.updated_at = now;
    auto saved = st.save_connector(next, current->version);
    if (!saved) return std::move(saved).error();
  }
  // 256 random bits; only the digest is stored, so the database cannot answer the callback.
  const std::string state = tokens_.new_token();
  const std::string verifier = new_code_verifier(tokens_);
  ConsentRequest request;
  request.state_digest = tokens_.digest(state);
  request.org = caller.org_id;
  request.user = caller.user_id;
  request.username = caller.username;
  request.session_digest = caller.session_digest;
  request.created_at = now;
  request.expires_at = now + config_.consent_ttl;
  request.stage = ConsentStage::sign_in;
  request.nonce = tokens_.new_token();
  auto sealed = sealer_.seal(verifier, code_verifier_purpose(caller.org_id, request.state_digest));
  if (!sealed) return std::move(sealed).error();
  request.sealed_code_verifier = std::move(*sealed);
  if (auto r = st.put_consent_request(request); !r) return std::move(r).error();
  // Old requests are kept a day so that a late callback still gets "expired", not "unknown".
  if (auto r = st.prune_consent_requests(now - std::chrono::hours(24)); !r) {
    spdlog::warn("connector: pruning consent requests failed: {}", r.error().message);
  }
  append(st, entry(caller.org_id, &caller, "authorize", AuditResult::ok,
                   "Set up started: Microsoft sign-in of a tenant administrator; the request "
                   "expires at " +
                       format_iso8601(request.expires_at)));
  // `organizations`: any work account may sign in; which tenant it belongs to is what the ID
  // token proves, and the only tenant admin consent will then be asked of.
  const SignInLinkRequest link{"organizations",
                               config_.client_id,
                               config_.redirect_uri,
                               std::string(kAdminSignInScopes),
                               state,
                               request.nonce,
                               pkce_.s256_challenge(verifier)};
  return AuthorizeStart{links_.sign_in_url(link), request.expires_at};
}

std::string ConnectorService::code_verifier_purpose(OrgId org, std::string_view state_digest) {
  return "ccteams/connector-sign-in/org:" + std::to_string(org.value) +
         "/state:" + std::string(state_digest) + "/code_verifier";
}

ConnectorService::Async<Result<ConsentStep>> ConnectorService::callback(ConsentCallback p) {
  const Timestamp now = clock_.now();
  const Error restart = make_error(
      Errc::invalid_input,
      "This answer from Microsoft does not belong to a Set up started here; start again with "
      "Set up");
  if (p.state.empty()) co_return restart;
  const std::string digest = tokens_.digest(p.state);
  // The claim and the session it is bound to, read together.
  struct Claimed {
    Result<ConsentRequest> request;
    bool admin_session = false;  // the session that started it is still an admin's, same org
  };
  auto claim = [&](Stores& s) -> Claimed {
    Claimed out{s.connectors().claim_consent_request(digest)};
    if (!out.request) return out;
    const ConsentRequest& r = *out.request;
    // [cluster] Entra's redirect may land on any instance. Only the owner completes it, so that
    // its participants (presence sync, directory) start at once: here the claim is undone in the
    // same transaction and the HTTP layer forwards the redirect to the owner.
    if (!r.used && !config_.ownership->serves(r.org)) {
      const OrgId org = r.org;
      if (auto released = s.connectors().release_consent_request(digest); !released) {
        out.request = std::move(released).error();
      } else {
        out.request = org_elsewhere(org);
      }
      return out;
    }
    auto session = s.accounts().find_session(r.session_digest, now);
    auto user = s.accounts().get_user(r.org, r.user);
    out.admin_session = session && session->org_id == r.org && session->user_id == r.user && user &&
                        !user->disabled && user->roles.has(Role::admin);
    return out;
  };
  Claimed claimed = co_await store_.run(claim);
  auto& request = claimed.request;
  if (!request) {
    if (request.error().code != Errc::not_found) co_return std::move(request).error();
    spdlog::warn("connector: consent callback with an unknown state");
    co_return restart;
  }
  const OrgId org = request->org;
  // A refusal is audited under the step it refused: the sign-in or the consent's callback.
  const char* step = request->stage == ConsentStage::sign_in ? "sign-in" : "callback";
  const std::function<Error(Error)> fail = [&](Error e) -> Error {
    record(entry_as(org, request->user, request->username, step, AuditResult::error, e.message));
    return e;
  };
  if (request->used) {
    co_return fail(make_error(Errc::conflict,
                              "This answer from Microsoft was already used; start again with "
                              "Set up"));
  }
  if (now >= request->expires_at) {
    co_return fail(
        make_error(Errc::conflict, "The Set up request expired; start again with Set up"));
  }
  // The session that started it must still be an admin's session of the same organisation.
  if (!claimed.admin_session) {
    co_return fail(make_error(Errc::forbidden,
                              "The ccteams admin session that started this Set up has ended or "
                              "is no longer an admin of this organisation; sign in and start "
                              "again with Set up"));
  }
  // Error first: the v2 error redirect still says admin_consent=True.
  if (!p.error.empty()) co_return fail(make_error(Errc::forbidden, consent_error_message(p)));
  if (request->stage == ConsentStage::sign_in) {
    co_return co_await finish_sign_in(*request, p, fail);
  }
  co_return co_await finish_consent(*request, digest, p, fail);
}

Result<TeamsConnector> ConnectorService::save_consented(Stores& s, const ConsentRequest& request,
                                                        const std::string& tid,
                                                        const std::vector<std::string>& roles) {
  const OrgId org = request.org;
  const Timestamp now = clock_.now();
  auto current = load(s.connectors(), org);
  if (!current) return current;
  auto next_status = next_connector_status(current->status, ConnectorEvent::consent_accepted);
  if (!next_status) return std::move(next_status).error();
  TeamsConnector next = *current;
  next.status = *next_status;
  next.tenant_id = tid;
  next.consented_by = request.user;
  next.consented_by_username = request.username;
  next.consented_by_entra_upn = request.entra_upn;
  next.consented_by_entra_oid = request.entra_oid;
  next.consented_at = now;
  next.granted_permissions = roles;
  next.last_error.clear();
  next.updated_at = now;
  if (next.mapping.rules().empty()) {
    auto mapping = default_mapping(s.contact_center(), org);
    if (!mapping) return std::move(mapping).error();
    next.mapping = std::move(*mapping);
  }
  // The store refuses a tenant another organisation holds (a unique index), whatever raced.
  auto saved = s.connectors().save_connector(next, current->version);
  if (!saved) return saved;
  std::string permissions;
  for (const auto& r : next.granted_permissions)
    permissions += (permissions.empty() ? "" : " ") + r;
  append(s.connectors(),
         entry_as(org, request.user, request.username, "callback", AuditResult::ok,
                  std::string(connector_status_name(current->status)) + " -> Active; tenant " +
                      next.tenant_id + "; consented by " + request.entra_upn + " (object id " +
                      request.entra_oid + "); permissions " + permissions));
  return saved;
}

ConnectorService::Async<Result<ConsentStep>> ConnectorService::finish_consent(
    const ConsentRequest& request, const std::string& digest, const ConsentCallback& p,
    const std::function<Error(Error)>& fail) {
  const OrgId org = request.org;
  if (!same_id(p.admin_consent, "true") || p.tenant.empty()) {
    co_return fail(make_error(Errc::invalid_input,
                              "Microsoft Entra ID did not confirm the admin consent; start again "
                              "with Set up"));
  }
  // The redirect's tenant is browser text (§1.1): it must be the tenant the sign-in proved.
  if (!same_id(p.tenant, request.tenant_id)) {
    co_return fail(make_error(Errc::forbidden,
                              "The consent answer names another Microsoft 365 tenant than the "
                              "one " +
                                  request.entra_upn +
                                  " signed in to; nothing was changed. Start again with Set up"));
  }
  auto free = [&](Stores& s) { return check_tenant_free(s.connectors(), org, request.tenant_id); };
  if (auto r = co_await store_.run(free); !r) co_return fail(r.error());
  const TenantConfirmation confirmed = co_await confirm_tenant(entra_, request.tenant_id);
  if (confirmed.kind == TenantConfirmation::Kind::transient) {
    // Consent is granted in Entra; only our confirmation is missing. Reloading the page retries.
    auto release = [&](Stores& s) { return s.connectors().release_consent_request(digest); };
    if (auto r = co_await store_.run(release); !r) {
      spdlog::warn("connector: releasing a consent request failed: {}", r.error().message);
    }
    co_return fail(confirmed.error);
  }
  if (confirmed.kind == TenantConfirmation::Kind::refused) co_return fail(confirmed.error);

  auto save = [&](Stores& s) { return save_consented(s, request, confirmed.tid, confirmed.roles); };
  auto saved = co_await store_.run(save);
  if (!saved) co_return fail(std::move(saved).error());
  co_await notify_active(org, saved->tenant_id);
  co_return ConsentStep{std::nullopt, std::move(*saved)};
}

ConnectorService::Async<Result<TeamsConnector>> ConnectorService::reactivate(Caller caller) {
  if (auto r = require_role(caller, {Role::admin}); !r) co_return std::move(r).error();
  auto check = [&](Stores& s) {
    return load_for(s.connectors(), caller, ConnectorEvent::reactivate, "reactivate");
  };
  auto current = co_await store_.run(check);
  if (!current) co_return current;
  const TenantConfirmation confirmed = co_await confirm_tenant(entra_, current->tenant_id);
  if (confirmed.kind == TenantConfirmation::Kind::transient) {
    record(
        entry(caller.org_id, &caller, "reactivate", AuditResult::error, confirmed.error.message));
    co_return confirmed.error;
  }
  if (confirmed.kind == TenantConfirmation::Kind::refused) {
    co_await mark_authorization_error(caller.org_id, confirmed.error.message, &caller);
    co_return confirmed.error;
  }
  TeamsConnector next = *current;
  next.status = *next_connector_status(current->status, ConnectorEvent::reactivate);
  next.granted_permissions = confirmed.roles;
  next.last_error.clear();
  next.updated_at = clock_.now();
  // Saved only if nothing changed while Entra was asked (the version).
  auto save = [&](Stores& s) -> Result<TeamsConnector> {
    auto saved = s.connectors().save_connector(next, current->version);
    if (saved) {
      append(s.connectors(),
             entry(caller.org_id, &caller, "reactivate", AuditResult::ok, "Inactive -> Active"));
    }
    return saved;
  };
  auto saved = co_await store_.run(save);
  if (!saved) co_return saved;
  co_await notify_active(caller.org_id, next.tenant_id);
  co_return saved;
}

}  // namespace ccteams
