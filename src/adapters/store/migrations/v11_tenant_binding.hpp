#pragma once
// Schema migration v11 (issue 23: a tenant is bound to one organisation at most). One migration
// per file; the list that orders them is in sqlite_migrations.cpp.

#include <string_view>

namespace ccteams::store {

// Before v11 nothing stopped two organisations from holding the same Entra tenant (an admin could
// finish the consent callback with another customer's tenant id). Where that happened, the
// earliest consent keeps the tenant (ties: the lower organisation id); every other holder loses
// it: its connector goes to AuthorizationError with the reason, and its audit log says so, so
// that its admin can re-authorise their own tenant. Then a unique index makes the rule the
// database's: a tenant id other than '' appears in one connector at most.
inline constexpr std::string_view kV11TenantBinding = R"sql(
INSERT INTO teams_connector_audit (org_id, actor_user_id, actor_username, action, result, detail, at)
  SELECT c.org_id, NULL, '', 'tenant released', 'error',
         'The Microsoft 365 tenant ' || c.tenant_id || ' is connected to another ccteams '
           || 'organisation, which consented first; a tenant can be connected to one '
           || 'organisation only. Re-authorise with an administrator of your own tenant.',
         CAST(strftime('%s', 'now') AS INTEGER) * 1000
  FROM teams_connectors c
  WHERE c.tenant_id <> '' AND EXISTS (
    SELECT 1 FROM teams_connectors k
    WHERE k.tenant_id = c.tenant_id AND k.org_id <> c.org_id
      AND (COALESCE(k.consented_at, 0), k.org_id) < (COALESCE(c.consented_at, 0), c.org_id));
UPDATE teams_connectors AS c
  SET status = 'AuthorizationError',
      last_error = 'This Microsoft 365 tenant is connected to another ccteams organisation; '
                   || 're-authorise with an administrator of your own tenant.',
      tenant_id = '',
      version = version + 1
  WHERE c.tenant_id <> '' AND EXISTS (
    SELECT 1 FROM teams_connectors k
    WHERE k.tenant_id = c.tenant_id AND k.org_id <> c.org_id
      AND (COALESCE(k.consented_at, 0), k.org_id) < (COALESCE(c.consented_at, 0), c.org_id));
CREATE UNIQUE INDEX teams_connectors_tenant ON teams_connectors(tenant_id) WHERE tenant_id <> '';
)sql";

}  // namespace ccteams::store
