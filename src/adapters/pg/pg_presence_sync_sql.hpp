#pragma once
// Every SQL statement of the PostgreSQL presence-sync store (STYLE §13): those of
// sqlite_presence_sync_sql.hpp in PostgreSQL's dialect, and the inbox writer's batch insert.
// Schema: pg_schema_presence_sync.hpp. Column lists match the readers in
// pg_presence_sync_store.cpp.

#include <string_view>

namespace ccteams::store::pg_presence_sync_sql {

// Subscriptions: columns id, org_id, account_id, user_ids, expiration, client_state_sha256,
// include_resource_data, health, created_at, certificate_id.
#define CCTEAMS_PG_PRESENCE_SUBSCRIPTION_COLUMNS                                               \
  "id, org_id, account_id, user_ids, expiration, client_state_sha256, include_resource_data, " \
  "health, created_at, certificate_id"
// COLLATE "C": byte order, as SQLite sorts text (the database's collation may differ).
inline constexpr std::string_view kSelectSubscriptionsOfOrg =
    "SELECT " CCTEAMS_PG_PRESENCE_SUBSCRIPTION_COLUMNS
    " FROM presence_subscriptions WHERE org_id = $1 ORDER BY created_at, id COLLATE \"C\"";
inline constexpr std::string_view kSelectAllSubscriptions =
    "SELECT " CCTEAMS_PG_PRESENCE_SUBSCRIPTION_COLUMNS
    " FROM presence_subscriptions ORDER BY org_id, created_at, id COLLATE \"C\"";
inline constexpr std::string_view kUpsertSubscription =
    "INSERT INTO presence_subscriptions (" CCTEAMS_PG_PRESENCE_SUBSCRIPTION_COLUMNS
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, account_id = excluded.account_id, "
    "user_ids = excluded.user_ids, expiration = excluded.expiration, "
    "client_state_sha256 = excluded.client_state_sha256, "
    "include_resource_data = excluded.include_resource_data, health = excluded.health, "
    "created_at = excluded.created_at, certificate_id = excluded.certificate_id";
#undef CCTEAMS_PG_PRESENCE_SUBSCRIPTION_COLUMNS
inline constexpr std::string_view kDeleteSubscription =
    "DELETE FROM presence_subscriptions WHERE id = $1";

// Inbox: columns seq, org_id, kind, received_at, body.
//
// The inbox writer's group commit: every entry of one batch in ONE statement. The entries come
// as four parallel arrays ($1 org ids, $2 kinds, $3 received_at, $4 bodies); the answer is one
// row (n, seq) per entry stored, n being the entry's 1-based place in the arrays. An entry of an
// organisation that does not exist is left out (its caller gets not_found) instead of failing
// the statement for everyone; `input` is materialised (computed once), so each entry takes one
// seq, in the order of the arrays.
inline constexpr std::string_view kInsertInboxEntries =
    "WITH input AS MATERIALIZED ("
    " SELECT t.n, t.org_id, t.kind, t.received_at, t.body,"
    " nextval(pg_get_serial_sequence('presence_inbox', 'seq')) AS seq"
    " FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[]) WITH ORDINALITY"
    " AS t(org_id, kind, received_at, body, n)"
    " WHERE EXISTS (SELECT 1 FROM organisations o WHERE o.id = t.org_id)), "
    "stored AS (INSERT INTO presence_inbox (seq, org_id, kind, received_at, body)"
    " OVERRIDING SYSTEM VALUE SELECT seq, org_id, kind, received_at, body FROM input) "
    "SELECT n, seq FROM input ORDER BY n";
// The wake-up call of the same transaction (pg_inbox_wake.hpp): delivered to every LISTENer at
// COMMIT, and never when the transaction rolls back, so a wake-up exists iff its entries do.
// $1: the payload (organisation ids). The channel is pg_inbox_wake.hpp's kInboxChannel.
inline constexpr std::string_view kNotifyInbox = "SELECT pg_notify('ccteams_inbox', $1)";
inline constexpr std::string_view kListenInbox = "LISTEN ccteams_inbox";
inline constexpr std::string_view kSelectPending =
    "SELECT seq, org_id, kind, received_at, body FROM presence_inbox WHERE org_id = $1 "
    "ORDER BY seq LIMIT $2";
inline constexpr std::string_view kSelectOrgsWithPending =
    "SELECT DISTINCT org_id FROM presence_inbox ORDER BY org_id";
// seqs as one array: one statement however many were processed.
inline constexpr std::string_view kDeleteInboxEntries =
    "DELETE FROM presence_inbox WHERE org_id = $1 AND seq = ANY ($2::bigint[])";
inline constexpr std::string_view kDeleteInboxOfOrg =
    "DELETE FROM presence_inbox WHERE org_id = $1";

// The service's notification keyring: one row, id 1.
inline constexpr std::string_view kSelectKeyring =
    "SELECT sealed FROM notification_keyring WHERE id = 1";
inline constexpr std::string_view kUpsertKeyring =
    "INSERT INTO notification_keyring (id, sealed, updated_at) VALUES (1, $1, $2) "
    "ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at";

// Whether a COMMIT returns only once it is on disk (the inbox's promise): fsync on, and
// synchronous_commit not off for the writer's session.
inline constexpr std::string_view kSelectDurability =
    "SELECT current_setting('fsync') = 'on' AND current_setting('synchronous_commit') <> 'off'";

}  // namespace ccteams::store::pg_presence_sync_sql
