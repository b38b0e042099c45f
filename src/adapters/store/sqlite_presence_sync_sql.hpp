#pragma once
// Every SQL statement of the SQLite presence sync store (STYLE §13), in one place. Schema:
// migrations/v8_presence_sync.hpp. Column lists match the readers in
// sqlite_presence_sync_store.cpp.

#include <string_view>

namespace ccteams::store::presence_sync_sql {

// Subscriptions: columns id, org_id, account_id, user_ids, expiration, client_state_sha256,
// include_resource_data, health, created_at, certificate_id (v10).
#define CCTEAMS_PRESENCE_SUBSCRIPTION_COLUMNS                                                \
  "id, org_id, account_id, user_ids, expiration, client_state_sha256, include_resource_data, " \
  "health, created_at, certificate_id"
inline constexpr std::string_view kSelectSubscriptionsOfOrg =
    "SELECT " CCTEAMS_PRESENCE_SUBSCRIPTION_COLUMNS
    " FROM presence_subscriptions WHERE org_id = ?1 ORDER BY created_at, id";
inline constexpr std::string_view kSelectAllSubscriptions =
    "SELECT " CCTEAMS_PRESENCE_SUBSCRIPTION_COLUMNS
    " FROM presence_subscriptions ORDER BY org_id, created_at, id";
inline constexpr std::string_view kUpsertSubscription =
    "INSERT INTO presence_subscriptions (" CCTEAMS_PRESENCE_SUBSCRIPTION_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
    "ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, account_id = excluded.account_id, "
    "user_ids = excluded.user_ids, expiration = excluded.expiration, "
    "client_state_sha256 = excluded.client_state_sha256, "
    "include_resource_data = excluded.include_resource_data, health = excluded.health, "
    "created_at = excluded.created_at, certificate_id = excluded.certificate_id";
#undef CCTEAMS_PRESENCE_SUBSCRIPTION_COLUMNS
inline constexpr std::string_view kDeleteSubscription =
    "DELETE FROM presence_subscriptions WHERE id = ?1";

// Inbox: columns seq, org_id, kind, received_at, body.
inline constexpr std::string_view kInsertInboxEntry =
    "INSERT INTO presence_inbox (org_id, kind, received_at, body) VALUES (?1, ?2, ?3, ?4)";
inline constexpr std::string_view kSelectPending =
    "SELECT seq, org_id, kind, received_at, body FROM presence_inbox WHERE org_id = ?1 "
    "ORDER BY seq LIMIT ?2";
inline constexpr std::string_view kSelectOrgsWithPending =
    "SELECT DISTINCT org_id FROM presence_inbox ORDER BY org_id";
inline constexpr std::string_view kDeleteInboxEntry =
    "DELETE FROM presence_inbox WHERE org_id = ?1 AND seq = ?2";
inline constexpr std::string_view kDeleteInboxOfOrg = "DELETE FROM presence_inbox WHERE org_id = ?1";
// The service's notification keyring (v10): one row, id 1.
inline constexpr std::string_view kSelectKeyring = "SELECT sealed FROM notification_keyring WHERE id = 1";
inline constexpr std::string_view kUpsertKeyring =
    "INSERT INTO notification_keyring (id, sealed, updated_at) VALUES (1, ?1, ?2) "
    "ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at";
inline constexpr std::string_view kReadSynchronous = "PRAGMA synchronous";

}  // namespace ccteams::store::presence_sync_sql
