#pragma once
// Every SQL statement of the PostgreSQL sync-account store (STYLE §13): those of
// sqlite_sync_account_sql.hpp in PostgreSQL's dialect. Column lists match the readers in
// pg_sync_account_store.cpp.

#include <string_view>

namespace ccteams::store::pg_sync_account_sql {

// Accounts: columns id, org_id, tenant_id, oid, upn, display_name, refresh_token_sealed,
// token_state, last_refreshed_at, last_error, added_by, added_at.
#define CCTEAMS_PG_SYNC_ACCOUNT_COLUMNS                                                \
  "id, org_id, tenant_id, oid, upn, display_name, refresh_token_sealed, token_state, " \
  "last_refreshed_at, last_error, added_by, added_at"
inline constexpr std::string_view kSelectAccount =
    "SELECT " CCTEAMS_PG_SYNC_ACCOUNT_COLUMNS " FROM sync_accounts WHERE org_id = $1 AND id = $2";
inline constexpr std::string_view kSelectAccountByOid =
    "SELECT " CCTEAMS_PG_SYNC_ACCOUNT_COLUMNS " FROM sync_accounts WHERE org_id = $1 AND oid = $2";
// COLLATE "C": byte order, as SQLite sorts text (the database's collation may differ).
inline constexpr std::string_view kSelectAccounts =
    "SELECT " CCTEAMS_PG_SYNC_ACCOUNT_COLUMNS
    " FROM sync_accounts WHERE org_id = $1 ORDER BY upn COLLATE \"C\", id";
#undef CCTEAMS_PG_SYNC_ACCOUNT_COLUMNS
inline constexpr std::string_view kUpsertAccount =
    "INSERT INTO sync_accounts (org_id, tenant_id, oid, upn, display_name, "
    "refresh_token_sealed, token_state, last_refreshed_at, last_error, added_by, added_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
    "ON CONFLICT (org_id, oid) DO UPDATE SET tenant_id = excluded.tenant_id, "
    "upn = excluded.upn, display_name = excluded.display_name, "
    "refresh_token_sealed = excluded.refresh_token_sealed, token_state = excluded.token_state, "
    "last_refreshed_at = excluded.last_refreshed_at, last_error = excluded.last_error, "
    "added_by = excluded.added_by, added_at = excluded.added_at";
inline constexpr std::string_view kDeleteAccount =
    "DELETE FROM sync_accounts WHERE org_id = $1 AND id = $2";
inline constexpr std::string_view kRotateToken =
    "UPDATE sync_accounts SET refresh_token_sealed = $4, token_state = 'healthy', "
    "last_refreshed_at = $5, last_error = '' "
    "WHERE org_id = $1 AND id = $2 AND refresh_token_sealed = $3";
inline constexpr std::string_view kMarkFailed =
    "UPDATE sync_accounts SET token_state = 'failed', last_error = $4 "
    "WHERE org_id = $1 AND id = $2 AND refresh_token_sealed = $3";
inline constexpr std::string_view kAccountExists =
    "SELECT 1 FROM sync_accounts WHERE org_id = $1 AND id = $2";
inline constexpr std::string_view kDeleteAccountsOfOrg =
    "DELETE FROM sync_accounts WHERE org_id = $1";

// Pending sign-ins: columns state_digest, org_id, user_id, session_digest,
// code_verifier_sealed, created_at, expires_at, used.
inline constexpr std::string_view kInsertSignIn =
    "INSERT INTO sync_account_sign_ins (state_digest, org_id, user_id, session_digest, "
    "code_verifier_sealed, created_at, expires_at, used) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
// FOR UPDATE: a claim is once only under any isolation level (two instances, one callback).
inline constexpr std::string_view kSelectSignInForClaim =
    "SELECT state_digest, org_id, user_id, session_digest, code_verifier_sealed, created_at, "
    "expires_at, used FROM sync_account_sign_ins WHERE state_digest = $1 FOR UPDATE";
inline constexpr std::string_view kSetSignInUsed =
    "UPDATE sync_account_sign_ins SET used = true WHERE state_digest = $1";
inline constexpr std::string_view kDeleteSignInsOfOrg =
    "DELETE FROM sync_account_sign_ins WHERE org_id = $1";
inline constexpr std::string_view kPruneSignIns =
    "DELETE FROM sync_account_sign_ins WHERE expires_at < $1";

}  // namespace ccteams::store::pg_sync_account_sql
