#include "app/auth_service.hpp"

#include <spdlog/spdlog.h>

#include "app/metrics.hpp"
#include "app/session_sockets.hpp"
#include "core/login_throttle.hpp"

namespace ccteams {

namespace {
// Failure-record keys. A username holds no space (validate_username), so a key never reads
// as another.
std::string user_key(std::string_view username, std::string_view address) {
  return "user:" + std::string(username) + " " + std::string(address);
}
std::string global_user_key(std::string_view username) { return "user:" + std::string(username); }
std::string address_key(std::string_view address) { return "addr:" + std::string(address); }
}  // namespace

AuthService::AuthService(Store& store, const PasswordHasher& hasher, const TokenSource& tokens,
                         const Clock& clock, AuthOptions options, SessionSockets* sockets)
    : store_(store),
      hasher_(hasher),
      tokens_(tokens),
      clock_(clock),
      options_(options),
      sockets_(sockets) {
  auto h = hasher_.hash(tokens_.new_token());
  if (h) dummy_hash_ = std::move(*h);
}

AuthService::~AuthService() { stop_clean_up(); }

Result<void> AuthService::check_address_lockout(AccountStore& st, const std::string& key,
                                                Timestamp now) {
  // Locked while the most recent failure is younger than `lockout` and it completed a run of
  // max_address_failures within failure_window.
  auto last = st.last_login_failure(key);
  if (!last) return std::move(last).error();
  if (!last->has_value()) return ok();
  const Timestamp last_at = **last;
  const auto remaining = options_.lockout - (now - last_at);
  if (remaining <= Millis{0}) return ok();
  auto count = st.count_login_failures(key, last_at - options_.failure_window);
  if (!count) return std::move(count).error();
  if (*count < options_.max_address_failures) return ok();
  const int seconds = retry_after_seconds(remaining);
  return make_error(Errc::rate_limited,
                    "too many failed sign-ins from this address; try again in " +
                        std::to_string(seconds) + " seconds",
                    seconds);
}

Result<void> AuthService::check_user_wait(AccountStore& st, const std::string& key,
                                          const std::string& global_key, Timestamp now) {
  auto last = st.last_login_failure(key);
  if (!last) return std::move(last).error();
  if (!last->has_value()) return ok();  // this address has not failed: never slowed down
  const Timestamp since = now - options_.failure_window;
  auto count = st.count_login_failures(key, since);
  if (!count) return std::move(count).error();
  int delay_after = options_.user_delay_after;
  if (*count > 0 && *count < delay_after) {
    // A username under a distributed guess slows every address from its first failure; read
    // only when that changes the answer, so a clean sign-in pays nothing for it.
    auto global = st.count_login_failures(global_key, since);
    if (!global) return std::move(global).error();
    if (*global >= options_.username_slowdown_failures) delay_after = 1;
  }
  const Millis wait =
      required_login_wait(*count, delay_after, options_.user_first_delay, options_.user_max_delay);
  const Millis remaining = wait - (now - **last);
  if (remaining <= Millis{0}) return ok();
  const int seconds = retry_after_seconds(remaining);
  return make_error(Errc::rate_limited,
                    "too many failed sign-ins for this username; try again in " +
                        std::to_string(seconds) + " seconds",
                    seconds);
}

Result<AuthService::Attempt> AuthService::begin_login(AccountStore& st, std::string_view username,
                                                      std::string_view password,
                                                      std::string_view client_address,
                                                      Timestamp now) {
  // Bounded before anything else: a megabyte "username" would otherwise become a failure
  // record, and a megabyte password a long hash.
  if (username.empty() || username.size() > options_.max_username_bytes) {
    return make_error(
        Errc::invalid_input,
        "username must be 1 to " + std::to_string(options_.max_username_bytes) + " bytes");
  }
  if (password.size() > options_.max_password_bytes) {
    return make_error(
        Errc::invalid_input,
        "password must be at most " + std::to_string(options_.max_password_bytes) + " bytes");
  }
  if (auto r = validate_username(username); !r) return std::move(r).error();
  Attempt a{user_key(username, client_address), global_user_key(username),
            address_key(client_address), std::nullopt, std::string(client_address)};
  // Refuse before hashing: a refused attempt must not get to burn CPU on Argon2id.
  if (auto r = check_address_lockout(st, a.address_key, now); !r) return std::move(r).error();
  if (auto r = check_user_wait(st, a.user_key, a.global_key, now); !r) return std::move(r).error();
  auto user = st.find_user_by_username(std::string(username));
  if (!user && user.error().code != Errc::not_found) return std::move(user).error();
  if (user) a.user = std::move(*user);
  return a;
}

template <class T>
void AuthService::noted(const Result<T>& r, const char* what) const {
  if (r) return;
  spdlog::warn("auth: could not {}: {}", what, r.error().message);
  if (options_.store_failures != nullptr) options_.store_failures->inc();
}

bool AuthService::check_password(const Attempt& attempt, std::string_view password) const {
  if (!attempt.user) {
    (void)hasher_.verify(dummy_hash_, password);  // the same cost as a known user
    return false;
  }
  return hasher_.verify(attempt.user->password_hash, password);
}

Result<LoginResult> AuthService::finish_login(AccountStore& st, Attempt attempt, bool password_ok,
                                              bool clean) {
  // Read again: the hash took a while, and the failure and session times are of now.
  const Timestamp now = clock_.now();
  if (!password_ok || attempt.user->disabled) {
    // A failure that cannot be recorded weakens the slowdown: logged and counted, the
    // refusal stands.
    noted(st.record_login_failure(attempt.user_key, now), "record a sign-in failure");
    noted(st.record_login_failure(attempt.global_key, now), "record a sign-in failure");
    noted(st.record_login_failure(attempt.address_key, now), "record a sign-in failure");
    spdlog::info("sign-in refused for a user from {}", attempt.client_address);
    return make_error(Errc::unauthenticated, "wrong username or password");
  }
  // Only this address's slowdown ends: the username's count over all addresses and the
  // address's count stay, or one success would reset an attack in progress.
  noted(st.clear_login_failures(attempt.user_key), "clear sign-in failures");

  LoginResult result;
  result.token = tokens_.new_token();
  result.csrf_token = tokens_.new_token();
  result.expires_at = now + options_.session_ttl;
  result.user = std::move(*attempt.user);
  AuthSession session{tokens_.digest(result.token), result.user.id, result.user.org_id,
                      result.csrf_token, now, result.expires_at};
  if (auto r = st.put_session(session); !r) return std::move(r).error();
  if (clean) clean_up(st, now);
  return result;
}

boost::asio::awaitable<Result<LoginResult>> AuthService::login(std::string username,
                                                               std::string password,
                                                               std::string client_address,
                                                               PasswordWorkers& workers) {
  // Two hops to the store (the lookups, then the outcome), the hash on the workers between.
  auto attempt = co_await store_.run([&](Stores& s) {
    return begin_login(s.accounts(), username, password, client_address, clock_.now());
  });
  if (!attempt) co_return std::move(attempt).error();
  bool password_ok = false;
  auto ran = co_await workers.run([&] { password_ok = check_password(*attempt, password); });
  if (!ran) co_return std::move(ran).error();
  // Whether this sign-in also cleans up is decided once, before the job: a job may run again
  // (store.hpp), and a rerun must clean up as its first run did.
  const bool signs_in = password_ok && attempt->user && !attempt->user->disabled;
  const bool clean = signs_in && claim_clean_up(clock_.now(), false);
  // The attempt is copied into the job for the same reason.
  co_return co_await store_.run(
      [&](Stores& s) { return finish_login(s.accounts(), *attempt, password_ok, clean); });
}

// Keeps the session and failure tables from growing. The schedule runs it every
// clean_up_interval; a sign-in runs it too when the schedule has not for that long (no
// schedule started, as in tools and some tests). Which caller does it is decided by
// compare-exchange, so concurrent sign-ins never both run it; the decision is taken outside the
// store job, which may run more than once.
bool AuthService::claim_clean_up(Timestamp now, bool scheduled) {
  const std::int64_t now_ms = now.time_since_epoch().count();
  std::int64_t last = last_clean_up_ms_.load(std::memory_order_relaxed);
  if (!scheduled && last != kNeverCleanedUp && now_ms - last < options_.clean_up_interval.count()) {
    return false;
  }
  return last_clean_up_ms_.compare_exchange_strong(last, now_ms);
}

void AuthService::clean_up(AccountStore& st, Timestamp now) {
  noted(st.delete_expired_sessions(now), "delete expired sessions");
  noted(st.prune_login_failures(now - std::max(options_.failure_window, options_.lockout) * 2),
        "prune old sign-in failures");
}

void AuthService::start_clean_up(boost::asio::any_io_executor executor, Scheduler& scheduler) {
  std::lock_guard lock(clean_up_mu_);
  if (clean_up_) return;
  clean_up_ = std::make_unique<Periodic>(
      std::move(executor), scheduler, clock_, options_.clean_up_interval,
      [this] { return scheduled_clean_up(); }, "sign-in clean-up");
  clean_up_->start(Periodic::First::after_interval);
}

void AuthService::stop_clean_up() {
  std::lock_guard lock(clean_up_mu_);
  if (clean_up_) clean_up_->stop();
}

boost::asio::awaitable<void> AuthService::scheduled_clean_up() {
  if (claim_clean_up(clock_.now(), true)) {
    store_.post([this](Stores& s) { clean_up(s.accounts(), clock_.now()); });
  }
  co_return;
}

boost::asio::awaitable<Result<Caller>> AuthService::authenticate(std::string token) {
  if (token.empty()) {
    co_return make_error(Errc::unauthenticated, "sign in first (no credentials)");
  }
  co_return co_await authenticate_session(tokens_.digest(token));
}

boost::asio::awaitable<Result<Caller>> AuthService::authenticate_session(std::string digest) {
  co_return co_await store_.run(
      [&](Stores& s) { return find_caller(s.accounts(), digest, clock_.now()); });
}

Result<Caller> AuthService::find_caller(AccountStore& st, const std::string& digest,
                                        Timestamp now) {
  auto session = st.find_session(digest, now);
  if (!session) {
    if (session.error().code == Errc::not_found) {
      return make_error(Errc::unauthenticated, "session expired or unknown; sign in again");
    }
    return std::move(session).error();
  }
  // Roles and the disabled flag are read again on every request, so a change applies at once.
  auto user = st.get_user(session->org_id, session->user_id);
  if (!user || user->disabled) {
    return make_error(Errc::unauthenticated, "account no longer active; sign in again");
  }
  return Caller{user->id,    user->org_id,           user->username,     user->roles, digest,
                session->csrf_token, session->expires_at};
}

boost::asio::awaitable<Result<void>> AuthService::logout(Caller caller) {
  auto r = co_await store_.run(
      [&](Stores& s) { return s.accounts().delete_session(caller.session_digest); });
  if (!r) co_return r;
  if (sockets_) sockets_->end_session(caller.session_digest);
  co_return ok();
}

Result<void> require_role(const Caller& caller, std::span<const Role> roles) {
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
