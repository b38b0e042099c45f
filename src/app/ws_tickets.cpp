#include "app/ws_tickets.hpp"

#include <algorithm>

namespace ccteams {

WsTickets::WsTickets(const TokenSource& tokens, const Clock& clock, WsTicketOptions options)
    : tokens_(tokens), clock_(clock), options_(options) {}

void WsTickets::prune_locked(Timestamp now) {
  std::erase_if(by_digest_, [&](const auto& kv) { return kv.second.expires_at <= now; });
}

Result<WsTickets::Issued> WsTickets::issue(const std::string& session_digest) {
  const Timestamp now = clock_.now();
  Issued issued{tokens_.new_token(), now + options_.ttl};
  std::lock_guard lock(mu_);
  prune_locked(now);
  const auto mine = static_cast<std::size_t>(std::count_if(
      by_digest_.begin(), by_digest_.end(),
      [&](const auto& kv) { return kv.second.session_digest == session_digest; }));
  if (mine >= options_.max_per_session || by_digest_.size() >= options_.max_outstanding) {
    const int seconds = static_cast<int>(
        std::chrono::duration_cast<std::chrono::seconds>(options_.ttl).count());
    return make_error(Errc::rate_limited,
                      "too many unused event stream tickets; use or let them expire (" +
                          std::to_string(seconds) + " s) first",
                      seconds);
  }
  by_digest_.emplace(tokens_.digest(issued.ticket), Entry{session_digest, issued.expires_at});
  return issued;
}

Result<std::string> WsTickets::redeem(std::string_view ticket) {
  const Timestamp now = clock_.now();
  const std::string digest = tokens_.digest(ticket);
  std::lock_guard lock(mu_);
  auto it = by_digest_.find(digest);
  if (it == by_digest_.end()) {
    return make_error(Errc::unauthenticated,
                      "unknown or already used ticket; ask POST /api/v1/events/ticket for a new one");
  }
  Entry entry = std::move(it->second);
  by_digest_.erase(it);  // single use, even when it turns out expired
  if (entry.expires_at <= now) {
    return make_error(Errc::unauthenticated,
                      "the ticket expired; ask POST /api/v1/events/ticket for a new one");
  }
  return std::move(entry.session_digest);
}

std::size_t WsTickets::outstanding() const {
  std::lock_guard lock(mu_);
  return by_digest_.size();
}

}  // namespace ccteams
