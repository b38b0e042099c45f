#pragma once
// The organisation's Microsoft Teams connector (issue 4; DESIGN.md connector lifecycle and API):
// the connectors tab, admin consent (authorize + callback), features and presence mapping,
// deactivate / reactivate / delete, authorisation errors and health checks, and the audit log.
//
// Access: every call that takes a Caller requires the admin role and works only on the caller's
// organisation (another organisation's connector is never seen or touched). The consent
// callback has no session (SameSite=Strict cookies do not follow a cross-site redirect): its
// `state` names the consent request, which is bound to the admin's session and organisation.
//
// Errors are sentences an admin can act on: forbidden (not an admin), not_found (nothing set
// up), conflict (the lifecycle forbids the step, e.g. delete while Active), invalid_input (a
// bad patch, naming the field), unavailable / rate_limited (Entra unreachable or throttling).
//
// Concurrency: the connector row carries a version; a step that lost a race with another is
// refused with conflict ("changed at the same time; try again") instead of overwriting it.
// Thread-safety: all calls may run concurrently once add_participant / set_redirect_uri are
// done (call those before serving). Participants are called after the new status is stored.

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/auth_service.hpp"
#include "app/connector_participant.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/entra_links.hpp"
#include "app/ports/id_token_verifier.hpp"
#include "app/ports/org_ownership.hpp"
#include "app/ports/secret_sealer.hpp"
#include "app/ports/store.hpp"
#include "app/ports/token_source.hpp"
#include "core/connector.hpp"

namespace ccteams {

class EntraTokens;
struct GraphError;

struct ConnectorServiceConfig {
  std::string client_id;  // the Entra app registration (application id)
  // {public_url}/api/v1/connectors/msteams/callback; must be registered on the app.
  std::string redirect_uri;
  Millis consent_ttl = std::chrono::minutes(10);
  // Show user details and Presence sync of a connector set up for the first time. The vendor
  // calls both optional: `ccteams serve` starts them off until an admin turns them on, the demo
  // (src/cli) turns them on.
  bool optional_features_on = true;
  // Which organisations this instance serves (app/ports/org_ownership.hpp): the periodic health
  // check looks only at those (their owner checks the others). Not owned; outlives the service.
  const OrgOwnership* ownership = &OrgOwnership::every_org();
};

// A PATCH of the connector: absent fields are kept.
struct ConnectorPatch {
  std::optional<bool> show_user_details;
  std::optional<bool> presence_sync;
  std::optional<std::vector<PresenceMappingRule>> presence_mapping;
};

struct AuthorizeStart {
  std::string authorization_url;  // open in a popup; carries the one-time state
  Timestamp expires_at;
};

// The query of Entra's redirect to the callback, as received: the sign-in's (code, §1.2) or the
// admin consent's (admin_consent, tenant, §1.1). Which one it is comes from the stored request
// that state names, never from these parameters.
struct ConsentCallback {
  std::string state;
  std::string code;
  std::string admin_consent;  // "True" on success (and, in v2, on errors too)
  std::string tenant;
  std::string scope;
  std::string error;
  std::string error_description;
};

// What the callback does next: after the sign-in, on to admin consent in the proven tenant
// (redirect_url); after the consent, the Active connector.
struct ConsentStep {
  std::optional<std::string> redirect_url;
  std::optional<TeamsConnector> connector;
};

// The Entra scopes of the administrator's sign-in: who they are (openid profile) and, where the
// ID token carries no `wids`, their directory roles through Graph (User.Read: /me/memberOf).
inline constexpr std::string_view kAdminSignInScopes = "openid profile User.Read";

struct DeleteOutcome {
  std::vector<std::string> removed;  // one summary line per participant
  // "The enterprise application stays in Microsoft Entra ID until an administrator removes it
  // there."
  std::string message;
};

// What other services read about an Active connector.
struct ActiveConnector {
  std::string tenant;
  bool show_user_details = true;
  bool presence_sync = true;
  PresenceMapping mapping;
};

// Names of the idle codes the default mapping creates when the org lacks them. Hyphens, not
// colons: the org's own name rule (core/idle_code.hpp) allows no ':'.
inline constexpr const char* kTeamsDndCodeName = "Teams - Do not disturb";
inline constexpr const char* kTeamsInACallCodeName = "Teams - In a call";
inline constexpr const char* kTeamsConferenceCodeName = "Teams - In a conference call";
inline constexpr const char* kTeamsPresentingCodeName = "Teams - Presenting";
inline constexpr const char* kEnterpriseAppStaysMessage =
    "The enterprise application stays in Microsoft Entra ID until an administrator removes it "
    "there.";

// The Active connector of org as stored: what ConnectorService::active answers (not_found when
// none, conflict when not Active). For code that already runs inside a Store::run job.
Result<ActiveConnector> read_active_connector(ConnectorStore& store, OrgId org);

class ConnectorService {
 public:
  template <class T>
  using Async = boost::asio::awaitable<T>;

  // Not owned; all must outlive the service. Every store call runs on store's executor.
  ConnectorService(Store& store, EntraTokens& entra, IdTokenVerifier& id_tokens,
                   const EntraLinks& links, const SecretSealer& sealer, const PkceHasher& pkce,
                   const TokenSource& tokens, const Clock& clock, ConnectorServiceConfig config);

  // Before serving only. Not owned; participants must outlive the service.
  void add_participant(ConnectorParticipant& participant);
  // Before serving only (the demo learns its URL once bound).
  void set_redirect_uri(std::string uri);
  const ConnectorServiceConfig& config() const { return config_; }

  // The connectors tab: the Teams connector, NotConfigured when there is none.
  Async<Result<TeamsConnector>> list(Caller caller);
  // Details; NotConfigured when there is none (the tab shows Set up).
  Async<Result<TeamsConnector>> get(Caller caller);

  // Starts a Set up with the administrator's OpenID Connect sign-in (authorization code with
  // PKCE S256 and a nonce, at the `organizations` authority): a request with a fresh 256-bit
  // state (only its digest is stored) bound to the caller's session, valid for
  // config.consent_ttl. Allowed from NotConfigured, Authorizing and AuthorizationError
  // (conflict otherwise). The URL is Entra's sign-in page, for a popup.
  Async<Result<AuthorizeStart>> authorize(Caller caller);

  // Entra's redirect, for both steps of a Set up. Common to both: the state (unknown, used or
  // expired: refused, nothing changes) and the bound session (still valid, an admin of the
  // request's organisation); Entra's `error` is checked first (the v2 error redirect still says
  // admin_consent=True).
  // Sign-in step: the code is redeemed, the ID token verified (signature against Entra's keys,
  // iss, aud, exp, nonce, tid), the account's role checked (`wids`, else /me/memberOf): Global
  // Administrator or Privileged Role Administrator. The proven tid must not be bound to another
  // organisation, nor differ from the tenant this connector already holds. Then admin consent
  // is started in that tenant only: redirect_url, with a new single-use state.
  // Consent step: admin_consent=True; the redirect's `tenant` must equal the proven tid; an app
  // token for that tid must name it in its own `tid` and grant roles. Then the connector is
  // Active (default mapping on first set-up), records the Entra account that consented, and
  // participants are told. When Entra cannot be reached or throttles at that point, the state
  // is released so that reloading the callback page within the expiry retries: the consent was
  // already granted in Entra, only our confirmation is missing.
  // Every refusal is audited and changes nothing. Returns the next step, or the error to show
  // in the popup.
  Async<Result<ConsentStep>> callback(ConsentCallback params);

  // showUserDetails, presenceSync, presenceMapping (rules validated: known values, no duplicate
  // key, every idle code the org's, active and not a system code). Refused (not_found) while
  // NotConfigured. The audit line names what changed.
  Async<Result<TeamsConnector>> update(Caller caller, ConnectorPatch patch);

  Async<Result<TeamsConnector>> deactivate(Caller caller);
  // Confirms the app token first; when Entra refuses it the connector becomes
  // AuthorizationError and the error carries Entra's message.
  Async<Result<TeamsConnector>> reactivate(Caller caller);
  // conflict while Active. Participants remove their artefacts first (an error stops it).
  Async<Result<DeleteOutcome>> remove(Caller caller);

  // Graph or Entra refused our app token for org: unauthorized -> AuthorizationError at once;
  // forbidden -> confirmed with a fresh app token first (a 403 may be one missing permission).
  // Other kinds are not authorisation failures and are ignored.
  Async<void> report_authorization_failure(OrgId org, GraphError error);
  // Gets an app token for an Active connector's tenant: refused, or granting no permission ->
  // AuthorizationError. Returns the status afterwards; transient Entra failures change nothing
  // and return unavailable / rate_limited.
  Async<Result<ConnectorStatus>> check_health(OrgId org);
  // check_health for every Active connector (the runtime's timer and start).
  Async<void> check_all_active();  // the Active connectors of the organisations served here

  // Newest first; limit 1..200; before: an entry id from a previous page.
  Async<Result<std::vector<ConnectorAuditEntry>>> audit(Caller caller, std::size_t limit,
                                                        std::optional<std::int64_t> before);

  // A reason when org's presence mapping uses the idle code ("the Microsoft Teams presence
  // mapping (DoNotDisturb)"); nullopt when it does not. The contact center's configuration asks
  // it (an IdleCodeGuard) inside the job that deletes an idle code.
  static Result<std::optional<std::string>> idle_code_in_use(Stores& stores, OrgId org,
                                                             IdleCodeId code);

  // The Active connector's tenant and features; not_found when none, conflict when not Active.
  Async<Result<ActiveConnector>> active(OrgId org);
  // Organisations whose connector is Active (services resuming at start).
  Async<Result<std::vector<OrgId>>> active_orgs();
  // active(org)'s tenant, as a function for services that need only that (sync accounts).
  std::function<Async<Result<std::string>>(OrgId)> active_tenant_lookup();
  // Records into this connector's audit log for another service (sync accounts: its
  // SyncAccountService::AuditHook; the contact center's overrides). A caller with user id 0 is
  // the service itself (no actor). Returns at once: the line is posted to the store (in order
  // with the caller's later store work), so any thread may call it.
  std::function<void(const Caller&, std::string action, bool ok, std::string detail)> audit_hook();

 private:
  // The update's outcome: the connector, and whether anything changed.
  struct Patched {
    TeamsConnector connector;
    bool changed = false;
  };
  // These run on the store's executor, inside Store::run (st, cc: that job's stores).
  static Result<TeamsConnector> load(ConnectorStore& st, OrgId org);
  // The caller's connector when the lifecycle allows event; a refusal is audited as action.
  Result<TeamsConnector> load_for(ConnectorStore& st, const Caller& caller, ConnectorEvent event,
                                  const char* action);
  static Result<IdleCodeId> ensure_idle_code(ContactCenterStore& cc, OrgId org, const char* name);
  static Result<PresenceMapping> default_mapping(ContactCenterStore& cc, OrgId org);
  static Result<void> check_mapping(ContactCenterStore& cc, OrgId org,
                                    const PresenceMapping& mapping);
  // conflict when tid is bound to another organisation, or org's connector holds another one.
  static Result<void> check_tenant_free(ConnectorStore& st, OrgId org, const std::string& tid);
  Result<Patched> apply_patch(Stores& s, const Caller& caller, const ConnectorPatch& patch);
  Result<TeamsConnector> save_deactivated(ConnectorStore& st, const Caller& caller);
  Result<AuthorizeStart> start_authorize(ConnectorStore& st, const Caller& caller);
  // The consent's last step: Active with the confirmed tenant (and the default mapping).
  Result<TeamsConnector> save_consented(Stores& s, const ConsentRequest& request,
                                        const std::string& tid,
                                        const std::vector<std::string>& roles);
  // AuthorizationError with message when the lifecycle allows it; returns the status it left.
  std::optional<ConnectorStatus> save_authorization_error(ConnectorStore& st, OrgId org,
                                                          const std::string& message,
                                                          const Caller* actor);

  // The two steps of callback(), after the common checks; fail records and returns.
  Async<Result<ConsentStep>> finish_sign_in(const ConsentRequest& request, const ConsentCallback& p,
                                            const std::function<Error(Error)>& fail);
  Async<Result<ConsentStep>> finish_consent(const ConsentRequest& request,
                                            const std::string& digest, const ConsentCallback& p,
                                            const std::function<Error(Error)>& fail);
  // forbidden unless the signed-in account holds one of the two admin roles (wids, else
  // Graph); unavailable when Graph cannot tell now.
  Async<Result<void>> require_entra_admin(const VerifiedIdToken& id, const std::string& tid,
                                          const std::string& access_token);
  static std::string code_verifier_purpose(OrgId org, std::string_view state_digest);
  // Marks org's connector AuthorizationError with message (when the lifecycle allows it);
  // actor is the admin whose step found it (nullptr: the service itself).
  Async<void> mark_authorization_error(OrgId org, std::string message, const Caller* actor);
  Async<void> notify_active(OrgId org, const std::string& tenant);
  Async<void> notify_inactive(OrgId org);
  Async<Result<std::string>> active_tenant(OrgId org);

  // An audit line stamped now; actor nullptr: the service itself.
  ConnectorAuditEntry entry(OrgId org, const Caller* actor, std::string action, AuditResult result,
                            std::string detail) const;
  ConnectorAuditEntry entry_as(OrgId org, std::optional<UserId> actor, std::string username,
                               std::string action, AuditResult result, std::string detail) const;
  // Appends inside a job; a lost line is logged, never undoes the action.
  static void append(ConnectorStore& st, const ConnectorAuditEntry& e);
  // Outside a job: posted to the store.
  void record(ConnectorAuditEntry e);

  Store& store_;
  EntraTokens& entra_;
  IdTokenVerifier& id_tokens_;
  const EntraLinks& links_;
  const SecretSealer& sealer_;
  const PkceHasher& pkce_;
  const TokenSource& tokens_;
  const Clock& clock_;
  ConnectorServiceConfig config_;
  std::vector<ConnectorParticipant*> participants_;
};

}  // namespace ccteams
