#pragma once
// One organisation's Teams directory mirror (OrgDirectory) and its sync with Microsoft Graph
// (DirectorySync): the full sync (paged GET /users, then the users delta query from the start
// up to its deltaLink) and the delta sync (the stored deltaLink to the next one). The rules are
// in directory_service.hpp, whose service owns both.
//
// Thread-safety: an OrgDirectory belongs to its organisation's actor (app/org_actors.hpp):
// every DirectorySync call runs on that organisation's strand and the coroutines stay there
// across their co_awaits, so the state needs no lock. Other calls of the organisation (a
// search, the removal) run between a sync's co_awaits; a sync re-checks the removal epoch
// before it writes anything.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "app/connector_service.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/graph_directory.hpp"
#include "app/ports/graph_presence.hpp"
#include "app/ports/store.hpp"
#include "core/directory.hpp"

namespace ccteams {

// A delta round's users are applied to the index this many at a time; between two slices the
// organisation's strand runs whatever waits (searches, contacts), so a large round never holds
// a search for longer than one slice (about a millisecond; directory_bench measures it).
// Searches between two slices see some of the round's users changed and the others not yet.
inline constexpr std::size_t kDirectoryDeltaSlice = 100;

struct DirectorySyncReport {
  bool full = false;
  std::size_t users = 0;     // in the mirror afterwards
  std::size_t upserted = 0;  // users added or changed (all of them for a full sync)
  std::size_t removed = 0;   // users removed or disabled
};

// Everything live of one organisation's mirror. On the organisation's strand only.
struct OrgDirectory {
  struct CachedPresence {
    GraphPresence presence;
    Timestamp read_at;
  };
  explicit OrgDirectory(DirectoryOptions o) : index(std::move(o)) {}

  DirectoryIndex index;
  bool loaded = false;      // the index holds the stored mirror (or a newer one)
  std::string tenant;       // the tenant the mirror came from
  std::string delta_link;   // where the next delta sync starts
  std::uint64_t epoch = 0;  // bumped by the removal: a sync begun before drops its result
  bool syncing = false;     // at most one sync at a time
  std::unordered_map<std::string, CachedPresence> presence;  // the users shown recently
};

class DirectorySync {
 public:
  template <class T>
  using Async = boost::asio::awaitable<T>;

  // Not owned; store, graph and clock must outlive this. page_size: $top of GET /users;
  // default_country_code: for business phones written without a prefix (check_e164). Every
  // store call is a Store::run job (the mirror's reads together, each write with nothing else).
  DirectorySync(Store& store, GraphDirectory& graph, const Clock& clock, int page_size,
                std::string default_country_code);

  // The index's options for the connector's showUserDetails.
  DirectoryOptions index_options(bool show_user_details) const;

  // Fills dir from the store when it is not loaded yet (no Graph call). A removal or a sync
  // that finished while the store was read wins: what was read is dropped. Errors: the store's.
  Async<Result<void>> load(OrgId org, OrgDirectory& dir);

  // One sync of org for its Active connector: a delta sync when dir holds a deltaLink of the
  // connector's tenant, else (or when Graph refuses the deltaLink) a full one. The caller has
  // set dir.syncing. Errors: conflict when the mirror was removed meanwhile (the result is
  // dropped), Graph's errors (unavailable, rate_limited, forbidden…) and the store's.
  Async<Result<DirectorySyncReport>> run(OrgId org, OrgDirectory& dir, ActiveConnector active);

 private:
  Async<Result<DirectorySyncReport>> full_sync(OrgId org, OrgDirectory& dir, std::string tenant,
                                               bool show_user_details);
  // resync is set when Graph refused the deltaLink (resyncRequired / syncStateNotFound).
  Async<Result<DirectorySyncReport>> delta_sync(OrgId org, OrgDirectory& dir, std::string tenant,
                                                std::string link, bool& resync);

  Store& store_;
  GraphDirectory& graph_;
  const Clock& clock_;
  int page_size_;
  std::string default_country_code_;
};

}  // namespace ccteams
