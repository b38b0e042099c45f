#pragma once
// [cluster]: the events WebSockets fed by an organisation's live events on this instance, by
// organisation, so that losing the organisation's lease closes them (docs/postgresql.md, "Any
// instance serves any request"). Closed with 1012 (service restart) and kOrgMovedReason: no
// refusal, so the desktop reconnects with its cursor as after any close (web/js/ws.js) and
// lands where the organisation is served now. Sockets fed from the event log (a non-owner's,
// cc_event_poller.hpp) are not registered: they serve anywhere.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "adapters/http/router.hpp"

namespace ccteams::http {

inline constexpr std::uint16_t kWsCloseServiceRestart = 1012;  // RFC 6455's registry
inline constexpr const char* kOrgMovedReason = "organisation moved to another instance";

// Thread-safety: every method from any thread. close_org closes outside the lock.
class OrgEventSockets {
 public:
  using Token = std::uint64_t;

  Token add(std::int64_t org, std::weak_ptr<WebSocket> ws) {
    std::lock_guard lock(mu_);
    const Token token = ++last_;
    open_.emplace(token, Entry{org, std::move(ws)});
    return token;
  }
  void remove(Token token) {
    std::lock_guard lock(mu_);
    open_.erase(token);
  }
  // Closes org's sockets; returns how many were still open.
  std::size_t close_org(std::int64_t org) {
    std::vector<std::shared_ptr<WebSocket>> doomed;
    {
      std::lock_guard lock(mu_);
      for (auto it = open_.begin(); it != open_.end();) {
        if (it->second.org != org) {
          ++it;
          continue;
        }
        if (auto ws = it->second.ws.lock()) doomed.push_back(std::move(ws));
        it = open_.erase(it);
      }
    }
    for (const auto& ws : doomed) ws->close(kWsCloseServiceRestart, kOrgMovedReason);
    return doomed.size();
  }

 private:
  struct Entry {
    std::int64_t org;
    std::weak_ptr<WebSocket> ws;
  };
  std::mutex mu_;
  Token last_ = 0;
  std::map<Token, Entry> open_;
};

}  // namespace ccteams::http
