#pragma once
// PostgreSQL migration 1: what SQLite's migrations 1-3 created (organisations, users, sign-in
// sessions, failed sign-ins). Same columns and units as SQLite, so rows map identically:
// times are unix milliseconds (bigint); a flag is boolean (SQLite's 0/1 INTEGER). Identity
// columns never hand out an id twice, like SQLite's AUTOINCREMENT (a deleted user's id cannot
// come back as someone else). Reasons for each table: sqlite_migrations.cpp.

#include <string_view>

namespace ccteams::store {

inline constexpr std::string_view kPgV1Accounts = R"sql(
CREATE TABLE organisations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  created_at bigint NOT NULL
);
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  username text NOT NULL UNIQUE,
  display_name text NOT NULL,
  roles integer NOT NULL,
  password_hash text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_at bigint NOT NULL
);
CREATE UNIQUE INDEX users_org_id ON users(org_id, id);
CREATE TABLE auth_sessions (
  token_hash text PRIMARY KEY,
  user_id bigint NOT NULL,
  org_id bigint NOT NULL,
  csrf_token text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE INDEX auth_sessions_expires_at ON auth_sessions(expires_at);
CREATE INDEX auth_sessions_user_id ON auth_sessions(user_id);
CREATE TABLE login_failures (
  key text NOT NULL,
  at bigint NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures(key, at);
CREATE INDEX login_failures_at ON login_failures(at);
)sql";

}  // namespace ccteams::store
