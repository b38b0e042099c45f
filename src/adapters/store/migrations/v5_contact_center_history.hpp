#pragma once
// Schema migration v5 (issue 5: queue counters and wrap-up codes that survive a restart).
// One migration per file so that work on different tables does not collide; the list that
// orders them is in sqlite_migrations.cpp.

#include <string_view>

namespace ccteams::store {

// Contacts gain what the live service needs after a restart: `answers` (offers accepted, beside
// offers and ronas), `party_joined` (the consulted agent has answered) and `wrap_up_code`.
//
// Queue counters (offered, answered, RONA) are the sums of those per-contact counts. They are
// kept in `queue_counters`, one row per queue, by triggers on `contacts`: the counts move in the
// same statement that stores the contact (no separate write the service could lose in a crash,
// no extra round trip), each offer costs one indexed upsert, and a restart reads one row per
// queue instead of summing the whole contact history. The WHEN clauses skip writes that do not
// change a count (most contact updates). A queue's row goes with the queue; ended contacts of a
// deleted queue (they stay as history) never recreate it. Existing contacts are counted once,
// here.
inline constexpr std::string_view kV5ContactCenterHistory = R"sql(
ALTER TABLE contacts ADD COLUMN answers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN party_joined INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN wrap_up_code TEXT;
CREATE TABLE queue_counters (
  org_id INTEGER NOT NULL,
  queue_id INTEGER NOT NULL,
  offered INTEGER NOT NULL DEFAULT 0,
  answered INTEGER NOT NULL DEFAULT 0,
  rona INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, queue_id),
  FOREIGN KEY (org_id, queue_id) REFERENCES queues(org_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO queue_counters (org_id, queue_id, offered, answered, rona)
  SELECT c.org_id, c.queue_id, SUM(c.offers), SUM(c.answers), SUM(c.ronas) FROM contacts c
  WHERE EXISTS (SELECT 1 FROM queues q WHERE q.org_id = c.org_id AND q.id = c.queue_id)
  GROUP BY c.org_id, c.queue_id;
CREATE TRIGGER contacts_count_insert AFTER INSERT ON contacts
WHEN NEW.offers <> 0 OR NEW.answers <> 0 OR NEW.ronas <> 0
BEGIN
  INSERT INTO queue_counters (org_id, queue_id, offered, answered, rona)
    SELECT NEW.org_id, NEW.queue_id, NEW.offers, NEW.answers, NEW.ronas
    WHERE EXISTS (SELECT 1 FROM queues WHERE org_id = NEW.org_id AND id = NEW.queue_id)
  ON CONFLICT (org_id, queue_id) DO UPDATE SET offered = offered + excluded.offered,
    answered = answered + excluded.answered, rona = rona + excluded.rona;
END;
CREATE TRIGGER contacts_count_update AFTER UPDATE OF offers, answers, ronas ON contacts
WHEN NEW.offers <> OLD.offers OR NEW.answers <> OLD.answers OR NEW.ronas <> OLD.ronas
BEGIN
  INSERT INTO queue_counters (org_id, queue_id, offered, answered, rona)
    SELECT NEW.org_id, NEW.queue_id, NEW.offers - OLD.offers, NEW.answers - OLD.answers,
           NEW.ronas - OLD.ronas
    WHERE EXISTS (SELECT 1 FROM queues WHERE org_id = NEW.org_id AND id = NEW.queue_id)
  ON CONFLICT (org_id, queue_id) DO UPDATE SET offered = offered + excluded.offered,
    answered = answered + excluded.answered, rona = rona + excluded.rona;
END;
)sql";

}  // namespace ccteams::store
