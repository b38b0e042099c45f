#pragma once
// The presence inbox's wake-up call (docs/postgresql.md, "LISTEN/NOTIFY"): the inbox writer's
// transaction NOTIFYs channel kInboxChannel with the organisations whose entries it stored, and
// every clustered instance LISTENs (PgInboxListener). The payload is the organisation ids in
// decimal, separated by commas. PostgreSQL refuses a payload of 8000 bytes or more, so a batch
// naming many organisations is split into several payloads (several NOTIFYs of one transaction).
// Pure functions: no libpq here.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.hpp"

namespace ccteams::store {

inline constexpr std::string_view kInboxChannel = "ccteams_inbox";
// Under PostgreSQL's limit ("shorter than 8000 bytes"), with room to spare.
inline constexpr std::size_t kMaxWakePayloadBytes = 7'900;

// The payloads announcing orgs (each once, in ascending order), each at most max_bytes long;
// none for no organisation.
std::vector<std::string> inbox_wake_payloads(std::vector<OrgId> orgs,
                                             std::size_t max_bytes = kMaxWakePayloadBytes);

// The organisations a payload names. A part that is not a positive decimal id is skipped (a
// NOTIFY on our channel by someone else must not stop the listener); *skipped counts them.
std::vector<OrgId> parse_inbox_wake(std::string_view payload, std::size_t* skipped = nullptr);

}  // namespace ccteams::store
