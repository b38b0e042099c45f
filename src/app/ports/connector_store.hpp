#pragma once
// Persistence of the Teams connector (issue 4): the connector of each organisation with its
// presence mapping, the pending admin-consent requests and the connector's audit log.
// Every call takes the organisation (or a state digest that names one): another
// organisation's rows are never returned.
// Thread-safety: every call may be made from any thread; each call is atomic on its own.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/connector.hpp"
#include "core/idle_code.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

// One admin-consent attempt. The `state` sent to Entra is never stored: only its digest, so
// a database reader cannot complete someone else's consent.
// The two steps of a Set up, each answered at the same callback with its own state.
enum class ConsentStage : std::uint8_t {
  sign_in,  // the admin signs in with OpenID Connect: the ID token proves the tenant
  consent,  // admin consent, sent to the proven tenant only
};
inline std::string_view consent_stage_name(ConsentStage stage) {  // as stored
  return stage == ConsentStage::sign_in ? "sign_in" : "consent";
}
inline std::optional<ConsentStage> parse_consent_stage(std::string_view name) {
  if (name == "sign_in") return ConsentStage::sign_in;
  if (name == "consent") return ConsentStage::consent;
  return std::nullopt;
}

struct ConsentRequest {
  std::string state_digest;  // TokenSource::digest of the state
  OrgId org;
  UserId user;  // the ccteams admin who pressed Set up
  std::string username;
  std::string session_digest;  // the admin's session when it started (AuthSession::token_hash)
  Timestamp created_at{};
  Timestamp expires_at{};
  bool used = false;
  ConsentStage stage = ConsentStage::sign_in;
  // sign_in: the OIDC nonce the ID token must carry, and the PKCE verifier, sealed.
  std::string nonce;
  std::string sealed_code_verifier;
  // consent: what the verified ID token proved; the only tenant this Set up may bind.
  std::string tenant_id;
  std::string entra_upn;
  std::string entra_oid;
};

enum class AuditResult : std::uint8_t { ok, error };

// One line of the connector's append-only audit log.
struct ConnectorAuditEntry {
  std::int64_t id = 0;  // assigned by the store, increasing: the paging cursor
  OrgId org;
  std::optional<UserId> actor;  // none for the service itself (health check)
  std::string actor_username;   // "" for the service itself
  std::string action;           // "authorize", "callback", "update", "deactivate", ...
  AuditResult result = AuditResult::ok;
  std::string detail;  // what changed, or the error an admin sees; never a secret
  Timestamp at{};
};

// The refusal when a tenant is already bound to another organisation. It names neither that
// organisation nor anything of it.
inline constexpr std::string_view kTenantTakenMessage =
    "This Microsoft 365 tenant is already connected to another ccteams organisation; a tenant "
    "can be connected to one organisation only. Nothing was changed. If this tenant is yours, "
    "remove it from the other organisation first (Connectors > Microsoft Teams > Delete there).";

class ConnectorStore {
 public:
  virtual ~ConnectorStore() = default;

  // The org's connector with its mapping, or nullopt when it has none.
  virtual Result<std::optional<TeamsConnector>> find_connector(OrgId org) = 0;
  // Writes the connector and replaces its mapping rules, if the stored version is still
  // expected_version (0: there must be no connector yet). Returns what was stored, version
  // bumped. Errors: conflict when another write came first (re-read and decide again), or
  // when the tenant is another organisation's (kTenantTakenMessage; a tenant belongs to one
  // organisation at most, which the store enforces); not_found when a mapping rule names an
  // idle code that is not the org's.
  virtual Result<TeamsConnector> save_connector(const TeamsConnector& connector,
                                                std::int64_t expected_version) = 0;
  // The organisation whose connector holds this Entra tenant, if any ("" holds nothing).
  virtual Result<std::optional<OrgId>> find_org_by_tenant(const std::string& tenant_id) = 0;
  // Removes the connector, its mapping and its consent requests (the audit log stays).
  // Errors: not_found when there is none.
  virtual Result<void> delete_connector(OrgId org) = 0;
  // Organisations whose connector has this status (health checks at start).
  virtual Result<std::vector<OrgId>> orgs_with_status(ConnectorStatus status) = 0;

  // Errors: conflict when the digest exists (a repeated random state: a bug).
  virtual Result<void> put_consent_request(const ConsentRequest& request) = 0;
  // Atomically marks the request used and returns it as it was before (used tells whether it
  // had been claimed already). Errors: not_found when no request has this digest.
  virtual Result<ConsentRequest> claim_consent_request(const std::string& state_digest) = 0;
  // Makes a claimed request usable again (a transient failure: the admin may retry).
  virtual Result<void> release_consent_request(const std::string& state_digest) = 0;
  // Removes requests that expired before `before`; returns how many.
  virtual Result<int> prune_consent_requests(Timestamp before) = 0;

  // Appends; returns the entry with its id.
  virtual Result<ConnectorAuditEntry> append_audit(const ConnectorAuditEntry& entry) = 0;
  // Newest first, at most limit entries with id < before (all when before is nullopt).
  virtual Result<std::vector<ConnectorAuditEntry>> list_audit(
      OrgId org, std::size_t limit, std::optional<std::int64_t> before) = 0;
};

}  // namespace ccteams
