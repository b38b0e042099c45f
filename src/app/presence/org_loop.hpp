#pragma once
// What a presence-sync component needs from its organisation's loop (presence/org_sync): the
// time, whether sync still runs, a wake-up when work arrives, and a way to run a coroutine on
// the organisation's strand. Unit tests implement it on SimulatedTime.

#include <boost/asio/awaitable.hpp>

#include "app/ports/graph_error.hpp"
#include "core/time.hpp"

namespace ccteams::presence {

// Every call on the organisation's strand.
class OrgLoop {
 public:
  virtual ~OrgLoop() = default;
  virtual Timestamp now() const = 0;
  // Not stopped and not switching off: results that come back later are still applied.
  virtual bool running() const = 0;
  // The loop looks again at once (work arrived, a call returned).
  virtual void wake() = 0;
  // Runs work on the strand, keeping the organisation's sync alive until it ends; `what` (a
  // literal) names it when an exception escapes.
  virtual void spawn(boost::asio::awaitable<void> work, const char* what) = 0;
  // A Graph call was refused (401/403): the connector hears of it.
  virtual void report_authorization(const GraphError& e) = 0;
};

}  // namespace ccteams::presence
