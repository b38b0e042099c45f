#pragma once
// Schema migration v6 (issue 4: the Teams connector, consent requests and the audit log).
// One migration per file so that work on different tables does not collide; the list that
// orders them is in sqlite_migrations.cpp.

#include <string_view>

namespace ccteams::store {

// One Teams connector per organisation (the org id is the key). consented_by is kept as a plain
// id with the username beside it: the admin's account may be removed later, the record of who
// consented must stay. granted_permissions is a space-separated list (Entra's own scope
// format). version is the optimistic-concurrency counter of TeamsConnector.
// Mapping rules reference their idle code together with the org, RESTRICT: an idle code the
// mapping uses cannot be deleted (the service names the mapping first; this is the backstop).
// Consent requests keep only the SHA-256 digest of the state. The audit log is append-only and
// outlives the connector (no foreign key to it), paged newest first by id.
inline constexpr std::string_view kV6TeamsConnector = R"sql(
CREATE TABLE teams_connectors (
  org_id INTEGER PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  tenant_id TEXT NOT NULL DEFAULT '',
  consented_by INTEGER,
  consented_by_username TEXT NOT NULL DEFAULT '',
  consented_at INTEGER,
  granted_permissions TEXT NOT NULL DEFAULT '',
  show_user_details INTEGER NOT NULL DEFAULT 1,
  presence_sync INTEGER NOT NULL DEFAULT 1,
  last_error TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL
);
CREATE INDEX teams_connectors_status ON teams_connectors(status);
CREATE TABLE teams_connector_mapping_rules (
  org_id INTEGER NOT NULL REFERENCES teams_connectors(org_id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  availability TEXT NOT NULL,
  activity TEXT,
  idle_code_id INTEGER NOT NULL,
  PRIMARY KEY (org_id, position),
  FOREIGN KEY (org_id, idle_code_id) REFERENCES idle_codes(org_id, id) ON DELETE RESTRICT
) WITHOUT ROWID;
CREATE INDEX teams_connector_mapping_rules_idle_code
  ON teams_connector_mapping_rules(org_id, idle_code_id);
CREATE TABLE teams_consent_requests (
  state_digest TEXT PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL,
  username TEXT NOT NULL,
  session_digest TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX teams_consent_requests_org ON teams_consent_requests(org_id);
CREATE INDEX teams_consent_requests_expires_at ON teams_consent_requests(expires_at);
CREATE TABLE teams_connector_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  actor_user_id INTEGER,
  actor_username TEXT NOT NULL,
  action TEXT NOT NULL,
  result TEXT NOT NULL CHECK (result IN ('ok', 'error')),
  detail TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX teams_connector_audit_org_id ON teams_connector_audit(org_id, id);
)sql";

}  // namespace ccteams::store
