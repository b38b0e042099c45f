#pragma once
// PostgreSQL migration 2: what SQLite's migration 7 created (presence sync accounts and their
// pending sign-ins). Same columns and units as SQLite; the reasons: v7_sync_accounts.hpp.

#include <string_view>

namespace ccteams::store {

inline constexpr std::string_view kPgV2SyncAccounts = R"sql(
CREATE TABLE sync_accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  tenant_id text NOT NULL,
  oid text NOT NULL,
  upn text NOT NULL,
  display_name text NOT NULL,
  refresh_token_sealed text NOT NULL,
  token_state text NOT NULL CHECK (token_state IN ('healthy', 'failed')),
  last_refreshed_at bigint,
  last_error text NOT NULL DEFAULT '',
  added_by bigint NOT NULL,
  added_at bigint NOT NULL,
  UNIQUE (org_id, oid)
);
CREATE TABLE sync_account_sign_ins (
  state_digest text PRIMARY KEY,
  org_id bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  user_id bigint NOT NULL,
  session_digest text NOT NULL,
  code_verifier_sealed text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  used boolean NOT NULL DEFAULT false
);
CREATE INDEX sync_account_sign_ins_org ON sync_account_sign_ins(org_id);
CREATE INDEX sync_account_sign_ins_expires_at ON sync_account_sign_ins(expires_at);
)sql";

}  // namespace ccteams::store
