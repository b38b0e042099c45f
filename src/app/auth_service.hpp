#pragma once
// Sign-in, sessions and the caller's identity. Every API request is scoped to the Caller's
// organisation; role checks go through require_role.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "app/periodic.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/password_hasher.hpp"
#include "app/ports/password_workers.hpp"
#include "app/ports/scheduler.hpp"
#include "app/ports/store.hpp"
#include "app/ports/token_source.hpp"
#include "core/account.hpp"
#include "core/result.hpp"

namespace ccteams {

class Counter;

class SessionSockets;

struct AuthOptions {
  Millis session_ttl = std::chrono::hours(12);
  // Brute-force protection (docs/security.md, "Sign-in floods"). Failures count within
  // failure_window.
  // Per (username, client address): after user_delay_after failures, the next attempt must
  // wait user_first_delay since the latest failure, doubling per further failure up to
  // user_max_delay (429 with Retry-After when tried earlier). A slowdown, never a lockout: the
  // right password after the wait still signs in, and other addresses are not affected.
  int user_delay_after = 5;
  Millis user_first_delay = std::chrono::seconds(1);
  Millis user_max_delay = std::chrono::seconds(30);
  // Per username over all addresses: from this many failures on (a distributed guess), every
  // address is slowed down from its first failure for that username. An address without
  // failures of its own still gets its attempt at once.
  int username_slowdown_failures = 100;
  // Per client address (one address guessing many usernames): after max_address_failures the
  // address is refused for lockout since its latest failure.
  int max_address_failures = 50;
  Millis failure_window = std::chrono::minutes(15);
  Millis lockout = std::chrono::minutes(15);
  // Longer credentials are refused (invalid_input) before anything is looked up or hashed.
  std::size_t max_username_bytes = 64;
  std::size_t max_password_bytes = 1024;
  // Expired sessions and old failure records are removed this often: by the schedule
  // (start_clean_up), and by a sign-in when the schedule has not run for this long.
  Millis clean_up_interval = std::chrono::minutes(1);
  // Counts store writes that failed where the sign-in goes on (a failure record, a clean-up);
  // each is also logged. Not owned; may be null.
  Counter* store_failures = nullptr;
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
  // sockets: the live WebSockets to close when a session ends (not owned; null in tests that
  // have none).
  AuthService(Store& store, const PasswordHasher& hasher, const TokenSource& tokens,
              const Clock& clock, AuthOptions options, SessionSockets* sockets = nullptr);
  ~AuthService();

  // Signs in from client_address (the address key of the caller: an IPv4 address or an IPv6
  // /64, see adapters/http/client_address.hpp). The server's path: the password check runs on
  // workers, never on the calling thread.
  // Errors: invalid_input when the username or password is longer than the limits (nothing
  // is looked up, stored or hashed); unauthenticated (wrong username or password, same message
  // for both, or a disabled account); rate_limited with retry_after_seconds while the address
  // is locked out, the username must wait after failures from this address, or the workers'
  // queue is full.
  boost::asio::awaitable<Result<LoginResult>> login(std::string username, std::string password,
                                                    std::string client_address,
                                                    PasswordWorkers& workers);
  // Errors: unauthenticated when the token is unknown, expired, or its user is gone/disabled.
  boost::asio::awaitable<Result<Caller>> authenticate(std::string token);
  // As authenticate, for a session known by its digest (a redeemed WebSocket ticket).
  boost::asio::awaitable<Result<Caller>> authenticate_session(std::string session_digest);
  // Ends the session and closes its live connections.
  boost::asio::awaitable<Result<void>> logout(Caller caller);

  const TokenSource& tokens() const { return tokens_; }

  // Removes expired sessions and old failure records every clean_up_interval (a Periodic on
  // executor, timed by scheduler), until stop_clean_up() or destruction. Both must outlive
  // this service. Thread-safe; a second start is ignored.
  void start_clean_up(boost::asio::any_io_executor executor, Scheduler& scheduler);
  void stop_clean_up();

 private:
  // What the password check needs, gathered before hashing.
  struct Attempt {
    std::string user_key;             // per (username, address)
    std::string global_key;           // per username
    std::string address_key;          // per address
    std::optional<UserAccount> user;  // absent: unknown username
    std::string client_address;
  };
  // These run on the store's executor, inside Store::run (st is that job's account store).
  Result<Attempt> begin_login(AccountStore& st, std::string_view username,
                              std::string_view password, std::string_view client_address,
                              Timestamp now);
  bool check_password(const Attempt& attempt, std::string_view password) const;
  // Logs and counts a failed store write that the caller goes on without.
  template <class T>
  void noted(const Result<T>& r, const char* what) const;
  // clean: whether this sign-in cleans up too (claim_clean_up, decided before the job).
  Result<LoginResult> finish_login(AccountStore& st, Attempt attempt, bool password_ok, bool clean);
  Result<void> check_address_lockout(AccountStore& st, const std::string& key, Timestamp now);
  Result<void> check_user_wait(AccountStore& st, const std::string& key,
                               const std::string& global_key, Timestamp now);
  Result<Caller> find_caller(AccountStore& st, const std::string& digest, Timestamp now);
  // Whether the caller is the one to clean up now (the schedule always is).
  bool claim_clean_up(Timestamp now, bool scheduled);
  void clean_up(AccountStore& st, Timestamp now);
  boost::asio::awaitable<void> scheduled_clean_up();

  static constexpr std::int64_t kNeverCleanedUp = std::numeric_limits<std::int64_t>::min();

  Store& store_;
  const PasswordHasher& hasher_;
  const TokenSource& tokens_;
  const Clock& clock_;
  AuthOptions options_;
  SessionSockets* const sockets_;
  std::string dummy_hash_;  // verified against for unknown users, so timing reveals nothing
  std::atomic<std::int64_t> last_clean_up_ms_{kNeverCleanedUp};  // ms since epoch
  std::mutex clean_up_mu_;
  std::unique_ptr<Periodic> clean_up_;  // guarded by clean_up_mu_
};

// forbidden unless caller has at least one of roles.
Result<void> require_role(const Caller& caller, std::span<const Role> roles);
inline Result<void> require_role(const Caller& caller, std::initializer_list<Role> roles) {
  return require_role(caller, std::span<const Role>(roles.begin(), roles.size()));
}

}  // namespace ccteams
