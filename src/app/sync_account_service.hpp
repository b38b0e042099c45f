#pragma once
// Presence sync accounts (issue 4, DESIGN.md "Data flow"): Graph grants presence change
// notifications only to a signed-in user (graph-protocol.md §4.1), so an admin signs in
// dedicated Entra accounts interactively (authorization code + PKCE, MFA allowed, §1.2) and
// we keep their refresh tokens, sealed, to mint delegated access tokens for presence sync.
//
// Sign-in: start_sign_in() stores a pending sign-in (state digest, the admin's session, the
// sealed PKCE verifier, 10-minute expiry) and returns Entra's authorize URL for a popup; the
// popup comes back to the callback, whose complete_sign_in() checks state, session and role,
// redeems the code, identifies the account from the tokens (tid must be the connector's
// tenant; Presence.Read.All and a refresh token are required) and stores it.
// Tokens: access_token() answers from a per-account cache or refreshes with the stored
// refresh token (access_token_refused() drops a cached token Graph answered 401 for first), storing the rotated one (compare-and-swap, §1.3); one refresh per account at
// a time. Entra's verdict that the token is dead (invalid_grant, interaction_required, ...)
// marks the account failed with a reason an admin can act on; transient failures do not.
//
// Secrets: refresh tokens, access tokens, codes, states and verifiers never appear in
// results, error messages, audit details or logs.
// Thread-safety: every call may run concurrently from any thread or executor.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/auth_service.hpp"
#include "app/connector_participant.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/entra.hpp"
#include "app/ports/entra_links.hpp"
#include "app/ports/secret_sealer.hpp"
#include "app/ports/store.hpp"
#include "app/ports/token_source.hpp"

namespace ccteams {

struct SyncAccountOptions {
  std::string client_id;   // the app registration (same as the Graph client's)
  std::string public_url;  // where browsers reach us, e.g. "https://cc.example.com"
  Millis sign_in_ttl = std::chrono::minutes(10);
  // A cached access token is used until this long before it expires.
  std::chrono::seconds access_token_margin{300};
};

// What an admin sees of an account: never a token.
struct SyncAccountView {
  SyncAccountId id;
  std::string oid;
  std::string upn;
  std::string display_name;
  SyncTokenState token_state = SyncTokenState::healthy;
  std::string last_error;
  std::optional<Timestamp> last_refreshed_at;
  UserId added_by;
  Timestamp added_at{};
};

struct SignInStart {
  std::string authorization_url;
  Timestamp expires_at{};
};

// The query of Entra's redirect to the callback (§1.2), as received.
struct SignInCallback {
  std::optional<std::string> code;
  std::optional<std::string> state;
  std::optional<std::string> error;
  std::optional<std::string> error_description;
};

struct SignInOutcome {
  SyncAccountView account;
  bool replaced = false;  // the account was signed in before; its token was replaced
};

struct SyncHealthReport {
  int healthy = 0;
  int failed = 0;       // Entra refused the token: the account needs a new sign-in
  int unreachable = 0;  // transient failure (Entra down, throttled): state unchanged
};

class SyncAccountService final : public ConnectorParticipant {
 public:
  // The org's connector tenant when its connector is Active; conflict otherwise. Awaitable: it
  // reads the store (ConnectorService::active_tenant_lookup).
  using ActiveTenant = std::function<boost::asio::awaitable<Result<std::string>>(OrgId)>;
  // Audit sink (the connector's audit log): who, action ("sync_account.add", ".remove",
  // ".sign_in", ".token"), success, a detail without secrets. The caller is a service
  // identity (user 0, empty username) for token failures found in the background. Called
  // from coroutines and must return at once (ConnectorService::audit_hook posts the line).
  using AuditHook =
      std::function<void(const Caller&, std::string action, bool ok, std::string detail)>;

  // Every reference must outlive the service. audit may be empty. Every store call runs on
  // store's executor.
  SyncAccountService(Store& store, EntraTokens& entra, const EntraLinks& links,
                     const SecretSealer& sealer, const PkceHasher& pkce, const TokenSource& tokens,
                     const Clock& clock, SyncAccountOptions options, ActiveTenant active_tenant,
                     AuditHook audit = {});

  // {public_url}/api/v1/connectors/msteams/sync-accounts/callback
  const std::string& redirect_uri() const { return redirect_uri_; }
  // Before serving only (the demo learns its URL once bound).
  void set_public_url(std::string public_url);

  // Admin only; the connector must be Active. Errors: forbidden, conflict (connector not
  // Active), internal (sealing or storage).
  boost::asio::awaitable<Result<SignInStart>> start_sign_in(Caller caller);

  // The callback. Errors, each with a message for the popup, nothing stored: invalid_input
  // (no state or no code), forbidden (unknown state, or the admin no longer an admin),
  // conflict (state used or expired, connector not Active, Entra error such as cancel,
  // wrong tenant, missing permission or refresh token), unauthenticated (the admin's session
  // ended), unavailable (Entra unreachable; start again).
  boost::asio::awaitable<Result<SignInOutcome>> complete_sign_in(SignInCallback callback);

  // Admin only. Errors: forbidden.
  boost::asio::awaitable<Result<std::vector<SyncAccountView>>> list(Caller caller);
  // Admin only. Errors: forbidden, not_found.
  boost::asio::awaitable<Result<void>> remove(Caller caller, SyncAccountId id);

  // A delegated Graph access token of the account, for presence subscriptions. Errors:
  // conflict (connector not Active; account failed: sign in again), not_found, unavailable or
  // rate_limited (transient; retry later).
  boost::asio::awaitable<Result<std::string>> access_token(OrgId org, SyncAccountId id);
  // Graph refused `refused` (401: revoked before its expiry): it leaves the cache (unless a
  // newer token replaced it meanwhile) and a fresh one is minted, one refresh shared with
  // concurrent callers. When Entra refuses the refresh the account is marked failed at once.
  // Errors: as access_token.
  boost::asio::awaitable<Result<std::string>> access_token_refused(OrgId org, SyncAccountId id,
                                                                   std::string refused);

  // Refreshes every account's token (failed ones too: they heal when Entra accepts them
  // again), for the runtime's periodic check. Errors: conflict when the connector is not
  // Active; storage errors.
  boost::asio::awaitable<Result<SyncHealthReport>> check_health(OrgId org);

  // ConnectorParticipant
  std::string_view participant_name() const override { return "sync accounts"; }
  boost::asio::awaitable<void> connector_active(OrgId org, std::string tenant) override;
  boost::asio::awaitable<void> connector_inactive(OrgId org) override;
  boost::asio::awaitable<Result<std::string>> remove_connector_artefacts(
      OrgId org, std::string tenant) override;

  // Purposes (authenticated data) of the sealed values, exposed for tests.
  static std::string refresh_token_purpose(OrgId org, std::string_view oid);
  static std::string code_verifier_purpose(OrgId org, std::string_view state_digest);

 private:
  using Key = std::pair<OrgId, SyncAccountId>;
  struct CachedAccess {
    std::string token;
    Timestamp use_until{};
  };
  struct Flight;  // one refresh in progress and its waiters (sync_account_tokens.cpp)

  // The cached access token, else one refresh per account at a time (later callers wait for
  // its result). health_check skips the cache and also tries accounts marked failed.
  boost::asio::awaitable<Result<std::string>> token_for(OrgId org, SyncAccountId id,
                                                        std::string tenant, bool health_check);
  boost::asio::awaitable<Result<std::string>> refresh(OrgId org, SyncAccountId id,
                                                      const std::string& tenant, bool allow_failed);
  boost::asio::awaitable<Result<SyncHealthReport>> check_tenant(OrgId org, std::string tenant);
  // Entra says the account's token is dead: marks it failed (unless a newer sign-in replaced
  // the token) and returns the conflict error for the caller.
  boost::asio::awaitable<Error> token_failed(const SyncAccount& a, std::string reason);
  Result<void> require_admin(const Caller& caller) const;
  void cache_token(Key key, const TokenResponse& token);
  void forget(std::optional<OrgId> org, std::optional<SyncAccountId> id);
  void audit(const Caller& caller, std::string action, bool ok, std::string detail) const;
  static Caller service_caller(OrgId org);
  static SyncAccountView view(const SyncAccount& a);
  // Complete_sign_in after the state was claimed (sync_account_sign_in.cpp).
  boost::asio::awaitable<Result<SignInOutcome>> redeem(const PendingSignIn& pending,
                                                       const Caller& caller,
                                                       const SignInCallback& callback);

  Store& store_;
  EntraTokens& entra_;
  const EntraLinks& links_;
  const SecretSealer& sealer_;
  const PkceHasher& pkce_;
  const TokenSource& tokens_;
  const Clock& clock_;
  SyncAccountOptions options_;
  ActiveTenant active_tenant_;
  AuditHook audit_;
  std::string redirect_uri_;

  std::mutex mu_;  // guards cache_ and flights_
  std::map<Key, CachedAccess> cache_;
  std::map<Key, std::shared_ptr<Flight>> flights_;
};

// Delegated scopes a sync account is signed in with (space-separated, as sent to /authorize).
inline constexpr const char* kSyncAccountScopes =
    "openid profile offline_access https://graph.microsoft.com/Presence.Read.All";

}  // namespace ccteams
