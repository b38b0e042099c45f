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

}  // namespace ccteams::store
