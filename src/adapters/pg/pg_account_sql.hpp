#pragma once
// Every SQL statement of the PostgreSQL account store (STYLE §13), in one place: the statements
// of sqlite_account_sql.hpp in PostgreSQL's dialect ($n parameters, RETURNING for new ids).
// Column lists match the readers in pg_account_store.cpp.

#include <string_view>

namespace ccteams::store::pg_account_sql {

// Organisations: columns id, name, created_at.
inline constexpr std::string_view kInsertOrg =
    "INSERT INTO organisations (name, created_at) VALUES ($1, $2) RETURNING id";
inline constexpr std::string_view kSelectOrgById =
    "SELECT id, name, created_at FROM organisations WHERE id = $1";
inline constexpr std::string_view kSelectOrgByName =
    "SELECT id, name, created_at FROM organisations WHERE name = $1";
inline constexpr std::string_view kSelectOrgs =
    "SELECT id, name, created_at FROM organisations ORDER BY id";

// Users: columns id, org_id, username, display_name, roles, password_hash, disabled, created_at.
inline constexpr std::string_view kOrgExists = "SELECT 1 FROM organisations WHERE id = $1";
inline constexpr std::string_view kInsertUser =
    "INSERT INTO users (org_id, username, display_name, roles, password_hash, disabled, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
inline constexpr std::string_view kSelectUser =
    "SELECT id, org_id, username, display_name, roles, password_hash, disabled, created_at "
    "FROM users WHERE org_id = $1 AND id = $2";
inline constexpr std::string_view kSelectUserByUsername =
    "SELECT id, org_id, username, display_name, roles, password_hash, disabled, created_at "
    "FROM users WHERE username = $1";
inline constexpr std::string_view kSelectUsersOfOrg =
    "SELECT id, org_id, username, display_name, roles, password_hash, disabled, created_at "
    "FROM users WHERE org_id = $1 ORDER BY id";
inline constexpr std::string_view kUpdateUser =
    "UPDATE users SET display_name = $3, roles = $4, password_hash = $5, disabled = $6 "
    "WHERE org_id = $1 AND id = $2 "
    "RETURNING id, org_id, username, display_name, roles, password_hash, disabled, created_at";
// The user's sessions go with it (ON DELETE CASCADE).
inline constexpr std::string_view kDeleteUser = "DELETE FROM users WHERE org_id = $1 AND id = $2";

// Sessions: columns token_hash, user_id, org_id, csrf_token, created_at, expires_at.
inline constexpr std::string_view kUpsertSession =
    "INSERT INTO auth_sessions (token_hash, user_id, org_id, csrf_token, created_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) "
    "ON CONFLICT (token_hash) DO UPDATE SET user_id = excluded.user_id, "
    "org_id = excluded.org_id, csrf_token = excluded.csrf_token, "
    "created_at = excluded.created_at, expires_at = excluded.expires_at";
inline constexpr std::string_view kSelectLiveSession =
    "SELECT token_hash, user_id, org_id, csrf_token, created_at, expires_at "
    "FROM auth_sessions WHERE token_hash = $1 AND expires_at > $2";
inline constexpr std::string_view kDeleteSession =
    "DELETE FROM auth_sessions WHERE token_hash = $1";
// The user's sessions but one ($3; '' keeps none).
inline constexpr std::string_view kDeleteUserSessions =
    "DELETE FROM auth_sessions WHERE org_id = $1 AND user_id = $2 AND token_hash <> $3";
inline constexpr std::string_view kDeleteExpiredSessions =
    "DELETE FROM auth_sessions WHERE expires_at <= $1";

// Failed sign-ins.
inline constexpr std::string_view kInsertLoginFailure =
    "INSERT INTO login_failures (key, at) VALUES ($1, $2)";
inline constexpr std::string_view kCountLoginFailuresSince =
    "SELECT count(*) FROM login_failures WHERE key = $1 AND at >= $2";
inline constexpr std::string_view kLastLoginFailure =
    "SELECT max(at) FROM login_failures WHERE key = $1";
inline constexpr std::string_view kDeleteLoginFailures =
    "DELETE FROM login_failures WHERE key = $1";
inline constexpr std::string_view kPruneLoginFailures = "DELETE FROM login_failures WHERE at < $1";

}  // namespace ccteams::store::pg_account_sql
