#pragma once
// PostgreSQL migration 9: organisation leases with fencing tokens (docs/postgresql.md, "Leases
// and fencing"). No SQLite counterpart: SQLite serves one instance.
//
// One row per organisation that was ever leased. `token` grows by one with every new grant and
// is never reused for the organisation (a write carrying an older one is refused); `owner` is
// the holder's per-process random id, part of the fence too, so that a token number handed out
// twice (an asynchronous replica promoted after losing the last bump) still fences. Deadlines
// are on the database's clock (clock_timestamp()), never an instance's. `expires_at` has no
// index on purpose: every renewal updates it, and an unindexed column keeps that a HOT update.

#include <string_view>

namespace ccteams::store {

inline constexpr std::string_view kPgV9OrgLeases = R"sql(
CREATE TABLE org_leases (
  org_id bigint PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
  owner text NOT NULL,
  token bigint NOT NULL CHECK (token > 0),
  acquired_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
) WITH (fillfactor = 50);
)sql";

// PostgreSQL migration 10: the instances of a cluster (docs/postgresql.md, "Spreading
// organisations"). Each `serve` with [cluster] heart-beats its row (its lease owner id) at every
// scan; rows older than the lease TTL are not counted as live, and a graceful stop deletes its
// own. With I live instances and O organisations each takes at most ceil(O / I). Rows of
// instances gone for long are deleted by the heartbeats of the others.
inline constexpr std::string_view kPgV10ClusterInstances = R"sql(
CREATE TABLE cluster_instances (
  owner text PRIMARY KEY,
  started_at timestamptz NOT NULL,
  seen_at timestamptz NOT NULL
) WITH (fillfactor = 50);
)sql";

// PostgreSQL migration 11: where each instance takes forwarded requests (docs/postgresql.md,
// "Any instance serves any request"). The heartbeat keeps `internal_url` current; a non-owner
// looks the owner's up through org_leases.owner. '' for an instance that advertises none.
inline constexpr std::string_view kPgV11InstanceInternalUrl = R"sql(
ALTER TABLE cluster_instances ADD COLUMN internal_url text NOT NULL DEFAULT '';
)sql";

}  // namespace ccteams::store
