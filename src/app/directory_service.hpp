#pragma once
// The Teams directory service (issue 7): the local mirror of an organisation's Entra users,
// kept current with the users delta query, searched locally, with Teams presence overlaid for
// the users shown, and the resolution of a Teams user into a consult/transfer party.
//
// Lifecycle (a ConnectorParticipant):
//   * connector_active: starts a sync in the background (the consent callback does not wait
//     for it): a full sync when the org was never mirrored, its mirror came from another
//     tenant, or it has no deltaLink; a delta sync otherwise.
//   * full sync: paged GET /users with $select, then the users delta query from the start up
//     to its deltaLink (its pages are applied over the list, so nothing that changed between
//     the two calls is lost); the new index replaces the old one at once, the rows and the
//     deltaLink are stored in one transaction.
//   * delta sync (on the schedule, sync_all; and on demand, sync): follows the stored deltaLink
//     to the next one; upserts changed users (fields Graph omits keep their value), removes
//     @removed and disabled (accountEnabled false) users; resyncRequired / syncStateNotFound
//     run a full sync instead.
//   * connector_inactive: nothing is called on Graph any more (sync_all and sync check the
//     connector), the mirror stays for a reactivation.
//   * remove_connector_artefacts: the mirror's rows, state, index and presence cache go; a sync
//     running meanwhile finds out before it writes and drops its result.
//   * start (before serving): resume_all, then sync_all every options.sync_interval of the
//     Scheduler's time (app/periodic.hpp); stop() ends the schedule.
//   * resume_all (start-up): loads every Active org's mirror from the store into its index,
//     then syncs it (delta when a deltaLink is stored).
// At most one sync runs per organisation; sync() while one runs is refused with conflict.
// The syncs themselves are directory_sync.cpp's.
//
// Search (GET /api/v1/directory/teams-users): any signed-in role of the org; the connector must
// be Active (conflict otherwise). With showUserDetails, each result carries the user's Teams
// presence, read in bulk (one getPresencesByUserId for the page's uncached ids) and cached for
// options.presence_ttl per user; without it there is no presence and the index refuses
// department / job title filters and does not search those fields (core/directory.hpp).
//
// Thread-safety: one actor per organisation (app/org_actors.hpp). An organisation's index, sync
// state, presence cache and removal epoch (OrgDirectory, directory_sync.hpp) are touched only
// on its strand, so no mutex guards them; a mutex guards the map of organisations only. Every
// awaitable method may be awaited from any executor: it runs on the organisation's strand
// (co_spawn onto it) and resumes the caller on its own executor. Searches run on the strand
// too (an in-memory index lookup, microseconds): they see the mirror exactly as the last sync
// step left it. A sync stays on the strand while it waits for Graph, and the organisation's
// other calls (searches, the removal, the contact center) run between its steps; a large full
// sync builds its new index in slices for the same reason. Store calls are Store::run jobs
// (awaited on the strand: other work of the organisation runs meanwhile, so what a job's
// result is applied to is checked again after it). No lock is held across a co_await.

#include <boost/asio/awaitable.hpp>
#include <concepts>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/auth_service.hpp"
#include "app/connector_participant.hpp"
#include "app/connector_service.hpp"
#include "app/directory_sync.hpp"
#include "app/org_actors.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/graph_directory.hpp"
#include "app/ports/graph_presence.hpp"
#include "app/ports/org_ownership.hpp"
#include "app/ports/scheduler.hpp"
#include "app/ports/store.hpp"
#include "core/contact.hpp"
#include "core/directory.hpp"

namespace ccteams {

class Periodic;

// Every field is settable in the configuration file's [directory] section (cli/config.hpp).
struct DirectoryServiceOptions {
  Millis sync_interval = std::chrono::minutes(5);  // the schedule: a delta sync of every org
  Millis presence_ttl = std::chrono::seconds(5);   // how long a read presence is shown as is
  int page_size = 999;                             // $top of GET /users (Graph's maximum)
  std::string default_country_code;                // for business phones without a prefix
  // Which organisations this instance serves (app/ports/org_ownership.hpp). The mirror is
  // part of an organisation's live state: only its owner keeps it in memory, syncs it with
  // Graph and answers searches; elsewhere those answer org_elsewhere (the HTTP layer takes the
  // request to the owner). Not owned; must outlive the service.
  const OrgOwnership* ownership = &OrgOwnership::every_org();
};

struct DirectorySearchItem {
  DirectoryHit hit;
  std::optional<GraphPresence> presence;  // with showUserDetails, when Graph gave it
};

struct DirectorySearchResult {
  std::vector<DirectorySearchItem> items;
  std::string next_cursor;
  std::size_t total = 0;
  bool show_user_details = false;
  bool presence_unavailable = false;  // showUserDetails on, but Graph did not answer
};

// A warning that does not block the command (e.g. the expert is busy in Teams).
struct DirectoryWarning {
  std::string code;  // "teams_user_busy", "presence_unavailable"
  std::string message;
};

// A Teams user as a consult/transfer target.
struct TeamsPartyResolution {
  DirectoryUser user;
  std::optional<PhoneParty> party;        // set when the user is dialable
  std::optional<GraphPresence> presence;  // read at that moment (showUserDetails only)
  std::vector<DirectoryWarning> warnings;
};

// What the directory asks of Graph: the users (the syncs) and their presence (searches with
// showUserDetails, resolutions). One GraphClient, or a fake of both roles, converts
// implicitly. Not owned: both must outlive the service.
struct DirectoryGraph {
  DirectoryGraph(GraphDirectory& u, GraphPresenceReader& p) : users(u), presence(p) {}
  template <class G>
  requires std::derived_from<G, GraphDirectory> && std::derived_from<G, GraphPresenceReader>
  DirectoryGraph(G& both)  // NOLINT(google-explicit-constructor): converts like the roles do
      : users(both), presence(both) {}

  GraphDirectory& users;
  GraphPresenceReader& presence;
};

class DirectoryService final : public ConnectorParticipant {
 public:
  template <class T>
  using Async = boost::asio::awaitable<T>;
  // The Active connector of an org (ConnectorService::active) and the orgs whose connector is
  // Active (ConnectorService::active_orgs); functions so that tests need no connector service.
  // The connector's answers come from the store: awaited.
  using ConnectorLookup =
      std::function<boost::asio::awaitable<Result<ActiveConnector>>(OrgId)>;
  using ActiveOrgs = std::function<boost::asio::awaitable<Result<std::vector<OrgId>>>()>;

  // Not owned; all must outlive the service. actors: the runtime's one OrgActors (each
  // organisation's strand); scheduler and clock: the schedule's time.
  DirectoryService(OrgActors& actors, Store& store, DirectoryGraph graph, const Clock& clock,
                   Scheduler& scheduler, ConnectorLookup connector, ActiveOrgs active_orgs,
                   DirectoryServiceOptions options = {});
  ~DirectoryService() override;
  DirectoryService(const DirectoryService&) = delete;
  DirectoryService& operator=(const DirectoryService&) = delete;

  const DirectoryServiceOptions& options() const { return options_; }

  // Runs resume_all, then sync_all every options.sync_interval (once; before serving).
  void start();
  // Ends the schedule: a sync under way finishes, no other starts. Idempotent; any thread.
  void stop();

  // ConnectorParticipant
  std::string_view participant_name() const override { return "directory mirror"; }
  Async<void> connector_active(OrgId org, std::string tenant) override;
  Async<void> connector_inactive(OrgId org) override;
  Async<Result<std::string>> remove_connector_artefacts(OrgId org, std::string tenant) override;
  void connector_changed(OrgId org) override;

  // This instance took org's lease: its mirror is loaded from the store and synced (in the
  // background, on org's strand). Any thread.
  void org_gained(OrgId org);
  // This instance lost or released org's lease: its mirror leaves memory (a sync under way
  // drops its result, as after a removal). Any thread.
  void org_lost(OrgId org);

  // Loads every served Active org's mirror from the store, then syncs each (start-up).
  Async<void> resume_all();
  // A sync of every Active org this instance serves (the schedule), one after the other; orgs
  // already syncing are skipped.
  Async<void> sync_all();
  // One sync of org now (full or delta, see above). Errors: org_elsewhere when another
  // instance serves org; conflict when the connector is not Active, a sync is already running, or the connector was removed during the sync;
  // Graph's errors (unavailable, rate_limited, forbidden…) and the store's.
  Async<Result<DirectorySyncReport>> sync(OrgId org);
  // As sync, for an admin of the caller's org (forbidden otherwise).
  Async<Result<DirectorySyncReport>> sync_for(const Caller& caller);

  // One page of the caller's org directory (see above). Errors: org_elsewhere, the index's
  // invalid_input,
  // conflict when the connector is not Active, unavailable before the first sync finished.
  Async<Result<DirectorySearchResult>> search(const Caller& caller, DirectoryQuery query);

  // The mirrored Teams user teams_user_id of org as a party; its presence is read from Graph
  // at that moment (showUserDetails only), a busy one adds a teams_user_busy warning. Errors:
  // org_elsewhere, conflict when the connector is not Active, invalid_input when the id is not in the mirror.
  // A user who is not dialable is returned with no party: the caller refuses with the reason.
  Async<Result<TeamsPartyResolution>> resolve_party(OrgId org, std::string teams_user_id);

  // For tests and metrics: the number of mirrored users of org (0 when none).
  Async<std::size_t> mirrored_users(OrgId org);

 private:
  bool serves(OrgId org) const;
  // Fills org's mirror from the store (no Graph call); a failure is logged.
  Async<void> load_mirror(OrgId org);
  // org's mirror, made on first use. On org's strand only.
  std::shared_ptr<OrgDirectory> org_directory(OrgId org);
  // Runs fn(org's OrgDirectory) (an awaitable giving R) on org's strand, for a caller anywhere.
  template <class R, class Fn>
  Async<R> in_org(OrgId org, Fn fn);
  // The bodies of the public calls, on org's strand.
  Async<Result<DirectorySyncReport>> sync_on_strand(OrgId org, OrgDirectory& dir);
  Async<Result<DirectorySearchResult>> search_on_strand(const Caller& caller, DirectoryQuery query,
                                                        OrgDirectory& dir);
  Async<Result<TeamsPartyResolution>> resolve_on_strand(OrgId org, std::string teams_user_id,
                                                        OrgDirectory& dir);
  // Presence for ids (cached for presence_ttl; fresh = bypass the cache); nullopt on failure.
  Async<std::optional<std::unordered_map<std::string, GraphPresence>>> presences(
      OrgDirectory& dir, const std::string& tenant, const std::vector<std::string>& ids,
      bool fresh);

  OrgActors& actors_;
  Store& store_;
  GraphPresenceReader& presence_graph_;
  const Clock& clock_;
  Scheduler& scheduler_;
  ConnectorLookup connector_;
  ActiveOrgs active_orgs_;
  DirectoryServiceOptions options_;
  DirectorySync syncer_;
  // Guards the map orgs_ only (finding, adding or erasing an organisation's entry, from any
  // strand); an OrgDirectory itself is touched only on its organisation's strand. org_lost
  // erases the entry; a call under way keeps its OrgDirectory (in_org holds it), whose epoch
  // org_lost bumped, so nothing it finds is kept.
  std::mutex orgs_mu_;
  std::unordered_map<OrgId, std::shared_ptr<OrgDirectory>> orgs_;
  std::unique_ptr<Periodic> schedule_;  // made by start(); declared last, stopped first
};

}  // namespace ccteams
