#pragma once
// Schema migration v9 (issue 7: the Teams directory mirror). One migration per file; the list
// that orders them is in sqlite_migrations.cpp.

#include <string_view>

namespace ccteams::store {

// directory_users: the enabled Entra users of an organisation's tenant, keyed by (org, Entra
// object id), every mirrored field as Graph sent it (business_phones joined by U+001F, a byte
// no phone text contains) plus the dialability and E.164 phone computed once at mirror time.
// directory_sync: one row per organisation with the tenant, the users-delta deltaLink that
// resumes the mirror, and when it last succeeded. Both go with their organisation.
inline constexpr std::string_view kV9Directory = R"sql(
CREATE TABLE directory_users (
  org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  given_name TEXT NOT NULL,
  surname TEXT NOT NULL,
  mail TEXT NOT NULL,
  user_principal_name TEXT NOT NULL,
  job_title TEXT NOT NULL,
  department TEXT NOT NULL,
  business_phones TEXT NOT NULL,
  account_enabled INTEGER NOT NULL,
  dialability TEXT NOT NULL CHECK (dialability IN ('dialable', 'missing', 'not_e164')),
  phone TEXT NOT NULL,
  PRIMARY KEY (org_id, id)
) WITHOUT ROWID;
CREATE TABLE directory_sync (
  org_id INTEGER PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
  tenant_id TEXT NOT NULL,
  delta_link TEXT NOT NULL,
  synced_at INTEGER NOT NULL,
  user_count INTEGER NOT NULL
);
)sql";

}  // namespace ccteams::store
