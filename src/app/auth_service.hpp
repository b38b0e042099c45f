#pragma once
// Sign-in, sessions and the caller's identity. Every API request is scoped to the Caller's
// organisation; role checks go through require_role.

#include <atomic>
#include <limits>
#include <cstdint>
#include <string>
#include <string_view>

#include "app/ports/account_store.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/password_hasher.hpp"
#include "app/ports/token_source.hpp"
#include "core/account.hpp"
#include "core/result.hpp"

namespace ccteams {

class SessionSockets;

struct AuthOptions {
  Millis session_ttl = std::chrono::hours(12);
  // Brute-force protection: after max_user_failures failed sign-ins for one username within
  // failure_window, that username is locked for lockout; likewise per remote address with the
  // higher max_address_failures (one address guessing many usernames).
  int max_user_failures = 5;
  int max_address_failures = 50;
  Millis failure_window = std::chrono::minutes(15);
  Millis lockout = std::chrono::minutes(15);
  // Expired sessions and old failure records are removed by a sign-in at most this often.
  Millis clean_up_interval = std::chrono::minutes(1);
};

// Who is calling: the result of authenticating a request.
struct Caller {
  UserId user_id;
  OrgId org_id;
  std::string username;
  RoleSet roles;
  std::string session_digest;  // identifies the session (for logout); never the token
  std::string csrf_token;
  Timestamp session_expires_at{};  // live connections of the session close then
};

struct LoginResult {
  std::string token;       // the bearer token; shown once, stored only as a digest
  std::string csrf_token;  // browsers send it back in X-CSRF-Token with cookie sessions
  Timestamp expires_at;
  UserAccount user;
};

// Thread-safety: all calls may run concurrently (the store and hasher are thread-safe).
class AuthService {
 public:
  AuthService(AccountStore& store, const PasswordHasher& hasher, const TokenSource& tokens,
              const Clock& clock, AuthOptions options);

  // Errors: unauthenticated (wrong username or password, same message for both, or a disabled
  // account), rate_limited with retry_after_seconds while locked out.
  Result<LoginResult> login(std::string_view username, std::string_view password,
                            std::string_view remote_address);
  // Errors: unauthenticated when the token is unknown, expired, or its user is gone/disabled.
  Result<Caller> authenticate(std::string_view token);
  // As authenticate, for a session known by its digest (a redeemed WebSocket ticket).
  Result<Caller> authenticate_session(const std::string& session_digest);
  // Ends the session and closes its live connections.
  Result<void> logout(const Caller& caller);

  // The live WebSockets to close when a session ends (not owned; may stay null in tests that
  // have none). Set by the wiring before requests arrive.
  void set_session_sockets(SessionSockets* sockets) { sockets_ = sockets; }

  const TokenSource& tokens() const { return tokens_; }

 private:
  Result<void> check_lockout(const std::string& key, int max_failures, Timestamp now);
  void clean_up(Timestamp now);

  static constexpr std::int64_t kNeverCleanedUp = std::numeric_limits<std::int64_t>::min();

  AccountStore& store_;
  const PasswordHasher& hasher_;
  const TokenSource& tokens_;
  const Clock& clock_;
  AuthOptions options_;
  SessionSockets* sockets_ = nullptr;
  std::string dummy_hash_;  // verified against for unknown users, so timing reveals nothing
  std::atomic<std::int64_t> last_clean_up_ms_{kNeverCleanedUp};  // ms since epoch
};

// forbidden unless caller has at least one of roles.
Result<void> require_role(const Caller& caller, std::initializer_list<Role> roles);

}  // namespace ccteams
