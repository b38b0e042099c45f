#include "adapters/store/sqlite_migrations.hpp"

#include <array>
#include <string>

#include "adapters/store/migrations/v10_notification_key.hpp"
#include "adapters/store/migrations/v11_tenant_binding.hpp"
#include "adapters/store/migrations/v12_consent_sign_in.hpp"
#include "adapters/store/migrations/v13_inbox_own_form.hpp"
#include "adapters/store/migrations/v14_own_session_mark.hpp"
#include "adapters/store/migrations/v5_contact_center_history.hpp"
#include "adapters/store/migrations/v6_teams_connector.hpp"
#include "adapters/store/migrations/v7_sync_accounts.hpp"
#include "adapters/store/migrations/v8_presence_sync.hpp"
#include "adapters/store/migrations/v9_directory.hpp"
#include "adapters/store/sqlite_db.hpp"

namespace ccteams::store {
namespace {

// Organisations and the people who sign in. AUTOINCREMENT: an id is never handed out twice,
// so a deleted user's id cannot come back as someone else (ids end up in logs, URLs and, later,
// other tables). The unique (org_id, id) index serves org-scoped lookups and lets child tables
// reference a user together with its organisation.
constexpr std::string_view kV1Accounts = R"sql(
CREATE TABLE organisations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  roles INTEGER NOT NULL,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_org_id ON users(org_id, id);
)sql";

// Sign-in sessions and failed sign-ins. A session references its user together with the
// user's organisation, so a session can never claim another organisation than its user's; the
// cascade removes a deleted user's sessions. The user_id index makes that cascade an index
// lookup instead of a table scan.
constexpr std::string_view kV2AuthSessions = R"sql(
CREATE TABLE auth_sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL,
  org_id INTEGER NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX auth_sessions_expires_at ON auth_sessions(expires_at);
CREATE INDEX auth_sessions_user_id ON auth_sessions(user_id);
CREATE TABLE login_failures (
  key TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures(key, at);
)sql";

// v3: failed sign-ins are pruned by age once their window has passed (no unbounded growth).
constexpr std::string_view kV3LoginFailuresByAge = R"sql(
CREATE INDEX login_failures_at ON login_failures(at);
)sql";

// v4: the contact center (issue 5). Every row carries its org; children reference their parent
// together with the org so that a row can never point into another organisation. An idle code
// used by a profile cannot be deleted (RESTRICT: the service checks first and names the user);
// a profile used by agents neither. Agent states and open contacts are what a restart recovers.
// The event log is append-only with a global sequence (the WebSocket resume cursor), pruned
// by age.
constexpr std::string_view kV4ContactCenter = R"sql(
CREATE TABLE idle_codes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  system INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  UNIQUE (org_id, name),
  UNIQUE (org_id, id)
);
CREATE TABLE desktop_profiles (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  microsoft_teams INTEGER NOT NULL,
  webex_app INTEGER NOT NULL,
  rona_timeout_seconds INTEGER NOT NULL,
  wrap_up_seconds INTEGER NOT NULL,
  UNIQUE (org_id, name),
  UNIQUE (org_id, id)
);
CREATE TABLE desktop_profile_idle_codes (
  profile_id INTEGER NOT NULL,
  org_id INTEGER NOT NULL,
  idle_code_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (profile_id, idle_code_id),
  FOREIGN KEY (org_id, profile_id) REFERENCES desktop_profiles(org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, idle_code_id) REFERENCES idle_codes(org_id, id) ON DELETE RESTRICT
) WITHOUT ROWID;
CREATE INDEX desktop_profile_idle_codes_code ON desktop_profile_idle_codes(idle_code_id);
CREATE TABLE queues (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  UNIQUE (org_id, name),
  UNIQUE (org_id, id)
);
CREATE TABLE agent_settings (
  user_id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  desktop_profile_id INTEGER,
  teams_user_id TEXT,
  FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, desktop_profile_id) REFERENCES desktop_profiles(org_id, id)
    ON DELETE RESTRICT
);
CREATE INDEX agent_settings_org ON agent_settings(org_id);
CREATE INDEX agent_settings_profile ON agent_settings(desktop_profile_id);
CREATE TABLE agent_queues (
  user_id INTEGER NOT NULL REFERENCES agent_settings(user_id) ON DELETE CASCADE,
  org_id INTEGER NOT NULL,
  queue_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (user_id, queue_id),
  FOREIGN KEY (org_id, queue_id) REFERENCES queues(org_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX agent_queues_queue ON agent_queues(queue_id);
CREATE TABLE agent_states (
  user_id INTEGER PRIMARY KEY REFERENCES agent_settings(user_id) ON DELETE CASCADE,
  org_id INTEGER NOT NULL,
  status TEXT NOT NULL,
  idle_code_id INTEGER,
  origin TEXT,
  contact_id INTEGER,
  since INTEGER NOT NULL
);
CREATE INDEX agent_states_org ON agent_states(org_id);
CREATE TABLE contacts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  queue_id INTEGER NOT NULL,
  status TEXT NOT NULL,
  caller TEXT NOT NULL,
  enqueued_at INTEGER NOT NULL,
  since INTEGER NOT NULL,
  agent_id INTEGER,
  party_agent_id INTEGER,
  party_number TEXT,
  party_teams_user_id TEXT,
  offers INTEGER NOT NULL,
  ronas INTEGER NOT NULL,
  end_reason TEXT NOT NULL
);
CREATE INDEX contacts_open ON contacts(org_id, status, enqueued_at);
CREATE TABLE cc_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  agent_id INTEGER,
  type TEXT NOT NULL,
  at INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX cc_events_org_seq ON cc_events(org_id, seq);
CREATE INDEX cc_events_at ON cc_events(at);
)sql";

constexpr std::array kMigrations{
    Migration{1, "accounts", kV1Accounts},
    Migration{2, "auth sessions", kV2AuthSessions},
    Migration{3, "login failures by age", kV3LoginFailuresByAge},
    Migration{4, "contact center", kV4ContactCenter},
    Migration{5, "contact center history", kV5ContactCenterHistory},
    Migration{6, "teams connector", kV6TeamsConnector},
    Migration{7, "sync accounts", kV7SyncAccounts},
    Migration{8, "presence sync", kV8PresenceSync},
    Migration{9, "teams directory", kV9Directory},
    Migration{10, "notification key", kV10NotificationKey},
    Migration{11, "tenant binding", kV11TenantBinding},
    Migration{12, "consent sign-in", kV12ConsentSignIn},
    Migration{13, "inbox in the store's own form", kV13InboxOwnForm},
    Migration{14, "own presence session mark", kV14OwnSessionMark},
};

constexpr std::string_view kReadUserVersion = "PRAGMA user_version";
// PRAGMA takes no bound parameters; the version is an int from the list above, never input.
constexpr std::string_view kSetUserVersionPrefix = "PRAGMA user_version = ";

Result<int> read_version(SqliteConnection& conn) {
  auto st = conn.prepare(kReadUserVersion);
  if (!st) return std::move(st).error();
  auto row = st->step();
  if (!row) return std::move(row).error();
  if (!*row) return make_error(Errc::internal, "PRAGMA user_version returned no row");
  return static_cast<int>(st->column_int64(0));
}

Result<void> validate(std::span<const Migration> migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return make_error(Errc::internal, "schema migrations must be numbered 1.." +
                                            std::to_string(migrations.size()) + " in order");
    }
  }
  return ok();
}

Error newer_than_known(int found, int known) {
  return make_error(Errc::conflict, "database schema version " + std::to_string(found) +
                                        " is newer than this ccteams (knows up to " +
                                        std::to_string(known) + "); upgrade ccteams");
}

// Applies m if the database is still below it. Returns the version the database is at.
Result<int> apply_one(SqliteDb& db, const Migration& m, int known) {
  auto conn = db.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto current = read_version(conn);
  if (!current) return current;
  if (*current > known) return newer_than_known(*current, known);
  if (*current >= m.version) return *current;  // another process got here first
  auto failed = [&](const Error& e) {
    return make_error(e.code == Errc::unavailable ? Errc::unavailable : Errc::internal,
                      "migration " + std::to_string(m.version) + " (" + std::string(m.name) +
                          ") failed: " + e.message,
                      e.retry_after_seconds);
  };
  if (auto r = conn.exec(m.sql); !r) return failed(r.error());
  const std::string bump = std::string(kSetUserVersionPrefix) + std::to_string(m.version);
  if (auto r = conn.exec(bump); !r) return failed(r.error());
  if (auto r = tx->commit(); !r) return failed(r.error());
  return m.version;
}

}  // namespace

std::span<const Migration> sqlite_migrations() { return kMigrations; }

int latest_version(std::span<const Migration> migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

Result<int> read_schema_version(SqliteDb& db) {
  auto conn = db.lock();
  return read_version(conn);
}

Result<int> apply_migrations(SqliteDb& db, std::span<const Migration> migrations) {
  if (auto r = validate(migrations); !r) return std::move(r).error();
  const int known = latest_version(migrations);
  // Checked before any write so that a newer database is refused untouched (apply_one checks
  // again under the write lock).
  auto version = read_schema_version(db);
  if (!version) return version;
  if (*version > known) return newer_than_known(*version, known);
  for (const Migration& m : migrations) {
    if (m.version <= *version) continue;
    auto applied = apply_one(db, m, known);
    if (!applied) return applied;
    version = *applied;
  }
  return version;
}

}  // namespace ccteams::store
