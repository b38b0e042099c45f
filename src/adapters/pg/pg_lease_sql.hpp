#pragma once
// The statements of organisation leases and their fence (internal to adapters/pg; STYLE §13).
// Each lease statement is one autocommit statement on the lease store's connection and reads
// clock_timestamp(), the database's real time, never now() (a transaction's start).

#include <string_view>

namespace ccteams::store {

// Deadlines leave the database as unix milliseconds.
#define CCTEAMS_PG_LEASE_COLUMNS \
  "org_id, owner, token, (extract(epoch FROM expires_at) * 1000)::bigint"

// $1 org, $2 owner, $3 ttl ms. A new grant (no row, expired, released, or another owner's)
// takes the next token; the owner's own live lease keeps its token and is extended. A
// concurrent claimer waits for the row, re-reads it and changes nothing (READ COMMITTED), so one
// grant wins. An organisation that does not exist gets no row.
inline constexpr std::string_view kAcquireLease =
    "INSERT INTO org_leases AS l (org_id, owner, token, acquired_at, expires_at) "
    "SELECT $1::bigint, $2::text, 1, clock_timestamp(), "
    "       clock_timestamp() + $3::bigint * interval '1 millisecond' "
    "WHERE EXISTS (SELECT 1 FROM organisations WHERE id = $1::bigint) "
    "ON CONFLICT (org_id) DO UPDATE SET "
    "  owner = excluded.owner, "
    "  token = CASE WHEN l.owner = excluded.owner AND l.expires_at > clock_timestamp() "
    "               THEN l.token ELSE l.token + 1 END, "
    "  acquired_at = CASE WHEN l.owner = excluded.owner AND l.expires_at > clock_timestamp() "
    "                     THEN l.acquired_at ELSE excluded.acquired_at END, "
    "  expires_at = excluded.expires_at "
    "WHERE l.expires_at <= clock_timestamp() OR l.owner = excluded.owner "
    "RETURNING " CCTEAMS_PG_LEASE_COLUMNS;

// $1 owner, $2 ttl ms, $3 org ids, $4 their tokens (arrays of the same length).
inline constexpr std::string_view kRenewLeases =
    "UPDATE org_leases l SET expires_at = clock_timestamp() + $2::bigint * interval '1 "
    "millisecond' "
    "FROM unnest($3::bigint[], $4::bigint[]) AS held(org_id, token) "
    "WHERE l.org_id = held.org_id AND l.token = held.token AND l.owner = $1::text "
    "RETURNING l.org_id, l.owner, l.token, (extract(epoch FROM l.expires_at) * 1000)::bigint";

// $1 org, $2 owner, $3 token: expires now, when still theirs.
inline constexpr std::string_view kReleaseLease =
    "UPDATE org_leases SET expires_at = clock_timestamp() "
    "WHERE org_id = $1::bigint AND owner = $2::text AND token = $3::bigint";

inline constexpr std::string_view kClaimableOrganisations =
    "SELECT o.id FROM organisations o LEFT JOIN org_leases l ON l.org_id = o.id "
    "WHERE l.org_id IS NULL OR l.expires_at <= clock_timestamp() ORDER BY o.id";

inline constexpr std::string_view kListLeases =
    "SELECT " CCTEAMS_PG_LEASE_COLUMNS " FROM org_leases ORDER BY org_id";

#undef CCTEAMS_PG_LEASE_COLUMNS

// The heartbeat: $1 owner, $2 ttl ms, $3 its internal URL ('' for none). Marks owner alive
// now, forgets instances silent for a day, and answers (live instances, organisations). The
// CTE's snapshot does not see its own upsert, so owner is counted apart (+ 1).
inline constexpr std::string_view kHeartbeat =
    "WITH beat AS ("
    " INSERT INTO cluster_instances (owner, started_at, seen_at, internal_url)"
    " VALUES ($1::text, clock_timestamp(), clock_timestamp(), $3::text)"
    " ON CONFLICT (owner) DO UPDATE SET seen_at = excluded.seen_at,"
    " internal_url = excluded.internal_url RETURNING owner), "
    "gone AS (DELETE FROM cluster_instances WHERE owner <> $1::text"
    " AND seen_at < clock_timestamp() - interval '1 day') "
    "SELECT 1 + (SELECT count(*) FROM cluster_instances WHERE owner <> $1::text"
    "  AND seen_at > clock_timestamp() - $2::bigint * interval '1 millisecond'),"
    " (SELECT count(*) FROM organisations)";

// Where to forward a request for organisation $1: the internal URL of its lease's holder while
// the lease is live, unless that holder is $2 (the asking instance itself: ownership is moving).
inline constexpr std::string_view kOwnerInternalUrl =
    "SELECT i.internal_url FROM org_leases l JOIN cluster_instances i ON i.owner = l.owner "
    "WHERE l.org_id = $1::bigint AND l.expires_at > clock_timestamp() AND l.owner <> $2::text "
    "AND i.internal_url <> ''";

inline constexpr std::string_view kLeaveCluster =
    "DELETE FROM cluster_instances WHERE owner = $1::text";

// The write guard, first in every fenced job's transaction: $1 org, $2 owner, $3 token. FOR
// SHARE conflicts with the take-over's UPDATE (FOR KEY SHARE would not: docs/postgresql.md), so
// the lease cannot move until this transaction ends; no row means it already moved.
inline constexpr std::string_view kCheckFence =
    "SELECT 1 FROM org_leases WHERE org_id = $1::bigint AND owner = $2::text "
    "AND token = $3::bigint FOR SHARE";

}  // namespace ccteams::store
