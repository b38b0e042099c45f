#include "app/auth_service.hpp"

#include <spdlog/spdlog.h>

#include "app/session_sockets.hpp"

namespace ccteams {

namespace {
std::string user_key(std::string_view username) { return "user:" + std::string(username); }
std::string address_key(std::string_view address) { return "addr:" + std::string(address); }
}  // namespace

AuthService::AuthService(AccountStore& store, const PasswordHasher& hasher,
                         const TokenSource& tokens, const Clock& clock, AuthOptions options)
    : store_(store), hasher_(hasher), tokens_(tokens), clock_(clock), options_(options) {
  auto h = hasher_.hash(tokens_.new_token());
  if (h) dummy_hash_ = std::move(*h);
}

Result<void> AuthService::check_lockout(const std::string& key, int max_failures,
                                        Timestamp now) {
  // Locked while the most recent failure is younger than `lockout` and it completed a run of
  // max_failures within failure_window.
  auto last = store_.last_login_failure(key);
  if (!last) return std::move(last).error();
  if (!last->has_value()) return ok();
  const Timestamp last_at = **last;
  const auto remaining = options_.lockout - (now - last_at);
  if (remaining <= Millis{0}) return ok();
  auto count = store_.count_login_failures(key, last_at - options_.failure_window);
  if (!count) return std::move(count).error();
  if (*count < max_failures) return ok();
  const int seconds = static_cast<int>((remaining.count() + 999) / 1000);
  return make_error(Errc::rate_limited,
                    "too many failed sign-ins; try again in " + std::to_string(seconds) +
                        " seconds",
                    seconds);
}

Result<LoginResult> AuthService::login(std::string_view username, std::string_view password,
                                       std::string_view remote_address) {
  const Timestamp now = clock_.now();
  const std::string ukey = user_key(username);
  const std::string akey = address_key(remote_address);
  // Refuse before hashing: a locked-out attacker must not get to burn CPU on Argon2id.
  if (auto r = check_lockout(ukey, options_.max_user_failures, now); !r) return std::move(r).error();
  if (auto r = check_lockout(akey, options_.max_address_failures, now); !r) {
    return std::move(r).error();
  }

  auto user = store_.find_user_by_username(std::string(username));
  if (!user && user.error().code != Errc::not_found) return std::move(user).error();
  const bool password_ok = user ? hasher_.verify(user->password_hash, password)
                                : (hasher_.verify(dummy_hash_, password), false);
  if (!password_ok || user->disabled) {
    (void)store_.record_login_failure(ukey, now);
    (void)store_.record_login_failure(akey, now);
    spdlog::info("sign-in refused for a user from {}", remote_address);
    return make_error(Errc::unauthenticated, "wrong username or password");
  }
  (void)store_.clear_login_failures(ukey);

  LoginResult result;
  result.token = tokens_.new_token();
  result.csrf_token = tokens_.new_token();
  result.expires_at = now + options_.session_ttl;
  result.user = std::move(*user);
  AuthSession session{tokens_.digest(result.token), result.user.id, result.user.org_id,
                      result.csrf_token, now, result.expires_at};
  if (auto r = store_.put_session(session); !r) return std::move(r).error();
  clean_up(now);
  return result;
}

// Opportunistic clean-up keeps the session and failure tables from growing without a separate
// job, at most once per clean_up_interval: a shift signing in at once must not pay two extra
// writes per sign-in. Which sign-in does it is decided by compare-exchange, so concurrent
// sign-ins never both run it.
void AuthService::clean_up(Timestamp now) {
  const std::int64_t now_ms = now.time_since_epoch().count();
  std::int64_t last = last_clean_up_ms_.load(std::memory_order_relaxed);
  if (last != kNeverCleanedUp && now_ms - last < options_.clean_up_interval.count()) return;
  if (!last_clean_up_ms_.compare_exchange_strong(last, now_ms)) return;
  (void)store_.delete_expired_sessions(now);
  (void)store_.prune_login_failures(now - std::max(options_.failure_window, options_.lockout) * 2);
}

Result<Caller> AuthService::authenticate(std::string_view token) {
  if (token.empty()) return make_error(Errc::unauthenticated, "sign in first (no credentials)");
  return authenticate_session(tokens_.digest(token));
}

Result<Caller> AuthService::authenticate_session(const std::string& digest) {
  const Timestamp now = clock_.now();
  auto session = store_.find_session(digest, now);
  if (!session) {
    if (session.error().code == Errc::not_found) {
      return make_error(Errc::unauthenticated, "session expired or unknown; sign in again");
    }
    return std::move(session).error();
  }
  // Roles and the disabled flag are read again on every request, so a change applies at once.
  auto user = store_.get_user(session->org_id, session->user_id);
  if (!user || user->disabled) {
    return make_error(Errc::unauthenticated, "account no longer active; sign in again");
  }
  return Caller{user->id,    user->org_id,           user->username,     user->roles, digest,
                session->csrf_token, session->expires_at};
}

Result<void> AuthService::logout(const Caller& caller) {
  if (auto r = store_.delete_session(caller.session_digest); !r) return r;
  if (sockets_) sockets_->end_session(caller.session_digest);
  return ok();
}

Result<void> require_role(const Caller& caller, std::initializer_list<Role> roles) {
  for (Role r : roles) {
    if (caller.roles.has(r)) return ok();
  }
  std::string needed;
  for (Role r : roles) {
    if (!needed.empty()) needed += " or ";
    needed += role_name(r);
  }
  return make_error(Errc::forbidden, "this requires the " + needed + " role");
}

}  // namespace ccteams
