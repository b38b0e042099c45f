#pragma once
// The live WebSockets of each sign-in session, so that the end of a session (logout, expiry)
// or a change to its user (disabled, deleted, new roles, new password) closes them at once
// instead of leaving an open socket streaming events to someone who lost the right to them.
// Also caps how many sockets one session may hold.

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "app/ports/scheduler.hpp"
#include "core/account.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

struct SessionSocketsOptions {
  std::size_t max_per_session = 8;
};

// Who owns a socket: the session that opened it, and that session's user.
struct SocketOwner {
  std::string session_digest;  // AuthSession::token_hash, never the token
  OrgId org;
  UserId user;
  Timestamp expires_at;  // the session's expiry: the socket is closed then
};

// Thread-safety: every method may be called from any thread. Close callbacks run without any
// of the registry's locks held (a close may take the socket's own lock and post to its strand).
class SessionSockets {
 public:
  // A reserved place for one socket. Dropping the last reference frees the place, so a failed
  // handshake (whose callbacks are dropped unused) cannot leak one.
  class Slot {
   public:
    ~Slot();
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    // Gives the slot the way to close its socket. If the session already ended, close runs now.
    void attach(std::function<void(std::string reason)> close);
    // True once the registry closed (or asked to close) this socket.
    bool ended() const;

   private:
    friend class SessionSockets;
    struct Registry;
    Slot(std::weak_ptr<Registry> registry, SocketOwner owner, std::uint64_t id);
    void end(std::string reason);

    std::weak_ptr<Registry> registry_;
    const SocketOwner owner_;
    const std::uint64_t id_;
    std::unique_ptr<TimerHandle> expiry_;
    mutable std::mutex mu_;
    std::function<void(std::string)> close_;
    bool ended_ = false;
  };

  SessionSockets(Scheduler& scheduler, SessionSocketsOptions options);
  ~SessionSockets();

  // Errors: rate_limited when the session already holds max_per_session sockets.
  Result<std::shared_ptr<Slot>> reserve(SocketOwner owner);

  // Each returns how many sockets it closed. The reason goes to the client in the close frame.
  std::size_t end_session(const std::string& session_digest);
  // All the user's sockets except those of keep_session (empty: none kept).
  std::size_t end_user(OrgId org, UserId user, const std::string& keep_session = {});

  std::size_t open_count() const;
  std::size_t open_count(const std::string& session_digest) const;

  static constexpr const char* kSessionEnded = "session ended";

 private:
  template <class Pred>
  std::size_t end_where(Pred pred);

  Scheduler& scheduler_;
  const SessionSocketsOptions options_;
  std::shared_ptr<Slot::Registry> registry_;
};

}  // namespace ccteams
