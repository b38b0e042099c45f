#pragma once
// Every SQL statement of the PostgreSQL contact-center store (STYLE §13): those of
// sqlite_cc_sql.hpp in PostgreSQL's dialect. Schema: pg_schema_connector.hpp (idle codes) and
// pg_schema_contact_center.hpp. Column lists match the readers in pg_cc_*_store.cpp.

#include <string_view>

namespace ccteams::store::pg_cc_sql {

// Idle codes: columns id, org_id, name, system, active.
inline constexpr std::string_view kInsertIdleCode =
    "INSERT INTO idle_codes (org_id, name, system, active) VALUES ($1, $2, $3, $4) "
    "RETURNING id, org_id, name, system, active";
inline constexpr std::string_view kSelectIdleCode =
    "SELECT id, org_id, name, system, active FROM idle_codes WHERE org_id = $1 AND id = $2";
inline constexpr std::string_view kSelectRonaIdleCode =
    "SELECT id, org_id, name, system, active FROM idle_codes "
    "WHERE org_id = $1 AND system AND name = $2";
inline constexpr std::string_view kSelectIdleCodes =
    "SELECT id, org_id, name, system, active FROM idle_codes WHERE org_id = $1 ORDER BY id";
inline constexpr std::string_view kUpdateIdleCode =
    "UPDATE idle_codes SET name = $3, active = $4 WHERE org_id = $1 AND id = $2 "
    "RETURNING id, org_id, name, system, active";
inline constexpr std::string_view kDeleteIdleCode =
    "DELETE FROM idle_codes WHERE org_id = $1 AND id = $2";
// The references to an idle code are checked at COMMIT (pg_schema_contact_center.hpp says
// why); a deletion that must answer "still in use" itself checks them at its statement.
inline constexpr std::string_view kIdleCodeReferencesImmediate =
    "SET CONSTRAINTS desktop_profile_idle_codes_idle_code_fkey, "
    "teams_connector_mapping_rules_idle_code_fkey IMMEDIATE";
inline constexpr std::string_view kIdleCodeReferencesDeferred =
    "SET CONSTRAINTS desktop_profile_idle_codes_idle_code_fkey, "
    "teams_connector_mapping_rules_idle_code_fkey DEFERRED";
inline constexpr std::string_view kProfilesUsingIdleCode =
    "SELECT p.name FROM desktop_profile_idle_codes c JOIN desktop_profiles p "
    "ON p.id = c.profile_id WHERE c.org_id = $1 AND c.idle_code_id = $2 "
    "ORDER BY p.name COLLATE \"C\"";

// Desktop profiles: columns id, org_id, name, microsoft_teams, webex_app, rona_timeout_seconds,
// wrap_up_seconds; allowed codes in their own table, in position order.
inline constexpr std::string_view kInsertProfile =
    "INSERT INTO desktop_profiles (org_id, name, microsoft_teams, webex_app, "
    "rona_timeout_seconds, wrap_up_seconds) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
inline constexpr std::string_view kSelectProfile =
    "SELECT id, org_id, name, microsoft_teams, webex_app, rona_timeout_seconds, "
    "wrap_up_seconds FROM desktop_profiles WHERE org_id = $1 AND id = $2";
inline constexpr std::string_view kSelectProfiles =
    "SELECT id, org_id, name, microsoft_teams, webex_app, rona_timeout_seconds, "
    "wrap_up_seconds FROM desktop_profiles WHERE org_id = $1 ORDER BY id";
inline constexpr std::string_view kUpdateProfile =
    "UPDATE desktop_profiles SET name = $3, microsoft_teams = $4, webex_app = $5, "
    "rona_timeout_seconds = $6, wrap_up_seconds = $7 WHERE org_id = $1 AND id = $2";
inline constexpr std::string_view kDeleteProfile =
    "DELETE FROM desktop_profiles WHERE org_id = $1 AND id = $2";
inline constexpr std::string_view kSelectProfileCodes =
    "SELECT idle_code_id FROM desktop_profile_idle_codes WHERE profile_id = $1 "
    "ORDER BY position";
inline constexpr std::string_view kDeleteProfileCodes =
    "DELETE FROM desktop_profile_idle_codes WHERE profile_id = $1";
inline constexpr std::string_view kInsertProfileCode =
    "INSERT INTO desktop_profile_idle_codes (profile_id, org_id, idle_code_id, position) "
    "VALUES ($1, $2, $3, $4)";
inline constexpr std::string_view kIdleCodeExists =
    "SELECT 1 FROM idle_codes WHERE org_id = $1 AND id = $2";
inline constexpr std::string_view kProfileInUse =
    "SELECT 1 FROM agent_settings WHERE org_id = $1 AND desktop_profile_id = $2 LIMIT 1";

// Queues: columns id, org_id, name.
inline constexpr std::string_view kInsertQueue =
    "INSERT INTO queues (org_id, name) VALUES ($1, $2) RETURNING id, org_id, name";
inline constexpr std::string_view kSelectQueue =
    "SELECT id, org_id, name FROM queues WHERE org_id = $1 AND id = $2";
inline constexpr std::string_view kSelectQueues =
    "SELECT id, org_id, name FROM queues WHERE org_id = $1 ORDER BY id";
inline constexpr std::string_view kUpdateQueue =
    "UPDATE queues SET name = $3 WHERE org_id = $1 AND id = $2 RETURNING id, org_id, name";
inline constexpr std::string_view kDeleteQueue = "DELETE FROM queues WHERE org_id = $1 AND id = $2";
inline constexpr std::string_view kQueueHasOpenContacts =
    "SELECT 1 FROM contacts WHERE org_id = $1 AND queue_id = $2 AND status <> 'Ended' LIMIT 1";
inline constexpr std::string_view kQueueExists =
    "SELECT 1 FROM queues WHERE org_id = $1 AND id = $2";

// Agents: columns user_id, org_id, desktop_profile_id, teams_user_id; queues in position order.
inline constexpr std::string_view kUserExists = "SELECT 1 FROM users WHERE org_id = $1 AND id = $2";
inline constexpr std::string_view kProfileExists =
    "SELECT 1 FROM desktop_profiles WHERE org_id = $1 AND id = $2";
inline constexpr std::string_view kUpsertAgent =
    "INSERT INTO agent_settings (user_id, org_id, desktop_profile_id, teams_user_id) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET "
    "desktop_profile_id = excluded.desktop_profile_id, teams_user_id = excluded.teams_user_id";
inline constexpr std::string_view kSelectAgent =
    "SELECT user_id, org_id, desktop_profile_id, teams_user_id FROM agent_settings "
    "WHERE org_id = $1 AND user_id = $2";
inline constexpr std::string_view kSelectAgents =
    "SELECT user_id, org_id, desktop_profile_id, teams_user_id FROM agent_settings "
    "WHERE org_id = $1 ORDER BY user_id";
inline constexpr std::string_view kDeleteAgent =
    "DELETE FROM agent_settings WHERE org_id = $1 AND user_id = $2";
inline constexpr std::string_view kSelectAgentQueues =
    "SELECT queue_id FROM agent_queues WHERE user_id = $1 ORDER BY position";
inline constexpr std::string_view kDeleteAgentQueues =
    "DELETE FROM agent_queues WHERE user_id = $1";
inline constexpr std::string_view kInsertAgentQueue =
    "INSERT INTO agent_queues (user_id, org_id, queue_id, position) VALUES ($1, $2, $3, $4)";

// Agent states: columns user_id, status, idle_code_id, origin, contact_id, since,
// own_session_since (the mark of our Teams session: core/agent_state.hpp, "Across restarts").
inline constexpr std::string_view kUpsertAgentState =
    "INSERT INTO agent_states (user_id, org_id, status, idle_code_id, origin, contact_id, since, "
    "own_session_since) "
    "SELECT $2::bigint, $1::bigint, $3::text, $4::bigint, $5::text, $6::bigint, $7::bigint, "
    "$8::bigint "
    "WHERE EXISTS "
    "(SELECT 1 FROM agent_settings WHERE org_id = $1 AND user_id = $2) "
    "ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, "
    "idle_code_id = excluded.idle_code_id, origin = excluded.origin, "
    "contact_id = excluded.contact_id, since = excluded.since, "
    "own_session_since = excluded.own_session_since";
inline constexpr std::string_view kSelectAgentStates =
    "SELECT user_id, status, idle_code_id, origin, contact_id, since, own_session_since "
    "FROM agent_states "
    "WHERE org_id = $1 ORDER BY user_id";

// Contacts: columns id, org_id, queue_id, status, caller, enqueued_at, since, agent_id,
// party_agent_id, party_number, party_teams_user_id, offers, ronas, end_reason, answers,
// party_joined, wrap_up_code. The insert takes them without the id ($1 is org_id), the update
// with it ($1 is id).
inline constexpr std::string_view kInsertContact =
    "INSERT INTO contacts (org_id, queue_id, status, caller, enqueued_at, since, agent_id, "
    "party_agent_id, party_number, party_teams_user_id, offers, ronas, end_reason, answers, "
    "party_joined, wrap_up_code) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) "
    "RETURNING id";
inline constexpr std::string_view kUpdateContact =
    "UPDATE contacts SET queue_id = $3, status = $4, caller = $5, enqueued_at = $6, since = $7, "
    "agent_id = $8, party_agent_id = $9, party_number = $10, party_teams_user_id = $11, "
    "offers = $12, ronas = $13, end_reason = $14, answers = $15, party_joined = $16, "
    "wrap_up_code = $17 WHERE id = $1 AND org_id = $2";
inline constexpr std::string_view kSelectContact =
    "SELECT id, org_id, queue_id, status, caller, enqueued_at, since, agent_id, party_agent_id, "
    "party_number, party_teams_user_id, offers, ronas, end_reason, answers, party_joined, "
    "wrap_up_code FROM contacts WHERE org_id = $1 AND id = $2";
inline constexpr std::string_view kSelectOpenContacts =
    "SELECT id, org_id, queue_id, status, caller, enqueued_at, since, agent_id, party_agent_id, "
    "party_number, party_teams_user_id, offers, ronas, end_reason, answers, party_joined, "
    "wrap_up_code FROM contacts WHERE org_id = $1 AND status <> 'Ended' "
    "ORDER BY enqueued_at, id";
// Queue counters (kept by triggers on contacts): columns queue_id, offered,
// answered, rona.
inline constexpr std::string_view kSelectQueueCounters =
    "SELECT queue_id, offered, answered, rona FROM queue_counters WHERE org_id = $1 "
    "ORDER BY queue_id";
inline constexpr std::string_view kOrgsWithLiveState =
    "SELECT org_id FROM agent_states UNION "
    "SELECT org_id FROM contacts WHERE status <> 'Ended' ORDER BY 1";

// Event log: columns seq, org_id, agent_id, type, at, body.
inline constexpr std::string_view kInsertEvent =
    "INSERT INTO cc_events (org_id, agent_id, type, at, body) VALUES ($1, $2, $3, $4, '') "
    "RETURNING seq";
inline constexpr std::string_view kSetEventBody = "UPDATE cc_events SET body = $2 WHERE seq = $1";
inline constexpr std::string_view kSelectEventsAfter =
    "SELECT seq, org_id, agent_id, type, at, body FROM cc_events "
    "WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";
inline constexpr std::string_view kPruneEvents = "DELETE FROM cc_events WHERE at < $1";

}  // namespace ccteams::store::pg_cc_sql
