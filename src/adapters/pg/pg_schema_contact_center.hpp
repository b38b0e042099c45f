#pragma once
// PostgreSQL migration 6: the contact center, as SQLite after its migrations 4 and 5 (the idle
// codes came with PostgreSQL's migration 4). Same columns and units as SQLite, so rows map
// identically; the reasons for each table: sqlite_migrations.cpp (v4) and
// migrations/v5_contact_center_history.hpp.

#include <string_view>

namespace ccteams::store {

// Two differences from SQLite:
// - The references SQLite declares ON DELETE RESTRICT (a profile's allowed idle code, an
//   agent's desktop profile) are NO ACTION DEFERRABLE INITIALLY DEFERRED, as the connector's
//   mapping rule (pg_schema_connector.hpp says why: an organisation's removal cascades through
//   both ends, which PostgreSQL would refuse half-way). The store's deletes that must answer
//   "still in use" at their own statement set them IMMEDIATE first (pg_cc_config_store.cpp);
//   hence the names.
// - The queue counters' triggers are one PL/pgSQL function for both (PostgreSQL's triggers call
//   a function); the WHEN clauses are SQLite's, so the same writes are skipped.
inline constexpr std::string_view kPgV6ContactCenter = R"sql(
CREATE TABLE desktop_profiles (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  name text NOT NULL,
  microsoft_teams boolean NOT NULL,
  webex_app boolean NOT NULL,
  rona_timeout_seconds integer NOT NULL,
  wrap_up_seconds integer NOT NULL,
  UNIQUE (org_id, name),
  UNIQUE (org_id, id)
);
CREATE TABLE desktop_profile_idle_codes (
  profile_id bigint NOT NULL,
  org_id bigint NOT NULL,
  idle_code_id bigint NOT NULL,
  position bigint NOT NULL,
  PRIMARY KEY (profile_id, idle_code_id),
  FOREIGN KEY (org_id, profile_id) REFERENCES desktop_profiles(org_id, id) ON DELETE CASCADE,
  CONSTRAINT desktop_profile_idle_codes_idle_code_fkey
    FOREIGN KEY (org_id, idle_code_id) REFERENCES idle_codes(org_id, id)
    ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX desktop_profile_idle_codes_code ON desktop_profile_idle_codes(org_id, idle_code_id);
CREATE TABLE queues (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  name text NOT NULL,
  UNIQUE (org_id, name),
  UNIQUE (org_id, id)
);
CREATE TABLE agent_settings (
  user_id bigint PRIMARY KEY,
  org_id bigint NOT NULL,
  desktop_profile_id bigint,
  teams_user_id text,
  FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE,
  CONSTRAINT agent_settings_desktop_profile_fkey
    FOREIGN KEY (org_id, desktop_profile_id) REFERENCES desktop_profiles(org_id, id)
    ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX agent_settings_org ON agent_settings(org_id);
CREATE INDEX agent_settings_profile ON agent_settings(org_id, desktop_profile_id);
CREATE TABLE agent_queues (
  user_id bigint NOT NULL REFERENCES agent_settings(user_id) ON DELETE CASCADE,
  org_id bigint NOT NULL,
  queue_id bigint NOT NULL,
  position bigint NOT NULL,
  PRIMARY KEY (user_id, queue_id),
  FOREIGN KEY (org_id, queue_id) REFERENCES queues(org_id, id) ON DELETE CASCADE
);
CREATE INDEX agent_queues_queue ON agent_queues(org_id, queue_id);
CREATE TABLE agent_states (
  user_id bigint PRIMARY KEY REFERENCES agent_settings(user_id) ON DELETE CASCADE,
  org_id bigint NOT NULL,
  status text NOT NULL,
  idle_code_id bigint,
  origin text,
  contact_id bigint,
  since bigint NOT NULL
);
CREATE INDEX agent_states_org ON agent_states(org_id);
CREATE TABLE contacts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  queue_id bigint NOT NULL,
  status text NOT NULL,
  caller text NOT NULL,
  enqueued_at bigint NOT NULL,
  since bigint NOT NULL,
  agent_id bigint,
  party_agent_id bigint,
  party_number text,
  party_teams_user_id text,
  offers integer NOT NULL,
  ronas integer NOT NULL,
  end_reason text NOT NULL,
  answers integer NOT NULL DEFAULT 0,
  party_joined boolean NOT NULL DEFAULT false,
  wrap_up_code text
);
CREATE INDEX contacts_open ON contacts(org_id, status, enqueued_at);
CREATE TABLE cc_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  agent_id bigint,
  type text NOT NULL,
  at bigint NOT NULL,
  body text NOT NULL
);
CREATE INDEX cc_events_org_seq ON cc_events(org_id, seq);
CREATE INDEX cc_events_at ON cc_events(at);
CREATE TABLE queue_counters (
  org_id bigint NOT NULL,
  queue_id bigint NOT NULL,
  offered bigint NOT NULL DEFAULT 0,
  answered bigint NOT NULL DEFAULT 0,
  rona bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, queue_id),
  FOREIGN KEY (org_id, queue_id) REFERENCES queues(org_id, id) ON DELETE CASCADE
);
CREATE FUNCTION contacts_count() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO queue_counters (org_id, queue_id, offered, answered, rona)
      SELECT NEW.org_id, NEW.queue_id, NEW.offers, NEW.answers, NEW.ronas
      WHERE EXISTS (SELECT 1 FROM queues WHERE org_id = NEW.org_id AND id = NEW.queue_id)
    ON CONFLICT (org_id, queue_id) DO UPDATE SET
      offered = queue_counters.offered + excluded.offered,
      answered = queue_counters.answered + excluded.answered,
      rona = queue_counters.rona + excluded.rona;
  ELSE
    INSERT INTO queue_counters (org_id, queue_id, offered, answered, rona)
      SELECT NEW.org_id, NEW.queue_id, NEW.offers - OLD.offers, NEW.answers - OLD.answers,
             NEW.ronas - OLD.ronas
      WHERE EXISTS (SELECT 1 FROM queues WHERE org_id = NEW.org_id AND id = NEW.queue_id)
    ON CONFLICT (org_id, queue_id) DO UPDATE SET
      offered = queue_counters.offered + excluded.offered,
      answered = queue_counters.answered + excluded.answered,
      rona = queue_counters.rona + excluded.rona;
  END IF;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER contacts_count_insert AFTER INSERT ON contacts FOR EACH ROW
  WHEN (NEW.offers <> 0 OR NEW.answers <> 0 OR NEW.ronas <> 0)
  EXECUTE FUNCTION contacts_count();
CREATE TRIGGER contacts_count_update AFTER UPDATE OF offers, answers, ronas ON contacts
  FOR EACH ROW
  WHEN (NEW.offers <> OLD.offers OR NEW.answers <> OLD.answers OR NEW.ronas <> OLD.ronas)
  EXECUTE FUNCTION contacts_count();
)sql";

// PostgreSQL migration 8: our Teams session's mark, as SQLite's migration 14
// (migrations/v14_own_session_mark.hpp says why). Independent of migration 7.
inline constexpr std::string_view kPgV8OwnSessionMark = R"sql(
ALTER TABLE agent_states ADD COLUMN own_session_since bigint;
)sql";

}  // namespace ccteams::store
