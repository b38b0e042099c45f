#pragma once
// The outbound writer (presence_sync.hpp, "outbound"): the agent state machine's
// SetTeamsBusy/ClearTeamsBusy effects go to sync::OutboundQueue (latest intent per agent,
// renewal before expiry, retries) and out as setPresence/clearPresence with the app's client id
// as session id. A confirmed clear is passed to on_cleared (TeamsBusyCleared for the core); an
// agent whose session shows nothing without one (sync::OutboundQueue, "Settled") to on_gone
// (OwnSessionGone): both drop the agent's durable mark. ClearStaleTeamsBusy (a session a killed
// process may have left) sends one clearPresence; Graph's 404 (no such session) settles it too.
//
// Thread-safety: none; the organisation's strand drives it (OrgLoop).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "app/ports/graph_presence.hpp"
#include "app/presence/org_loop.hpp"
#include "app/presence/sync_metrics.hpp"
#include "core/agent_state.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/sync_budget.hpp"
#include "core/sync_outbound.hpp"

namespace ccteams::presence {

struct OutboundWriterDeps {
  OrgLoop& loop;
  GraphPresenceWriter& graph;
  sync::PresenceBudget& budget;  // the org's one budget (reads use it too)
  SyncMetrics& metrics;
  OrgId org;
  std::string client_id;  // setPresence's sessionId
  sync::OutboundConfig config;
  std::size_t max_in_flight = 8;
  // The agent's Teams user, or nullopt when the agent is no longer linked.
  std::function<std::optional<std::string>(UserId)> teams_user;
  // A clear Graph confirmed: the core's TeamsBusyCleared.
  std::function<boost::asio::awaitable<Result<void>>(UserId, Timestamp)> on_cleared;
  // The session shows nothing without a confirmed clear: the core's OwnSessionGone.
  std::function<boost::asio::awaitable<Result<void>>(UserId)> on_gone;
};

class OutboundWriter {
 public:
  explicit OutboundWriter(OutboundWriterDeps deps);

  // A SetTeamsBusy/ClearTeamsBusy/ClearStaleTeamsBusy effect; wakes the loop when a write
  // became due.
  void on_effect(const AgentEffect& effect);
  // Sends the writes due at t (up to max_in_flight); `sooner` hears when the next falls due.
  void step(Timestamp t, const std::function<void(Timestamp)>& sooner);
  // Writes still due or in flight (switching off waits for them).
  bool busy() const { return queue_.due_count() > 0 || in_flight_ > 0; }

  void set_tenant(std::string tenant) { tenant_ = std::move(tenant); }
  std::size_t sessions_cleared() const { return sessions_cleared_; }
  std::uint64_t writes() const { return writes_; }
  std::uint64_t failures() const { return failures_; }
  std::uint64_t throttles() const { return throttles_; }

 private:
  boost::asio::awaitable<void> write(sync::OutboundWrite w);
  // Passes the queue's settled agents to on_gone, one coroutine each.
  void report_settled();
  boost::asio::awaitable<void> gone(UserId agent);

  OutboundWriterDeps deps_;
  sync::OutboundQueue queue_;
  std::string tenant_;
  std::size_t in_flight_ = 0;
  std::size_t sessions_cleared_ = 0;
  std::uint64_t writes_ = 0, failures_ = 0, throttles_ = 0;
};

}  // namespace ccteams::presence
