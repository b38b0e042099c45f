#pragma once
// PostgreSQL migrations 4 and 5: the Teams connector (SQLite's migrations 6, 11 and 12) and the
// one contact-center table it references, the idle codes (from SQLite's migration 4). Same
// columns and units as SQLite; the reasons for each table: v6_teams_connector.hpp,
// v11_tenant_binding.hpp, v12_consent_sign_in.hpp, sqlite_migrations.cpp (v4).

#include <string_view>

namespace ccteams::store {

// The idle codes alone: the connector's mapping rules reference them. The rest of SQLite's
// contact-center schema comes with the contact-center store's port (docs/postgresql.md).
inline constexpr std::string_view kPgV4IdleCodes = R"sql(
CREATE TABLE idle_codes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  name text NOT NULL,
  system boolean NOT NULL DEFAULT false,
  active boolean NOT NULL DEFAULT true,
  UNIQUE (org_id, name),
  UNIQUE (org_id, id)
);
)sql";

// As SQLite after its migration 12, at once. One difference: the mapping rule's reference to
// its idle code is NO ACTION DEFERRABLE INITIALLY DEFERRED, not RESTRICT. Both refuse to delete
// a mapped idle code (this one when the transaction commits), but PostgreSQL checks RESTRICT,
// and an immediate NO ACTION too, in the middle of the cascades of an organisation's removal
// (its idle codes' before its connector's rules'), so that removal would fail; SQLite removes
// the organisation. Checked at COMMIT, the cascade has removed the rules too. A store call that
// must answer "still in use" at its own statement sets the constraint IMMEDIATE first.
inline constexpr std::string_view kPgV5TeamsConnector = R"sql(
CREATE TABLE teams_connectors (
  org_id bigint PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
  status text NOT NULL,
  tenant_id text NOT NULL DEFAULT '',
  consented_by bigint,
  consented_by_username text NOT NULL DEFAULT '',
  consented_at bigint,
  granted_permissions text NOT NULL DEFAULT '',
  show_user_details boolean NOT NULL DEFAULT true,
  presence_sync boolean NOT NULL DEFAULT true,
  last_error text NOT NULL DEFAULT '',
  updated_at bigint NOT NULL,
  version bigint NOT NULL,
  consented_by_entra_upn text NOT NULL DEFAULT '',
  consented_by_entra_oid text NOT NULL DEFAULT ''
);
CREATE INDEX teams_connectors_status ON teams_connectors(status);
CREATE UNIQUE INDEX teams_connectors_tenant ON teams_connectors(tenant_id) WHERE tenant_id <> '';
CREATE TABLE teams_connector_mapping_rules (
  org_id bigint NOT NULL REFERENCES teams_connectors(org_id) ON DELETE CASCADE,
  position bigint NOT NULL,
  availability text NOT NULL,
  activity text,
  idle_code_id bigint NOT NULL,
  PRIMARY KEY (org_id, position),
  CONSTRAINT teams_connector_mapping_rules_idle_code_fkey
    FOREIGN KEY (org_id, idle_code_id) REFERENCES idle_codes(org_id, id)
    ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX teams_connector_mapping_rules_idle_code
  ON teams_connector_mapping_rules(org_id, idle_code_id);
CREATE TABLE teams_consent_requests (
  state_digest text PRIMARY KEY,
  org_id bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  user_id bigint NOT NULL,
  username text NOT NULL,
  session_digest text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  used boolean NOT NULL DEFAULT false,
  stage text NOT NULL DEFAULT 'sign_in',
  nonce text NOT NULL DEFAULT '',
  sealed_code_verifier text NOT NULL DEFAULT '',
  tenant_id text NOT NULL DEFAULT '',
  entra_upn text NOT NULL DEFAULT '',
  entra_oid text NOT NULL DEFAULT ''
);
CREATE INDEX teams_consent_requests_org ON teams_consent_requests(org_id);
CREATE INDEX teams_consent_requests_expires_at ON teams_consent_requests(expires_at);
CREATE TABLE teams_connector_audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  actor_user_id bigint,
  actor_username text NOT NULL,
  action text NOT NULL,
  result text NOT NULL CHECK (result IN ('ok', 'error')),
  detail text NOT NULL,
  at bigint NOT NULL
);
CREATE INDEX teams_connector_audit_org_id ON teams_connector_audit(org_id, id);
)sql";

}  // namespace ccteams::store
