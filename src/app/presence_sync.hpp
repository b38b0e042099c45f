#pragma once
// Presence sync, both ways (issue 6; DESIGN.md "Data flow"): Teams presence drives agent state,
// and contacts show as Busy/InACall in Teams.
//
// One OrgSync (presence/org_sync) per organisation whose connector is Active with presenceSync
// on, driven on the organisation's strand (OrgActors: the same strand the contact center's
// organisation state lives on; the pure planners in core/sync_* are not thread-safe, so
// everything of one org runs there). Every wait (the loop's next due time, the drain while
// switching off) goes through the Scheduler port (Alarm), so unit tests run it on simulated time:
//  * watch set (presence/watch_set): agents with a linked Teams user whose desktop profile
//    enables Microsoft Teams get SyncEnabled (the others SyncDisabled); those logged in are
//    read. Recomputed every options.watch_refresh, 250 ms after an agent logs in or out, and
//    when the connector's settings change.
//  * first sync (presence/bulk_read_pump, which makes every read of both channels too): users
//    newly watched (the service starts, the connector becomes Active, the feature is switched
//    on, an agent logs in) are read in bulk before the steady cadence goes on, as fast as the
//    budget allows: 10,000 users are 16 calls.
//  * channel 1 (bulk reads): sync::PollScheduler's cadence over the watched users.
//  * channel 2 (notifications): the webhook stores accepted batches in the durable inbox
//    (group commit) and hands each stored entry to stored(); OrgSync takes it from there
//    (presence/inbox_tracker; the inbox is read back at start, for what an earlier run left, and
//    on inbox_grown(), for what another instance stored), coalesces the user ids into bulk reads
//    (sync::NotificationCoalescer), and removes an inbox entry only when a read that started
//    after it was stored has been applied: a crash at any point leaves the entry, which the
//    next start processes (and the first sync covers anyway).
//    Lifecycle notifications renew or recreate subscriptions.
//  * subscriptions (presence/subscription_keeper, subscription_gate): sync::plan_subscriptions
//    over the sync accounts' healthy tokens, carried out (create before delete when a spare
//    account allows), renewed before expiry, recreated after a failed reauthorization or a
//    removal; checked every options.subscription_check and after the watch set changes.
//    clientState is a fresh 256-bit token per subscription; only its digest is stored and
//    compared (constant time) by the gate.
//  * outbound (presence/outbound_writer): the agent state machine's SetTeamsBusy/ClearTeamsBusy
//    effects (PresenceHooks) go to sync::OutboundQueue (latest intent per agent, renewal before
//    expiry, retries) and out as setPresence/clearPresence with the app's client id as session
//    id. A confirmed clear feeds TeamsBusyCleared to the core (rule 5's echo window).
//  * one budget (sync::PresenceBudget) for every presence call of the org; 429s slow it down.
//  * "only changes go on": a presence equal to the last one seen for that Teams user (same
//    availability, activity and sequenceNumber) is not passed to the contact center; an older
//    sequenceNumber is dropped here already. The core's rules 0-5 decide the rest.
//  * switching off (presenceSync off, deactivate, delete): SyncDisabled for every agent (agents
//    idled by sync return to Available, our sessions are cleared), the outbound queue is drained
//    (bounded by options.drain_timeout), subscriptions are deleted; the inbox is cleared only
//    when the connector is deleted (entries acknowledged to Graph wait for sync to resume).
//
// Rich notifications: with a NotificationDecryptor (constructor), subscriptions ask for
// includeResourceData with our certificate; a stored batch is checked (validationTokens) and
// decrypted and its presences applied without a read. Any doubt (a bad token, signature or
// key, Entra's keys unreachable) falls back to reading those users in bulk, as basic
// notifications are. Without a decryptor every notification is read back in bulk.
//
// Every store call goes through the Store port (a Store::run job, or a posted one for the
// inbox's removals), never on an organisation's strand; a read and the write it decides are one
// job. A store call that fails where nothing retries it at once is logged and counted
// (presence_sync_store_failures_total).
//
// Thread-safety: every public call may be made from any thread. No mutex guards an
// organisation's state (it lives on the org's strand); the registry of orgs and the subscription
// gate (looked up across orgs by the webhook) keep a mutex over their maps only.

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "app/connector_participant.hpp"
#include "app/ports/gate_reload.hpp"
#include "app/ports/presence_sync_store.hpp"
#include "app/presence/presence_graph.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/sync_budget.hpp"
#include "core/sync_coalescer.hpp"
#include "core/sync_outbound.hpp"
#include "core/sync_polling.hpp"
#include "core/sync_subscriptions.hpp"
#include "core/time.hpp"

namespace ccteams {

class Clock;
class ConnectorService;
class ConnectorStore;
class ContactCenter;
class Metrics;
class NotificationDecryptor;
class OrgActors;
class OrgOwnership;
class Scheduler;
class Store;
class SyncAccountService;
class TokenSource;
namespace presence {
class OrgSync;  // presence/org_sync.hpp
}

struct PresenceSyncOptions {
  std::string client_id;  // the app registration: setPresence's sessionId
  sync::PresenceBudgetConfig budget;
  sync::PollConfig poll;
  sync::CoalescerConfig coalescer;
  sync::OutboundConfig outbound;
  sync::SubscriptionPlanConfig subscriptions;
  Millis watch_refresh{5'000};
  Millis subscription_check{60'000};
  // Every stored subscription is read back from Graph this often (one GET each) and recreated
  // when Graph no longer has it (it sends no lifecycle event for that); 0: never.
  Millis subscription_probe{180'000};
  Millis drain_timeout{10'000};
  std::size_t max_reads_in_flight = 4;
  std::size_t max_writes_in_flight = 8;
};

// invalid_input naming the field when a figure is out of range.
Result<void> validate(const PresenceSyncOptions& options);

// Where Graph posts (https in production; Graph refuses http). Given to start(): the demo learns
// its port only once bound. Empty notification: no subscriptions, the bulk-read channel alone
// (the status says so).
struct NotificationUrls {
  std::string notification;
  std::string lifecycle;
};

// What an admin (and the operator) sees of an org's sync.
struct PresenceSyncStatus {
  bool running = false;
  std::size_t linked_agents = 0;   // agents whose profile and Teams link make them eligible
  std::size_t watched_users = 0;   // Teams users read (agents logged in)
  std::size_t first_sync_pending = 0;  // users still waiting for their first read
  std::optional<Timestamp> first_sync_started;
  std::optional<Timestamp> first_sync_completed;
  Millis round_interval{0};  // bulk-read channel: how often every watched user is read
  std::size_t subscriptions = 0;
  std::optional<Timestamp> next_expiry;  // earliest subscription expiration
  std::string coverage;  // sync::CoverageStatus::message, or why there are no subscriptions
  std::uint64_t reads = 0, read_failures = 0, throttles = 0, writes = 0, write_failures = 0;
  std::uint64_t notifications = 0;  // change notifications processed
  std::size_t inbox_awaiting = 0;   // stored entries not yet fully applied
};

class PresenceSync final : public ConnectorParticipant, public NotificationGate, public GateReload {
 public:
  // Every reference must outlive the service. actors: the runtime's one OrgActors (each org's
  // sync runs on actors.strand(org)); scheduler: the time port every wait goes through (the
  // runtime's AsioScheduler). store: the agents and desktop profiles, the sync accounts, the
  // subscriptions and the inbox. graph: the reads, writes and subscriptions roles (the one
  // GraphClient converts). decryptor: not owned, nullable (nullptr: basic notifications).
  // ownership: which organisations this instance serves (OrgOwnership::every_org() without
  // [cluster]); an organisation's sync runs only while it does, and every Graph call of it is
  // checked against it first (presence/owned_graph.hpp).
  PresenceSync(OrgActors& actors, Scheduler& scheduler, ConnectorService& connector,
               ContactCenter& cc, presence::PresenceGraph graph, SyncAccountService& account_tokens,
               Store& store, const TokenSource& tokens, const Clock& clock, Metrics& metrics,
               NotificationDecryptor* decryptor, PresenceSyncOptions options,
               const OrgOwnership& ownership);
  ~PresenceSync() override;
  PresenceSync(const PresenceSync&) = delete;
  PresenceSync& operator=(const PresenceSync&) = delete;

  // Installs the contact-center hooks, loads the gate from the stored subscriptions and starts
  // every org whose connector is Active with presenceSync on (their first sync; leftover inbox
  // entries are processed). urls: where subscriptions make Graph post. Before the webhook
  // serves: it answers once the gate is loaded (its caller runs it to completion).
  boost::asio::awaitable<Result<void>> start(NotificationUrls urls);
  // Stops every org's loops (no cleanup in Graph: a restart resumes). Idempotent.
  void stop();

  // Entries were stored in org's durable inbox by another instance (its webhook; the inbox
  // listener heard the NOTIFY of their commit), or may have been while the listener was deaf:
  // org's sync, if it runs here, reads the inbox for what it has not taken yet, as at start,
  // and processes each entry once. Nothing when org's sync does not run here.
  void inbox_grown(OrgId org);
  // ---- the organisation lease (docs/postgresql.md, "Leases and fencing"); any thread ----
  // org became this instance's: its sync starts when its connector is Active with presenceSync
  // on (as at start: first sync, leftover inbox, the stored subscriptions Graph still has).
  void org_gained(OrgId org);
  // org is no longer this instance's: its loops stop at once, without cleanup in Graph (the
  // next owner resumes them, as after a restart).
  void org_lost(OrgId org);

  // The org's status, read on the org's strand; not running when sync is off for it.
  boost::asio::awaitable<PresenceSyncStatus> status(OrgId org);

  // ConnectorParticipant
  std::string_view participant_name() const override { return "presence sync"; }
  boost::asio::awaitable<void> connector_active(OrgId org, std::string tenant) override;
  boost::asio::awaitable<void> connector_inactive(OrgId org) override;
  boost::asio::awaitable<Result<std::string>> remove_connector_artefacts(
      OrgId org, std::string tenant) override;
  void connector_changed(OrgId org) override;

  // NotificationGate
  std::optional<OrgId> admit(std::string_view subscription_id,
                             std::string_view client_state) override;
  GateDecision decide(std::string_view subscription_id, std::string_view client_state) override;
  void stored(InboxEntry entry) override;

  // GateReload: at most kGateReloadsPerSecond reads of the subscriptions per second (a stream of
  // forged posts costs no more), each merged into the gate (what it holds stays).
  boost::asio::awaitable<bool> reload_gate() override;
  static constexpr int kGateReloadsPerSecond = 10;

 private:
  std::shared_ptr<presence::OrgSync> find(OrgId org);
  // Starts org's sync when its connector is Active with presenceSync on, stops it otherwise.
  boost::asio::awaitable<void> reconcile(OrgId org);
  // Starts org's sync unless it runs, or this instance does not serve org.
  void start_org(OrgId org);
  // Switches org's sync off (see the file comment); returns what it removed.
  boost::asio::awaitable<std::string> switch_off(OrgId org, bool deleting);

  struct Shared;
  std::shared_ptr<Shared> shared_;
};

}  // namespace ccteams
