#pragma once
// One organisation's presence sync (presence_sync.hpp): its components and the loop that drives
// them on the organisation's strand. Each round the loop recomputes the watch set when due,
// lets the bulk-read pump, the subscription keeper and the outbound writer start what is due,
// and waits (Alarm, on the Scheduler port) until the soonest time one of them asked for, or
// until wake(): work arrived (an effect, a stored notification, a log-in) or a call returned.
//
//   WatchSet            who is linked, SyncEnabled, watched            presence/watch_set
//   BulkReadPump        first sync, cadence, coalesced reads, apply    presence/bulk_read_pump
//   InboxTracker        stored notifications until read                presence/inbox_tracker
//   SubscriptionKeeper  change-notification subscriptions              presence/subscription_keeper
//   OutboundWriter      setPresence / clearPresence                    presence/outbound_writer
//
// Thread-safety: start(), stop() and strand() from any thread; everything else on strand().

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "app/alarm.hpp"
#include "app/contact_center.hpp"
#include "app/presence/bulk_read_pump.hpp"
#include "app/presence/inbox_tracker.hpp"
#include "app/presence/org_loop.hpp"
#include "app/presence/outbound_writer.hpp"
#include "app/presence/owned_graph.hpp"
#include "app/presence/presence_graph.hpp"
#include "app/presence/subscription_gate.hpp"
#include "app/presence/subscription_keeper.hpp"
#include "app/presence/sync_metrics.hpp"
#include "app/presence/watch_set.hpp"
#include "app/presence_sync.hpp"
#include "core/presence.hpp"

namespace ccteams {
class ConnectorService;
class OrgActors;
class SyncAccountService;
}  // namespace ccteams

namespace ccteams::presence {

// The contact-center calls presence sync makes, each in this one place: awaited on the
// organisation's strand (the contact center's organisation state lives there too; each call is
// one of its decisions).
class ContactCenterCalls {
 public:
  explicit ContactCenterCalls(ContactCenter& cc) : cc_(cc) {}
  boost::asio::awaitable<Result<std::vector<AgentStateView>>> agent_states(OrgId org) {
    return cc_.agent_states_on_strand(org);
  }
  boost::asio::awaitable<Result<void>> set_sync_enabled(OrgId org, std::vector<UserId> agents,
                                                        bool enabled) {
    return cc_.set_sync_enabled(org, std::move(agents), enabled);
  }
  boost::asio::awaitable<Result<PresenceApplyReport>> apply_presences(
      OrgId org, std::vector<AgentPresenceUpdate> updates, PresenceMapping mapping) {
    return cc_.apply_presences(org, std::move(updates), std::move(mapping));
  }
  boost::asio::awaitable<Result<void>> teams_busy_cleared(OrgId org, UserId agent, Timestamp at) {
    return cc_.teams_busy_cleared(org, agent, at);
  }
  boost::asio::awaitable<Result<void>> own_session_gone(OrgId org, UserId agent) {
    return cc_.own_session_gone(org, agent);
  }
  void set_presence_hooks(PresenceHooks hooks) { cc_.set_presence_hooks(std::move(hooks)); }

 private:
  ContactCenter& cc_;
};

// What every organisation's sync shares: the runtime's services (references; they outlive
// PresenceSync), the metrics, the options and the subscription gate. PresenceSync owns it; each
// OrgSync keeps it alive while its coroutines run.
struct SyncServices {
  SyncServices(OrgActors& actors, Scheduler& scheduler, ConnectorService& connector,
               ContactCenter& cc, PresenceGraph graph, SyncAccountService& account_tokens,
               Store& store, const TokenSource& tokens, const Clock& clock, Metrics& metrics,
               NotificationDecryptor* decryptor, PresenceSyncOptions options,
               const OrgOwnership& ownership);

  OrgActors& actors;
  Scheduler& scheduler;
  ConnectorService& connector;
  // The connector's settings, read synchronously until presence sync is on the Store port.
  ContactCenterCalls cc;
  PresenceGraph graph;  // each OrgSync calls it through its OwnedGraph only
  SyncAccountService& account_tokens;
  // The agents and desktop profiles, the sync accounts, the subscriptions and the inbox: every
  // call a Store::run job (or a posted one), never on the strand itself.
  Store& store;
  const TokenSource& tokens;
  const Clock& clock;
  SyncMetrics metrics;
  PresenceSyncOptions options;
  NotificationDecryptor* const decryptor;  // nullable: basic notifications
  NotificationUrls urls;                   // set by PresenceSync::start, before any org runs
  // Looked up across organisations by subscription id from the webhook's threads; it keeps a
  // mutex over its maps only (no organisation state behind it).
  SubscriptionGate gate;
  // Which organisations this instance serves (with [cluster]: holds the lease of).
  const OrgOwnership& ownership;

  // A store call that failed where nothing retries it at once: logged and counted.
  void store_failed(OrgId org, std::string_view what, const Error& e);
};

class OrgSync final : public std::enable_shared_from_this<OrgSync>, public OrgLoop {
 public:
  // Called once sync switched itself off (the connector said so): the registry forgets this
  // org's sync. Any thread.
  using SwitchedOff = std::function<void(const std::shared_ptr<OrgSync>&)>;

  OrgSync(std::shared_ptr<SyncServices> services, OrgId org, SwitchedOff switched_off);

  const boost::asio::any_io_executor& strand() const { return strand_; }
  // Starts the loop: the watch set first, leftover inbox entries, then the rounds.
  void start();
  // Ends the loop and every wait (no cleanup in Graph: a restart resumes).
  void stop();

  // ---- on the strand
  // A SetTeamsBusy/ClearTeamsBusy/ClearStaleTeamsBusy effect of the agent state machine.
  void on_effect(const AgentEffect& effect);
  void agent_logged_in_or_out();
  // The connector's settings changed: the watch set is recomputed at once.
  void settings_changed();
  // Re-authorised: every user is read again (a gap may have passed).
  void reauthorized();
  // The webhook stored entry: it is processed at once, without reading it back. Before the
  // loop's first inbox read it is left to that read, which finds it.
  void handed(InboxEntry entry);
  // Entries were stored in the inbox elsewhere (another instance's webhook): the inbox is read
  // for what this sync has not taken yet (InboxTracker::read_new), as at start. Before the
  // first read it is left to that read; reads do not overlap (one more follows a read in
  // flight), so a burst of wake-ups costs at most two reads.
  void inbox_grown();
  PresenceSyncStatus status() const;
  // Switching off (see presence_sync.hpp); returns what was removed.
  boost::asio::awaitable<std::string> shut_down(bool deleting);

  // OrgLoop
  Timestamp now() const override;
  bool running() const override { return !stopped_ && !stopping_; }
  void wake() override { alarm_.wake(); }
  void spawn(boost::asio::awaitable<void> work, const char* what) override;
  void report_authorization(const GraphError& e) override;

 private:
  boost::asio::awaitable<void> run();
  // Reads the agents (a store job), then the connector, and recomputes the watch set. false:
  // sync must stop for this org.
  boost::asio::awaitable<bool> refresh_watch();
  boost::asio::awaitable<Result<WatchInputs>> watch_inputs();
  // Reads what the inbox holds that was not taken yet (at start, and again while a read comes
  // back full), and processes it.
  void process_inbox();
  boost::asio::awaitable<void> read_inbox();
  void take(std::vector<InboxEntry> entries);
  void switch_off_from_loop();
  bool await_reads(const InboxEntry& e, Timestamp t);
  boost::asio::awaitable<void> apply_rich(InboxEntry e);
  void on_lifecycle(const ChangeNotification& n);

  std::shared_ptr<SyncServices> s_;
  OrgId org_;
  SwitchedOff switched_off_;
  boost::asio::any_io_executor strand_;  // the organisation's (OrgActors)
  Alarm alarm_;                          // the loop's wait: the next due time, or wake()
  Alarm drain_pause_;                    // switching off: the outbound queue drains
  bool stopped_ = false;                 // the loop ends
  bool stopping_ = false;                // switching off: only outbound clears go on
  bool inbox_read_ = false;              // the first inbox read was asked for: take hand-offs
  bool inbox_reading_ = false;           // an inbox read is in flight
  bool inbox_read_again_ = false;        // ... and another is wanted after it
  std::optional<Timestamp> inbox_retry_at_;  // an inbox read failed: read again then
  // Every Graph call of this organisation's components, checked against ownership first.
  OwnedGraph graph_;

  std::string tenant_;
  PresenceMapping mapping_;
  sync::PresenceBudget budget_;  // every presence call of the org
  WatchSet watch_;
  InboxTracker inbox_;
  BulkReadPump pump_;
  OutboundWriter outbound_;
  SubscriptionKeeper keeper_;
  std::uint64_t notifications_ = 0;  // change notifications processed
};

}  // namespace ccteams::presence
