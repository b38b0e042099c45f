#pragma once
// Schema migration v14 (issue 17: a kill must never leave our own Teams session behind). One
// migration per file; the list that orders them is in sqlite_migrations.cpp.

#include <string_view>

namespace ccteams::store {

// The mark of our app's Teams presence session (core/agent_state.hpp, "Across restarts"): set
// in the same transaction as the state that wants the session, before setPresence is sent;
// cleared once the session is known to show nothing. A restart clears the sessions of the
// agents whose mark is set, and only theirs. Unix milliseconds; NULL: no session of ours can
// show. Rows written before the upgrade have none (an older process kept no mark).
inline constexpr std::string_view kV14OwnSessionMark = R"sql(
ALTER TABLE agent_states ADD COLUMN own_session_since INTEGER;
)sql";

}  // namespace ccteams::store
