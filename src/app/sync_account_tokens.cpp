// Sync accounts' delegated tokens: the access-token cache, one refresh per account at a time,
// refresh-token rotation stored by compare-and-swap (graph-protocol.md §1.3), and Entra's
// verdicts turned into an account state an admin can act on.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "app/oauth_text.hpp"
#include "app/sync_account_service.hpp"

namespace ccteams {
namespace {

using Wake = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;

// Entra says this refresh token will never work again: only a new interactive sign-in helps.
// bad_client_secret / app_unknown_in_tenant are about our app registration, not the account.
bool token_is_dead(const GraphError& e) {
  if (e.transient()) return false;
  switch (e.entra) {
    case EntraErrorKind::refresh_token_unused_too_long:
    case EntraErrorKind::interaction_required:
    case EntraErrorKind::consent_required:
    case EntraErrorKind::account_disabled:
    case EntraErrorKind::blocked_by_conditional_access:
    case EntraErrorKind::refresh_token_dead:
      return true;
    case EntraErrorKind::none:
    case EntraErrorKind::bad_client_secret:
    case EntraErrorKind::app_unknown_in_tenant:
      return false;
  }
  return false;
}

// What the admin reads beside the account; names the cause and the fix, never the token.
std::string dead_token_reason(const GraphError& e) {
  std::string reason;
  switch (e.entra) {
    case EntraErrorKind::refresh_token_unused_too_long:
      reason = "The refresh token expired after a long time unused; sign the account in again";
      break;
    case EntraErrorKind::interaction_required:
      reason =
          "Microsoft Entra wants the account to sign in interactively again (for example "
          "for multi-factor authentication); sign the account in again";
      break;
    case EntraErrorKind::consent_required:
      reason = "Consent for the app was revoked; grant it and sign the account in again";
      break;
    case EntraErrorKind::account_disabled:
      reason = "The account is disabled in Microsoft Entra; enable it, or remove it here";
      break;
    case EntraErrorKind::blocked_by_conditional_access:
      reason =
          "Conditional Access blocks the account's token; change the policy or use another "
          "account";
      break;
    default:
      reason = "The refresh token expired or was revoked; sign the account in again";
      break;
  }
  for (auto c : e.error_codes) reason += " (AADSTS" + std::to_string(c) + ")";
  return reason;
}

}  // namespace

struct SyncAccountService::Flight {
  std::vector<std::shared_ptr<Wake>> waiters;
  std::optional<Result<std::string>> result;
};

boost::asio::awaitable<Result<std::string>> SyncAccountService::access_token(OrgId org,
                                                                             SyncAccountId id) {
  auto tenant = co_await active_tenant_(org);
  if (!tenant) co_return std::move(tenant).error();
  co_return co_await token_for(org, id, std::move(*tenant), false);
}

boost::asio::awaitable<Result<std::string>> SyncAccountService::access_token_refused(
    OrgId org, SyncAccountId id, std::string refused) {
  auto tenant = co_await active_tenant_(org);
  if (!tenant) co_return std::move(tenant).error();
  {
    std::lock_guard lock(mu_);
    // Only the refused token: a newer one (another caller's refresh) is used as it is.
    if (auto it = cache_.find(Key{org, id}); it != cache_.end() && it->second.token == refused) {
      cache_.erase(it);
    }
  }
  co_return co_await token_for(org, id, std::move(*tenant), false);
}

boost::asio::awaitable<Result<SyncHealthReport>> SyncAccountService::check_health(OrgId org) {
  auto tenant = co_await active_tenant_(org);
  if (!tenant) co_return std::move(tenant).error();
  co_return co_await check_tenant(org, std::move(*tenant));
}

boost::asio::awaitable<Result<SyncHealthReport>> SyncAccountService::check_tenant(
    OrgId org, std::string tenant) {
  auto job = [&](Stores& s) { return s.sync_accounts().list_accounts(org); };
  auto accounts = co_await store_.run(job);
  if (!accounts) co_return std::move(accounts).error();
  SyncHealthReport report;
  // One at a time: a handful of accounts, and Entra's token endpoint is not ours to flood.
  for (const auto& a : *accounts) {
    auto token = co_await token_for(org, a.id, tenant, true);
    if (token) {
      ++report.healthy;
    } else if (token.error().code == Errc::conflict) {
      ++report.failed;
    } else if (token.error().code != Errc::not_found) {  // removed meanwhile: not counted
      ++report.unreachable;
    }
  }
  co_return report;
}

boost::asio::awaitable<Result<std::string>> SyncAccountService::token_for(OrgId org,
                                                                          SyncAccountId id,
                                                                          std::string tenant,
                                                                          bool health_check) {
  const Key key{org, id};
  std::shared_ptr<Flight> flight;
  std::shared_ptr<Wake> wake;
  const auto executor = co_await boost::asio::this_coro::executor;
  {
    std::lock_guard lock(mu_);
    if (!health_check) {
      auto it = cache_.find(key);
      if (it != cache_.end() && clock_.now() < it->second.use_until) co_return it->second.token;
    }
    auto f = flights_.find(key);
    if (f != flights_.end()) {
      // A refresh is running: its rotated token is the only valid one, so wait for it rather
      // than present the old refresh token (Entra would call that reuse: invalid_grant).
      flight = f->second;
      wake = std::make_shared<Wake>(executor, 1);
      flight->waiters.push_back(wake);
    } else {
      flight = std::make_shared<Flight>();
      flights_.emplace(key, flight);
    }
  }
  if (wake) {
    co_await wake->async_receive(boost::asio::use_awaitable);
    std::lock_guard lock(mu_);
    co_return *flight->result;
  }

  Result<std::string> result = make_error(Errc::internal, "token refresh did not complete");
  try {
    result = co_await refresh(org, id, tenant, health_check);
  } catch (const std::exception& e) {
    // Waiters must be woken whatever happens; the exception itself stops here (STYLE §4).
    spdlog::error("sync accounts: refreshing a token of org {} failed: {}", org.value, e.what());
  }
  std::vector<std::shared_ptr<Wake>> waiters;
  {
    std::lock_guard lock(mu_);
    flight->result = result;
    waiters = std::move(flight->waiters);
    flights_.erase(key);
  }
  for (auto& w : waiters) w->try_send(boost::system::error_code{});
  co_return result;
}

boost::asio::awaitable<Result<std::string>> SyncAccountService::refresh(OrgId org, SyncAccountId id,
                                                                        const std::string& tenant,
                                                                        bool allow_failed) {
  auto read = [&](Stores& s) { return s.sync_accounts().get_account(org, id); };
  auto account = co_await store_.run(read);
  if (!account) co_return std::move(account).error();
  const SyncAccount& a = *account;
  const Key key{org, id};

  if (!same_id(a.tenant_id, tenant)) {
    co_return co_await token_failed(
        a,
        "The account belongs to another Microsoft Entra tenant than the connector's; "
        "remove it and sign in an account of the connected organisation");
  }
  if (a.token_state == SyncTokenState::failed && !allow_failed) {
    co_return make_error(Errc::conflict, "Sync account " + a.upn + ": " + a.last_error);
  }
  auto refresh_token = sealer_.open(a.sealed_refresh_token, refresh_token_purpose(org, a.oid));
  if (!refresh_token) {
    co_return co_await token_failed(
        a,
        "The stored token cannot be decrypted (was the encryption key changed?); "
        "sign the account in again");
  }
  RefreshRequest request{tenant, *refresh_token, ""};  // named: see sync_account_sign_in.cpp
  auto token = co_await entra_.refresh_token(std::move(request));
  if (!token) {
    if (token_is_dead(token.error())) {
      co_return co_await token_failed(a, dead_token_reason(token.error()));
    }
    co_return token.error().to_error();
  }
  // §1.3: always replace the stored refresh token; the presented one is spent now.
  std::string sealed_new = a.sealed_refresh_token;
  if (token->refresh_token && !token->refresh_token->empty()) {
    auto sealed = sealer_.seal(*token->refresh_token, refresh_token_purpose(org, a.oid));
    if (!sealed) co_return std::move(sealed).error();
    sealed_new = std::move(*sealed);
  }
  auto rotate = [&](Stores& s) {
    return s.sync_accounts().rotate_refresh_token(org, id, a.sealed_refresh_token, sealed_new,
                                                  clock_.now());
  };
  auto stored = co_await store_.run(rotate);
  if (!stored) {
    if (stored.error().code == Errc::not_found) co_return std::move(stored).error();
    // conflict: the account was signed in again meanwhile; that newer token stays. Ours still
    // gives a valid access token for the same account.
    if (stored.error().code != Errc::conflict) {
      spdlog::error("sync accounts: storing the rotated token of account {} failed: {}", id.value,
                    stored.error().message);
      co_return std::move(stored).error();
    }
  }
  if (a.token_state == SyncTokenState::failed) {
    audit(service_caller(org), "sync_account.token", true, a.upn + ": the token works again");
  }
  cache_token(key, *token);
  co_return token->access_token;
}

boost::asio::awaitable<Error> SyncAccountService::token_failed(const SyncAccount& a,
                                                               std::string reason) {
  forget(a.org, a.id);
  if (a.token_state != SyncTokenState::failed || a.last_error != reason) {
    audit(service_caller(a.org), "sync_account.token", false, a.upn + ": " + reason);
  }
  // conflict: a newer sign-in replaced the token meanwhile; its state is not ours to mark.
  auto mark = [&](Stores& s) {
    return s.sync_accounts().mark_failed(a.org, a.id, a.sealed_refresh_token, reason);
  };
  if (auto r = co_await store_.run(mark); !r) {
    if (r.error().code != Errc::conflict && r.error().code != Errc::not_found) {
      spdlog::error("sync accounts: storing the failure of account {} failed: {}", a.id.value,
                    r.error().message);
    }
  }
  co_return make_error(Errc::conflict, "Sync account " + a.upn + ": " + reason);
}

void SyncAccountService::cache_token(Key key, const TokenResponse& token) {
  const auto lifetime = std::chrono::seconds(std::max<std::int64_t>(token.expires_in, 0));
  // Short-lived tokens (tests, odd tenants) are still used for half their life.
  const auto margin = std::min<std::chrono::seconds>(options_.access_token_margin, lifetime / 2);
  std::lock_guard lock(mu_);
  cache_[key] = CachedAccess{token.access_token, clock_.now() + (lifetime - margin)};
}

void SyncAccountService::forget(std::optional<OrgId> org, std::optional<SyncAccountId> id) {
  std::lock_guard lock(mu_);
  std::erase_if(cache_, [&](const auto& kv) {
    return (!org || kv.first.first == *org) && (!id || kv.first.second == *id);
  });
}

}  // namespace ccteams
