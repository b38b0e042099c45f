#pragma once
// Every SQL statement of the PostgreSQL Teams-connector store (STYLE §13): those of
// sqlite_connector_sql.hpp in PostgreSQL's dialect. Schema: pg_schema_connector.hpp. Column
// lists match the readers in pg_connector_store.cpp.

#include <string_view>

namespace ccteams::store::pg_connector_sql {

// Connector: columns org_id, status, tenant_id, consented_by, consented_by_username,
// consented_at, granted_permissions, show_user_details, presence_sync, last_error, updated_at,
// version, consented_by_entra_upn, consented_by_entra_oid.
inline constexpr std::string_view kSelectConnector =
    "SELECT org_id, status, tenant_id, consented_by, consented_by_username, consented_at, "
    "granted_permissions, show_user_details, presence_sync, last_error, updated_at, version, "
    "consented_by_entra_upn, consented_by_entra_oid FROM teams_connectors WHERE org_id = $1";
inline constexpr std::string_view kSelectConnectorVersion =
    "SELECT version FROM teams_connectors WHERE org_id = $1";
// A tenant held by another organisation's connector (the unique index is the backstop).
inline constexpr std::string_view kSelectOtherTenantHolder =
    "SELECT org_id FROM teams_connectors WHERE tenant_id = $1 AND org_id <> $2 LIMIT 1";
inline constexpr std::string_view kSelectTenantHolder =
    "SELECT org_id FROM teams_connectors WHERE tenant_id = $1 AND tenant_id <> ''";
// $13 (the expected version) is the update's alone; the insert leaves it out.
inline constexpr std::string_view kInsertConnector =
    "INSERT INTO teams_connectors (org_id, status, tenant_id, consented_by, "
    "consented_by_username, consented_at, granted_permissions, show_user_details, "
    "presence_sync, last_error, updated_at, version, consented_by_entra_upn, "
    "consented_by_entra_oid) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
inline constexpr std::string_view kUpdateConnector =
    "UPDATE teams_connectors SET status = $2, tenant_id = $3, consented_by = $4, "
    "consented_by_username = $5, consented_at = $6, granted_permissions = $7, "
    "show_user_details = $8, presence_sync = $9, last_error = $10, updated_at = $11, "
    "version = $12, consented_by_entra_upn = $13, consented_by_entra_oid = $14 "
    "WHERE org_id = $1 AND version = $15";
inline constexpr std::string_view kDeleteConnector =
    "DELETE FROM teams_connectors WHERE org_id = $1";
inline constexpr std::string_view kSelectOrgsWithStatus =
    "SELECT org_id FROM teams_connectors WHERE status = $1 ORDER BY org_id";

// Mapping rules: columns availability, activity, idle_code_id, in position order.
inline constexpr std::string_view kSelectRules =
    "SELECT availability, activity, idle_code_id FROM teams_connector_mapping_rules "
    "WHERE org_id = $1 ORDER BY position";
inline constexpr std::string_view kDeleteRules =
    "DELETE FROM teams_connector_mapping_rules WHERE org_id = $1";
inline constexpr std::string_view kInsertRule =
    "INSERT INTO teams_connector_mapping_rules (org_id, position, availability, activity, "
    "idle_code_id) VALUES ($1, $2, $3, $4, $5)";
inline constexpr std::string_view kIdleCodeOfOrg =
    "SELECT 1 FROM idle_codes WHERE org_id = $1 AND id = $2";

// Consent requests: columns state_digest, org_id, user_id, username, session_digest,
// created_at, expires_at, used, stage, nonce, sealed_code_verifier, tenant_id, entra_upn,
// entra_oid.
inline constexpr std::string_view kInsertConsentRequest =
    "INSERT INTO teams_consent_requests (state_digest, org_id, user_id, username, "
    "session_digest, created_at, expires_at, used, stage, nonce, sealed_code_verifier, "
    "tenant_id, entra_upn, entra_oid) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
// FOR UPDATE: a claim is once only under any isolation level (two instances, one callback).
inline constexpr std::string_view kSelectConsentRequestForClaim =
    "SELECT state_digest, org_id, user_id, username, session_digest, created_at, expires_at, "
    "used, stage, nonce, sealed_code_verifier, tenant_id, entra_upn, entra_oid "
    "FROM teams_consent_requests WHERE state_digest = $1 FOR UPDATE";
inline constexpr std::string_view kSetConsentRequestUsed =
    "UPDATE teams_consent_requests SET used = $2 WHERE state_digest = $1";
inline constexpr std::string_view kDeleteConsentRequestsOfOrg =
    "DELETE FROM teams_consent_requests WHERE org_id = $1";
inline constexpr std::string_view kPruneConsentRequests =
    "DELETE FROM teams_consent_requests WHERE expires_at < $1";

// Audit: columns id, org_id, actor_user_id, actor_username, action, result, detail, at.
inline constexpr std::string_view kInsertAudit =
    "INSERT INTO teams_connector_audit (org_id, actor_user_id, actor_username, action, result, "
    "detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
inline constexpr std::string_view kSelectAudit =
    "SELECT id, org_id, actor_user_id, actor_username, action, result, detail, at "
    "FROM teams_connector_audit WHERE org_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3";

}  // namespace ccteams::store::pg_connector_sql
