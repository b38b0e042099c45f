#pragma once
// PostgreSQL migration 3: what SQLite's migration 9 created (the Teams directory mirror). Same
// columns and units as SQLite; the reasons: v9_directory.hpp.

#include <string_view>

namespace ccteams::store {

inline constexpr std::string_view kPgV3Directory = R"sql(
CREATE TABLE directory_users (
  org_id bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  id text NOT NULL,
  display_name text NOT NULL,
  given_name text NOT NULL,
  surname text NOT NULL,
  mail text NOT NULL,
  user_principal_name text NOT NULL,
  job_title text NOT NULL,
  department text NOT NULL,
  business_phones text NOT NULL,
  account_enabled boolean NOT NULL,
  dialability text NOT NULL CHECK (dialability IN ('dialable', 'missing', 'not_e164')),
  phone text NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE TABLE directory_sync (
  org_id bigint PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
  tenant_id text NOT NULL,
  delta_link text NOT NULL,
  synced_at bigint NOT NULL,
  user_count bigint NOT NULL
);
)sql";

}  // namespace ccteams::store
