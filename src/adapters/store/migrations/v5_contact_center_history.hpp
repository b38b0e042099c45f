#pragma once
// Schema migration v5 (issue 5: queue counters and wrap-up codes that survive a restart).
// One migration per file so that work on different tables does not collide; the list that
// orders them is in sqlite_migrations.cpp.

#include <string_view>

namespace ccteams::store {

// Not yet written: an empty script keeps the numbering while the tables are designed.
inline constexpr std::string_view kV5ContactCenterHistory = R"sql(
-- empty
)sql";

}  // namespace ccteams::store
