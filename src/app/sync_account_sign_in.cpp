// The end of a sync account's interactive sign-in: Entra's redirect to our callback
// (graph-protocol.md §1.2-1.4). Each refusal leaves nothing stored.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "app/oauth_text.hpp"
#include "app/sync_account_service.hpp"

namespace ccteams {
namespace {

std::string entra_error_message(const std::string& error, const std::string& description) {
  std::string msg = error == "access_denied"
                        ? "The sign-in was cancelled, or consent was declined, in Microsoft Entra"
                        : "Microsoft Entra refused the sign-in (" + first_line(error) + ")";
  const std::string detail = first_line(description);
  if (!detail.empty()) msg += ": " + detail;
  return msg;
}

}  // namespace

boost::asio::awaitable<Result<SignInOutcome>> SyncAccountService::complete_sign_in(
    SignInCallback callback) {
  if (!callback.state || callback.state->empty()) {
    co_return make_error(Errc::invalid_input,
                         "The sign-in answer carries no state; start the sign-in again from "
                         "ccteams");
  }
  const Timestamp now = clock_.now();
  // The claim and what it is checked against (its admin and session), read together.
  struct Claimed {
    Result<PendingSignIn> pending;
    Result<UserAccount> user = make_error(Errc::not_found, "not read");
    bool session_ok = false;  // the admin's session that started it is still theirs
  };
  const std::string digest = tokens_.digest(*callback.state);
  auto claim = [&](Stores& s) -> Claimed {
    Claimed out{s.sync_accounts().claim_sign_in(digest)};
    if (!out.pending) return out;
    const PendingSignIn& p = *out.pending;
    out.user = s.accounts().get_user(p.org, p.user);
    auto session = s.accounts().find_session(p.session_digest, now);
    out.session_ok = session && session->user_id == p.user && session->org_id == p.org;
    return out;
  };
  Claimed found = co_await store_.run(claim);
  auto& claimed = found.pending;
  if (!claimed) {
    if (claimed.error().code != Errc::not_found) co_return std::move(claimed).error();
    co_return make_error(Errc::forbidden,
                         "This sign-in answer does not belong to a sign-in started here; start "
                         "the sign-in again from ccteams");
  }
  const PendingSignIn pending = std::move(*claimed);
  Caller caller = service_caller(pending.org);
  caller.user_id = pending.user;
  const auto& user = found.user;
  if (user) caller.username = user->username;

  auto refuse = [&](Error e) {
    audit(caller, "sync_account.sign_in", false, e.message);
    return e;
  };
  if (pending.used) {
    co_return refuse(make_error(Errc::conflict,
                                "This sign-in answer was already used; start the sign-in again"));
  }
  if (now >= pending.expires_at) {
    co_return refuse(
        make_error(Errc::conflict, "The sign-in took too long and expired; start it again"));
  }
  if (!found.session_ok) {
    co_return refuse(make_error(Errc::unauthenticated,
                                "Your ccteams session ended during the sign-in; sign in to "
                                "ccteams and start again"));
  }
  if (!user || user->disabled || !user->roles.has(Role::admin)) {
    co_return refuse(make_error(Errc::forbidden,
                                "Only an administrator of this organisation can add sync "
                                "accounts"));
  }
  caller.roles = user->roles;
  caller.session_digest = pending.session_digest;
  auto outcome = co_await redeem(pending, caller, callback);
  if (!outcome) co_return refuse(std::move(outcome).error());
  co_return outcome;
}

boost::asio::awaitable<Result<SignInOutcome>> SyncAccountService::redeem(
    const PendingSignIn& pending, const Caller& caller, const SignInCallback& callback) {
  // Entra's error first: an error redirect may carry other parameters too (§1.1).
  if (callback.error && !callback.error->empty()) {
    co_return make_error(
        Errc::conflict,
        entra_error_message(*callback.error, callback.error_description.value_or("")));
  }
  if (!callback.code || callback.code->empty()) {
    co_return make_error(Errc::invalid_input,
                         "The sign-in answer carries neither a code nor an error; start again");
  }
  auto tenant = co_await active_tenant_(pending.org);
  if (!tenant) co_return std::move(tenant).error();
  auto verifier = sealer_.open(pending.sealed_code_verifier,
                               code_verifier_purpose(pending.org, pending.state_digest));
  if (!verifier) co_return std::move(verifier).error();

  // A named request, not a temporary in the co_await expression: GCC 12 may destroy such a
  // temporary twice.
  AuthCodeRequest request{*tenant, *callback.code, redirect_uri_, *verifier, kSyncAccountScopes};
  auto token = co_await entra_.token_by_auth_code(std::move(request));
  if (!token) {
    const auto& e = token.error();
    if (e.transient()) {
      co_return make_error(Errc::unavailable,
                           "Microsoft Entra could not be reached to finish the sign-in; start "
                           "it again",
                           e.retry_after_seconds);
    }
    co_return make_error(Errc::conflict, "Microsoft Entra refused to finish the sign-in (" +
                                             e.code + e.aadsts_text() + ")");
  }
  if (!token->id_token) {
    co_return make_error(Errc::conflict, "Microsoft Entra returned no ID token; start again");
  }
  // The adapter read both tokens' claims (never verified: they came straight from Entra's token
  // endpoint, see TokenClaims).
  const auto& id = token->id_token_claims;
  if (!id || id->oid.empty() || id->tid.empty()) {
    co_return make_error(Errc::conflict,
                         "Microsoft Entra returned an ID token without the account's identity");
  }
  if (id->aud != options_.client_id) {
    co_return make_error(Errc::conflict, "The ID token was issued to another application");
  }
  const auto& access = token->access_token_claims;
  const std::string upn = !id->upn.empty() ? id->upn : access ? access->upn : std::string();
  if (!same_id(id->tid, *tenant)) {
    co_return make_error(Errc::conflict, "The account " + upn +
                                             " belongs to another Microsoft Entra tenant "
                                             "than the connector's (" +
                                             *tenant +
                                             "); sign in with an account of "
                                             "the connected organisation");
  }
  const auto& granted = token->granted_scopes;
  if (std::none_of(granted.begin(), granted.end(),
                   [](const std::string& s) { return same_id(s, "Presence.Read.All"); })) {
    co_return make_error(Errc::conflict, "The account " + upn +
                                             " was not granted Presence.Read.All; grant it "
                                             "(admin consent) and sign in again");
  }
  if (!token->refresh_token || token->refresh_token->empty()) {
    co_return make_error(Errc::conflict,
                         "Microsoft Entra returned no refresh token for " + upn +
                             " (offline_access was not granted); grant it and sign in again");
  }
  auto sealed = sealer_.seal(*token->refresh_token, refresh_token_purpose(pending.org, id->oid));
  if (!sealed) co_return std::move(sealed).error();

  SyncAccount account;
  account.org = pending.org;
  account.tenant_id = id->tid;
  account.oid = id->oid;
  account.upn = upn.empty() ? id->oid : upn;
  account.display_name = !id->name.empty() ? id->name : access ? access->name : std::string();
  account.sealed_refresh_token = std::move(*sealed);
  account.token_state = SyncTokenState::healthy;
  account.last_refreshed_at = clock_.now();
  account.added_by = caller.user_id;
  account.added_at = *account.last_refreshed_at;
  auto upsert = [&](Stores& s) { return s.sync_accounts().upsert_account(account); };
  auto stored = co_await store_.run(upsert);
  if (!stored) co_return std::move(stored).error();

  const Key key{pending.org, stored->account.id};
  forget(pending.org, stored->account.id);
  cache_token(key, *token);
  audit(caller, "sync_account.add", true,
        stored->account.upn +
            (stored->replaced ? " signed in again; its token was replaced" : " added"));
  co_return SignInOutcome{view(stored->account), stored->replaced};
}

}  // namespace ccteams
