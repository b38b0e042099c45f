#pragma once
// Schema migration v7 (issue 4: presence sync accounts and their encrypted refresh tokens).
// One migration per file so that work on different tables does not collide; the list that
// orders them is in sqlite_migrations.cpp.

#include <string_view>

namespace ccteams::store {

// Sync accounts: the dedicated Entra users an admin signed in so that presence subscriptions
// (delegated only, graph-protocol.md §4.1) can be created on their behalf. An account is keyed
// by (org, oid): Entra's object id is the stable key, never the UPN (§1.4); re-adding the same
// account replaces its row. refresh_token_sealed is SecretBox text whose authenticated data
// names the org and the oid, so a ciphertext copied into another row does not open. tenant_id
// is the tenant the token was issued by (a connector re-authorised for another tenant makes
// the account unusable). added_by is a plain id: the admin's account may go, the record stays.
// Pending sign-ins keep the SHA-256 digest of `state`, never the state itself, and the PKCE
// code_verifier only sealed. Both tables go with their organisation.
inline constexpr std::string_view kV7SyncAccounts = R"sql(
CREATE TABLE sync_accounts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  tenant_id TEXT NOT NULL,
  oid TEXT NOT NULL,
  upn TEXT NOT NULL,
  display_name TEXT NOT NULL,
  refresh_token_sealed TEXT NOT NULL,
  token_state TEXT NOT NULL CHECK (token_state IN ('healthy', 'failed')),
  last_refreshed_at INTEGER,
  last_error TEXT NOT NULL DEFAULT '',
  added_by INTEGER NOT NULL,
  added_at INTEGER NOT NULL,
  UNIQUE (org_id, oid)
);
CREATE TABLE sync_account_sign_ins (
  state_digest TEXT PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL,
  session_digest TEXT NOT NULL,
  code_verifier_sealed TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX sync_account_sign_ins_org ON sync_account_sign_ins(org_id);
CREATE INDEX sync_account_sign_ins_expires_at ON sync_account_sign_ins(expires_at);
)sql";

}  // namespace ccteams::store
