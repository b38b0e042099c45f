#pragma once
// Persistence of the presence sync accounts (issue 4): the Entra users an admin signed in for
// delegated presence subscriptions, with their refresh tokens sealed (SecretSealer), and the
// pending interactive sign-ins. The store never sees a token or a code verifier in clear: it
// keeps what the service sealed. Every call takes the organisation (or a state digest that
// names one): another organisation's rows are never returned.
// Thread-safety: every call may be made from any thread; each call is atomic on its own.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

enum class SyncTokenState : std::uint8_t { healthy, failed };

struct SyncAccount {
  SyncAccountId id;  // assigned by the store
  OrgId org;
  std::string tenant_id;  // Entra tenant that issued the token (`tid`)
  std::string oid;        // Entra object id: the account's key within the org
  std::string upn;
  std::string display_name;
  std::string sealed_refresh_token;  // SecretSealer text, never the token
  SyncTokenState token_state = SyncTokenState::healthy;
  std::optional<Timestamp> last_refreshed_at;
  std::string last_error;  // why the token failed, for the admin; never a secret
  UserId added_by;
  Timestamp added_at{};
};

struct SyncAccountUpsert {
  SyncAccount account;
  bool replaced = false;  // the (org, oid) existed and was overwritten
};

// One interactive sign-in in progress. Only the digest of `state` is kept, so a database reader
// cannot complete someone else's sign-in; the PKCE verifier is sealed.
struct PendingSignIn {
  std::string state_digest;
  OrgId org;
  UserId user;                 // the ccteams admin who started it
  std::string session_digest;  // the admin's session (AuthSession::token_hash)
  std::string sealed_code_verifier;
  Timestamp created_at{};
  Timestamp expires_at{};
  bool used = false;
};

class SyncAccountStore {
 public:
  virtual ~SyncAccountStore() = default;

  // Inserts account (its id is ignored), or, when the org already has this oid, replaces the
  // row's tenant, UPN, name, sealed token, state (as given), error, timestamps and added_by,
  // keeping its id. Errors: not_found when the organisation does not exist.
  virtual Result<SyncAccountUpsert> upsert_account(const SyncAccount& account) = 0;
  // Ordered by UPN. Errors: only storage failures.
  virtual Result<std::vector<SyncAccount>> list_accounts(OrgId org) = 0;
  // Errors: not_found.
  virtual Result<SyncAccount> get_account(OrgId org, SyncAccountId id) = 0;
  // Errors: not_found.
  virtual Result<void> delete_account(OrgId org, SyncAccountId id) = 0;

  // Compare-and-swap of the rotated refresh token (graph-protocol.md §1.3): stores new_sealed
  // and marks the account healthy, refreshed at `at`, only if the stored token is still
  // expected_sealed. Errors: conflict when it is not (the account was signed in again, or
  // another refresh stored first); not_found when the account is gone.
  virtual Result<void> rotate_refresh_token(OrgId org, SyncAccountId id,
                                            const std::string& expected_sealed,
                                            const std::string& new_sealed, Timestamp at) = 0;
  // Marks the account failed with reason, only if its token is still expected_sealed (a newer
  // sign-in must not be marked with an old token's failure). Errors: conflict, not_found.
  virtual Result<void> mark_failed(OrgId org, SyncAccountId id, const std::string& expected_sealed,
                                   const std::string& reason) = 0;

  // Removes the org's accounts and pending sign-ins in one transaction; returns how many
  // accounts were removed.
  virtual Result<int> delete_org_data(OrgId org) = 0;

  // Errors: conflict when the digest exists (a repeated random state: a bug).
  virtual Result<void> put_sign_in(const PendingSignIn& sign_in) = 0;
  // Atomically marks the sign-in used and returns it as it was before (used tells whether it
  // had been claimed already). Errors: not_found when no sign-in has this digest.
  virtual Result<PendingSignIn> claim_sign_in(const std::string& state_digest) = 0;
  // Removes sign-ins that expired before `before`; returns how many.
  virtual Result<int> prune_sign_ins(Timestamp before) = 0;
};

}  // namespace ccteams
