#pragma once
// Schema migration v6 (issue 4: the Teams connector, consent requests and the audit log).
// One migration per file so that work on different tables does not collide; the list that
// orders them is in sqlite_migrations.cpp.

#include <string_view>

namespace ccteams::store {

// Not yet written: an empty script keeps the numbering while the tables are designed.
inline constexpr std::string_view kV6TeamsConnector = R"sql(
-- empty
)sql";

}  // namespace ccteams::store
