#pragma once
// SQL of PgDirectoryStore: the statements of sqlite_directory_sql.hpp in PostgreSQL's dialect.
// One home per statement.

#include <string_view>

namespace ccteams::store::pg_directory_sql {

// Users: columns id, display_name, given_name, surname, mail, user_principal_name, job_title,
// department, business_phones, account_enabled, dialability, phone.
inline constexpr std::string_view kUpsertUser =
    "INSERT INTO directory_users (org_id, id, display_name, given_name, surname, mail, "
    "user_principal_name, job_title, department, business_phones, account_enabled, dialability, "
    "phone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
    "ON CONFLICT (org_id, id) DO UPDATE SET display_name = excluded.display_name, "
    "given_name = excluded.given_name, surname = excluded.surname, mail = excluded.mail, "
    "user_principal_name = excluded.user_principal_name, job_title = excluded.job_title, "
    "department = excluded.department, business_phones = excluded.business_phones, "
    "account_enabled = excluded.account_enabled, dialability = excluded.dialability, "
    "phone = excluded.phone";
inline constexpr std::string_view kDeleteUser =
    "DELETE FROM directory_users WHERE org_id = $1 AND id = $2";
inline constexpr std::string_view kDeleteOrgUsers = "DELETE FROM directory_users WHERE org_id = $1";
inline constexpr std::string_view kSelectOrgUsers =
    "SELECT id, display_name, given_name, surname, mail, user_principal_name, job_title, "
    "department, business_phones, account_enabled, dialability, phone FROM directory_users "
    "WHERE org_id = $1";
inline constexpr std::string_view kCountOrgUsers =
    "SELECT count(*) FROM directory_users WHERE org_id = $1";

// Sync state: columns tenant_id, delta_link, synced_at, user_count.
inline constexpr std::string_view kUpsertSync =
    "INSERT INTO directory_sync (org_id, tenant_id, delta_link, synced_at, user_count) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id) DO UPDATE SET tenant_id = "
    "excluded.tenant_id, delta_link = excluded.delta_link, synced_at = excluded.synced_at, "
    "user_count = excluded.user_count";
inline constexpr std::string_view kSelectSync =
    "SELECT tenant_id, delta_link, synced_at, user_count FROM directory_sync WHERE org_id = $1";
inline constexpr std::string_view kDeleteSync = "DELETE FROM directory_sync WHERE org_id = $1";

}  // namespace ccteams::store::pg_directory_sql
