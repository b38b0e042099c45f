#pragma once
// The bulk-read pump (presence_sync.hpp, "first sync", "channel 1" and the reads of channel 2):
// every getPresencesByUserId of an organisation, and what becomes of its answer.
//  * first sync: users the watch set newly watches are read in calls of up to 650 ids as fast
//    as the budget allows, ahead of everything else (10,000 users are 16 calls);
//  * the cadence: once no first read is pending, sync::PollScheduler reads every watched user
//    once per round;
//  * notifications: the users they name are coalesced (sync::NotificationCoalescer) into reads;
//  * at most max_in_flight reads at a time; every read takes a token of the org's one budget
//    (sync::PresenceBudget), and a 429 feeds back into it (Retry-After, then a slower rate);
//  * only changes go on: a presence equal to the last one seen for that Teams user, or with an
//    older sequenceNumber, is not passed to the contact center; an inbox entry is satisfied by
//    a read that started after it was stored (InboxTracker).
//
// Thread-safety: none; the organisation's strand drives it (OrgLoop).

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "app/contact_center.hpp"
#include "app/ports/graph_presence.hpp"
#include "app/presence/inbox_tracker.hpp"
#include "app/presence/org_loop.hpp"
#include "app/presence/sync_metrics.hpp"
#include "app/presence/watch_set.hpp"
#include "core/sync_budget.hpp"
#include "core/sync_coalescer.hpp"
#include "core/sync_polling.hpp"

namespace ccteams::presence {

struct BulkReadPumpDeps {
  OrgLoop& loop;
  GraphPresenceReader& graph;
  sync::PresenceBudget& budget;  // the org's one budget (writes use it too)
  SyncMetrics& metrics;
  InboxTracker& inbox;
  const WatchSet& watch;  // who is watched, and by which agents
  OrgId org;
  sync::PollConfig poll;
  sync::CoalescerConfig coalescer;
  std::size_t max_in_flight = 4;
  // The presences for the contact center (apply_presences with the connector's mapping).
  std::function<boost::asio::awaitable<Result<PresenceApplyReport>>(
      std::vector<AgentPresenceUpdate>)>
      apply;
};

class BulkReadPump {
 public:
  explicit BulkReadPump(BulkReadPumpDeps deps);

  void set_tenant(std::string tenant) { tenant_ = std::move(tenant); }
  // The watch set was recomputed at t: its new users get a first read, the cadence follows it.
  void watch_changed(const WatchSet::Change& change, Timestamp t);
  // Every watched user gets a first read again (re-authorised, notifications were missed).
  void read_everyone(Timestamp t);
  // A change notification named user at t: read within the coalescing window.
  void notified(const std::string& user, Timestamp t);
  // Presences known without a read (rich notifications) take the same way: only changes go on.
  // started: when what they describe was known; force: pass them on even when unchanged.
  boost::asio::awaitable<void> apply(std::vector<GraphPresence> presences,
                                     PresenceChannel channel, Timestamp started, bool force);
  // Starts the reads due at t; `sooner` hears when the next falls due.
  void step(Timestamp t, const std::function<void(Timestamp)>& sooner);

  // ---- what the status shows
  std::size_t first_sync_pending() const { return first_pending_.size(); }
  std::optional<Timestamp> first_sync_started() const { return first_started_; }
  std::optional<Timestamp> first_sync_completed() const { return first_completed_; }
  // How often every watched user is read (0 when nobody is watched).
  Millis round_interval(Timestamp now) const;
  std::size_t in_flight() const { return in_flight_; }
  std::uint64_t reads() const { return reads_; }
  std::uint64_t failures() const { return failures_; }
  std::uint64_t throttles() const { return throttles_; }

 private:
  enum class ReadKind : std::uint8_t { first, poll, notification };

  // Queues user for a first read (once), starting a first sync when none runs.
  void first_read(const std::string& user, Timestamp t);
  void first_sync_step(Timestamp t, const std::function<void(Timestamp)>& sooner);
  void notification_step(Timestamp t, const std::function<void(Timestamp)>& sooner);
  void cadence_step(Timestamp t, const std::function<void(Timestamp)>& sooner);
  void start_read(std::vector<std::string> ids, ReadKind kind,
                  std::optional<sync::PollBatch> batch);
  boost::asio::awaitable<void> read(std::vector<std::string> ids, ReadKind kind,
                                    std::optional<sync::PollBatch> batch);
  void read_failed(const GraphError& e, const std::vector<std::string>& ids, ReadKind kind,
                   const std::optional<sync::PollBatch>& batch, Timestamp t);
  void finish_first_sync_if_done(Timestamp t);

  BulkReadPumpDeps deps_;
  sync::PollScheduler poll_;
  sync::NotificationCoalescer coalescer_;
  std::string tenant_;
  std::size_t in_flight_ = 0;

  // First sync: users to read at once, before the cadence.
  std::deque<std::string> urgent_;
  std::unordered_set<std::string> first_pending_;  // urgent or being read
  Timestamp urgent_not_before_{};                  // after a failed first read (not a 429)
  bool first_active_ = false;                      // first_pending_ not yet empty
  std::optional<Timestamp> first_started_, first_completed_;

  struct LastSeen {
    std::string availability, activity, sequence;
  };
  std::unordered_map<std::string, LastSeen> last_seen_;  // by watched Teams user

  std::uint64_t reads_ = 0, failures_ = 0, throttles_ = 0;
};

}  // namespace ccteams::presence
