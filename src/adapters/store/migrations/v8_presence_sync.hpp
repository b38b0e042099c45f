#pragma once
// Schema migration v8 (issue 6: presence sync's change-notification subscriptions and the
// durable inbox of accepted webhook deliveries). One migration per file so that work on
// different tables does not collide; the list that orders them is in sqlite_migrations.cpp.

#include <string_view>

namespace ccteams::store {

// Subscriptions: Graph's subscription id is the key (Graph hands it out, unique across
// tenants). account_id is the sync account that created it, kept as a plain id and not a
// foreign key: when the account is removed the subscription still exists in Graph until we
// delete it there, so its record must outlive the account. user_ids is a JSON array of the
// Teams user ids it covers (at most 650, read and written whole, never queried by element).
// Only the SHA-256 digest (hex) of the clientState is kept. Times are Unix milliseconds.
//
// Inbox: one row per accepted webhook delivery and organisation, in arrival order (seq,
// AUTOINCREMENT: a seq is never reused, so a processed entry cannot be confused with a later
// one). body is the accepted notifications and the batch's validationTokens as a Graph
// changeNotificationCollection (until v13, which gives the body the store's own form). Both
// tables go with their organisation.
inline constexpr std::string_view kV8PresenceSync = R"sql(
CREATE TABLE presence_subscriptions (
  id TEXT PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL,
  user_ids TEXT NOT NULL CHECK (json_valid(user_ids) AND json_type(user_ids) = 'array'),
  expiration INTEGER NOT NULL,
  client_state_sha256 TEXT NOT NULL,
  include_resource_data INTEGER NOT NULL CHECK (include_resource_data IN (0, 1)),
  health TEXT NOT NULL CHECK (health IN ('ok', 'removed', 'reauthorization_failed')),
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX presence_subscriptions_org ON presence_subscriptions(org_id);
CREATE TABLE presence_inbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('change', 'lifecycle')),
  received_at INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX presence_inbox_org_seq ON presence_inbox(org_id, seq);
)sql";

}  // namespace ccteams::store
