#pragma once
// Short-lived, single-use tickets that authenticate one WebSocket upgrade (?ticket=), so that a
// client which cannot send a header or the session cookie never puts its long-lived bearer
// token in a URL (URLs end up in proxy logs, browser history and Referer headers).

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "app/ports/clock.hpp"
#include "app/ports/token_source.hpp"
#include "core/result.hpp"

namespace ccteams {

struct WsTicketOptions {
  Millis ttl = std::chrono::seconds(30);
  std::size_t max_outstanding = 10000;  // across all sessions: memory stays bounded
  std::size_t max_per_session = 16;
};

// Thread-safety: every method may be called from any thread. Tickets live in this process's
// memory only: with several instances, the upgrade must reach the instance that issued it.
class WsTickets {
 public:
  WsTickets(const TokenSource& tokens, const Clock& clock, WsTicketOptions options = {});

  struct Issued {
    std::string ticket;  // shown once; only its digest is kept
    Timestamp expires_at;
  };
  // A ticket for the session session_digest. Errors: rate_limited when too many are unused.
  Result<Issued> issue(const std::string& session_digest);
  // The session the ticket was issued for; the ticket is spent whether or not the caller then
  // accepts the session. Errors: unauthenticated when unknown, spent or expired.
  Result<std::string> redeem(std::string_view ticket);

  std::size_t outstanding() const;

 private:
  struct Entry {
    std::string session_digest;
    Timestamp expires_at;
  };
  void prune_locked(Timestamp now);

  const TokenSource& tokens_;
  const Clock& clock_;
  const WsTicketOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> by_digest_;
};

}  // namespace ccteams
