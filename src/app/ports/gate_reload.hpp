#pragma once
// The webhook's second question to presence sync, asked when the gate did not know a
// notification's subscription: reload what the gate knows from the store, then ask again.
// With several instances a subscription is created by its organisation's owner, so the gate of
// every other instance learns of it only from the store (docs/postgresql.md, "The webhook's
// gate on every instance").
//
// Thread-safety: called from the HTTP server's threads, any number at once.

#include <boost/asio/awaitable.hpp>

namespace ccteams {

class GateReload {
 public:
  virtual ~GateReload() = default;
  // true: the gate was reloaded from the store after this call began (ask it again); false:
  // not reloaded (the reloads' rate limit was reached, or the store failed), the miss stands.
  virtual boost::asio::awaitable<bool> reload_gate() = 0;
};

}  // namespace ccteams
