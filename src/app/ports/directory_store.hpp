#pragma once
// The Teams directory mirror's persistence (issue 7): the enabled Entra users of an
// organisation's tenant as last seen, with their E.164 phone normalised at mirror time, and the
// users-delta deltaLink that resumes the mirror after a restart.
//
// Only enabled users are stored: a disabled or removed user is deleted, never kept flagged.
// Writes are atomic per call (the full replacement and each delta page with its deltaLink go
// together, so a crash never leaves a deltaLink that claims changes the rows do not have).
// Implemented by adapters/store (SqliteDirectoryStore); tests use InMemoryDirectoryStore.
// Thread-safety: implementations allow concurrent calls.

#include <optional>
#include <string>
#include <vector>

#include "core/directory.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

// Where an organisation's mirror stands.
struct DirectorySyncState {
  std::string tenant;      // the Entra tenant the rows came from
  std::string delta_link;  // opaque; empty when the last full sync did not finish its delta round
  Timestamp synced_at{};   // the last successful full or delta sync
  std::size_t user_count = 0;
};

class DirectoryStore {
 public:
  virtual ~DirectoryStore() = default;

  // Replaces every row of org with users (a full sync) and sets the sync state.
  virtual Result<void> replace_all(OrgId org, const std::vector<DirectoryUser>& users,
                                   const DirectorySyncState& state) = 0;
  // One delta page: upserts (replacing rows of the same id), removals by id (unknown ids are
  // ignored), then the new state (user_count is recomputed from the rows).
  virtual Result<void> apply_delta(OrgId org, const std::vector<DirectoryUser>& upserts,
                                   const std::vector<std::string>& removed_ids,
                                   const DirectorySyncState& state) = 0;
  // Every mirrored user of org (any order).
  virtual Result<std::vector<DirectoryUser>> load_users(OrgId org) = 0;
  // nullopt when org was never mirrored (or its mirror was deleted).
  virtual Result<std::optional<DirectorySyncState>> sync_state(OrgId org) = 0;
  // Deletes org's rows and state; returns how many users were removed.
  virtual Result<int> delete_org(OrgId org) = 0;
};

}  // namespace ccteams
