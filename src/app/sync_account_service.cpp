// Sync accounts: construction, starting a sign-in, listing, removal and the connector's
// lifecycle. The callback is in sync_account_sign_in.cpp, tokens in sync_account_tokens.cpp.
#include "app/sync_account_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "app/oauth_text.hpp"

namespace ccteams {
namespace {

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

SyncAccountService::SyncAccountService(Store& store, EntraTokens& entra, const EntraLinks& links,
                                       const SecretSealer& sealer, const PkceHasher& pkce,
                                       const TokenSource& tokens, const Clock& clock,
                                       SyncAccountOptions options, ActiveTenant active_tenant,
                                       AuditHook audit)
    : store_(store),
      entra_(entra),
      links_(links),
      sealer_(sealer),
      pkce_(pkce),
      tokens_(tokens),
      clock_(clock),
      options_(std::move(options)),
      active_tenant_(std::move(active_tenant)),
      audit_(std::move(audit)) {
  set_public_url(options_.public_url);
}

void SyncAccountService::set_public_url(std::string public_url) {
  options_.public_url = trim_slash(std::move(public_url));
  redirect_uri_ = options_.public_url + "/api/v1/connectors/msteams/sync-accounts/callback";
}

std::string SyncAccountService::refresh_token_purpose(OrgId org, std::string_view oid) {
  return "ccteams/sync-account/org:" + std::to_string(org.value) + "/oid:" + std::string(oid) +
         "/refresh_token";
}

std::string SyncAccountService::code_verifier_purpose(OrgId org, std::string_view state_digest) {
  return "ccteams/sync-account-sign-in/org:" + std::to_string(org.value) +
         "/state:" + std::string(state_digest) + "/code_verifier";
}

Result<void> SyncAccountService::require_admin(const Caller& caller) const {
  if (auto r = require_role(caller, {Role::admin}); !r) {
    return make_error(Errc::forbidden, "Only an administrator can manage sync accounts");
  }
  return ok();
}

boost::asio::awaitable<Result<SignInStart>> SyncAccountService::start_sign_in(Caller caller) {
  if (auto r = require_admin(caller); !r) co_return std::move(r).error();
  auto tenant = co_await active_tenant_(caller.org_id);
  if (!tenant) co_return std::move(tenant).error();

  const std::string state = tokens_.new_token();
  const std::string verifier = new_code_verifier(tokens_);
  PendingSignIn pending;
  pending.state_digest = tokens_.digest(state);
  pending.org = caller.org_id;
  pending.user = caller.user_id;
  pending.session_digest = caller.session_digest;
  pending.created_at = clock_.now();
  pending.expires_at = pending.created_at + options_.sign_in_ttl;
  auto sealed = sealer_.seal(verifier, code_verifier_purpose(pending.org, pending.state_digest));
  if (!sealed) co_return std::move(sealed).error();
  pending.sealed_code_verifier = std::move(*sealed);
  // Abandoned sign-ins go here rather than on a timer: starting one is rare and cheap. They
  // are kept a day past expiry so that a late callback is told "expired", not "unknown".
  const Timestamp prune_before = pending.created_at - std::chrono::hours(24);
  auto store_pending = [&](Stores& s) {
    if (auto pruned = s.sync_accounts().prune_sign_ins(prune_before); !pruned) {
      spdlog::warn("sync accounts: pruning expired sign-ins failed: {}", pruned.error().message);
    }
    return s.sync_accounts().put_sign_in(pending);
  };
  if (auto r = co_await store_.run(store_pending); !r) co_return std::move(r).error();

  SignInStart out;
  out.expires_at = pending.expires_at;
  const SignInLinkRequest link{*tenant,
                               options_.client_id,
                               redirect_uri_,
                               kSyncAccountScopes,
                               state,
                               std::nullopt,
                               pkce_.s256_challenge(verifier)};
  out.authorization_url = links_.sign_in_url(link);
  co_return out;
}

boost::asio::awaitable<Result<std::vector<SyncAccountView>>> SyncAccountService::list(
    Caller caller) {
  if (auto r = require_admin(caller); !r) co_return std::move(r).error();
  auto job = [&](Stores& s) { return s.sync_accounts().list_accounts(caller.org_id); };
  auto accounts = co_await store_.run(job);
  if (!accounts) co_return std::move(accounts).error();
  std::vector<SyncAccountView> out;
  out.reserve(accounts->size());
  for (const auto& a : *accounts) out.push_back(view(a));
  co_return out;
}

boost::asio::awaitable<Result<void>> SyncAccountService::remove(Caller caller, SyncAccountId id) {
  if (auto r = require_admin(caller); !r) co_return r;
  // The account's name (for the audit line) and its removal in one job.
  std::optional<std::string> upn;  // set when the account was found
  auto job = [&](Stores& s) -> Result<void> {
    auto account = s.sync_accounts().get_account(caller.org_id, id);
    if (!account) return std::move(account).error();
    upn = account->upn;
    return s.sync_accounts().delete_account(caller.org_id, id);
  };
  if (auto r = co_await store_.run(job); !r) {
    if (upn) audit(caller, "sync_account.remove", false, *upn + ": " + r.error().message);
    co_return r;
  }
  forget(caller.org_id, id);
  audit(caller, "sync_account.remove", true, *upn + " removed");
  co_return ok();
}

boost::asio::awaitable<void> SyncAccountService::connector_active(OrgId org, std::string tenant) {
  // The connector service may hold its lock: use the tenant given, never active_tenant_.
  auto report = co_await check_tenant(org, std::move(tenant));
  if (!report) {
    spdlog::warn("sync accounts: health check of org {} failed: {}", org.value,
                 report.error().message);
  }
}

boost::asio::awaitable<void> SyncAccountService::connector_inactive(OrgId org) {
  forget(org, std::nullopt);
  co_return;
}

boost::asio::awaitable<Result<std::string>> SyncAccountService::remove_connector_artefacts(
    OrgId org, std::string /*tenant*/) {
  // Entra keeps no per-account state of ours to undo (a refresh token cannot be revoked by
  // the client); forgetting it is all. Subscriptions belong to presence sync.
  auto job = [&](Stores& s) { return s.sync_accounts().delete_org_data(org); };
  auto removed = co_await store_.run(job);
  if (!removed) co_return std::move(removed).error();
  forget(org, std::nullopt);
  std::string summary =
      std::to_string(*removed) + (*removed == 1 ? " sync account and its token removed"
                                                : " sync accounts and their tokens removed");
  audit(service_caller(org), "sync_account.remove", true, summary);
  co_return summary;
}

void SyncAccountService::audit(const Caller& caller, std::string action, bool ok,
                               std::string detail) const {
  if (audit_) audit_(caller, std::move(action), ok, std::move(detail));
}

Caller SyncAccountService::service_caller(OrgId org) {
  Caller c;
  c.org_id = org;
  return c;
}

SyncAccountView SyncAccountService::view(const SyncAccount& a) {
  SyncAccountView v;
  v.id = a.id;
  v.oid = a.oid;
  v.upn = a.upn;
  v.display_name = a.display_name;
  v.token_state = a.token_state;
  v.last_error = a.last_error;
  v.last_refreshed_at = a.last_refreshed_at;
  v.added_by = a.added_by;
  v.added_at = a.added_at;
  return v;
}

}  // namespace ccteams
