#pragma once
// PostgreSQL migration 7: what SQLite's migrations 8 and 10 created (presence sync's
// subscriptions, the durable inbox of accepted webhook deliveries, the notification keyring).
// Same columns and units as SQLite; the reasons: v8_presence_sync.hpp, v10_notification_key.hpp.
// SQLite's 13 changed only the form of the inbox's body (no PostgreSQL database holds the old
// form): the body here is inbox_batch_json.hpp's from the start.
//
// user_ids stays text (a JSON array, read and written whole), so that it reads back exactly as
// written, as on SQLite. seq is an identity (never reused, like AUTOINCREMENT); its order is
// not commit order across writers, so the inbox is consumed by removing what was processed,
// never with a seq cursor (docs/postgresql.md).

#include <string_view>

namespace ccteams::store {

inline constexpr std::string_view kPgV7PresenceSync = R"sql(
CREATE TABLE presence_subscriptions (
  id text PRIMARY KEY,
  org_id bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  account_id bigint NOT NULL,
  user_ids text NOT NULL CHECK (jsonb_typeof(user_ids::jsonb) = 'array'),
  expiration bigint NOT NULL,
  client_state_sha256 text NOT NULL,
  include_resource_data boolean NOT NULL,
  health text NOT NULL CHECK (health IN ('ok', 'removed', 'reauthorization_failed')),
  created_at bigint NOT NULL,
  certificate_id text NOT NULL DEFAULT ''
);
CREATE INDEX presence_subscriptions_org ON presence_subscriptions(org_id);
CREATE TABLE presence_inbox (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('change', 'lifecycle')),
  received_at bigint NOT NULL,
  body text NOT NULL
);
CREATE INDEX presence_inbox_org_seq ON presence_inbox(org_id, seq);
CREATE TABLE notification_keyring (
  id integer PRIMARY KEY CHECK (id = 1),
  sealed text NOT NULL,
  updated_at bigint NOT NULL
);
)sql";

}  // namespace ccteams::store
