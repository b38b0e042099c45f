#pragma once
// The contact center's events as values (issue 5): what one decision changed, for the event log
// and the events WebSocket. Their wire form (JSON) is not app's: app/ports/cc_event_encoder.hpp
// turns them into text, adapters/http/api/cc_json.hpp implements it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/agent_state.hpp"
#include "core/contact.hpp"
#include "core/time.hpp"

namespace ccteams {

// Queue statistics for supervisors.
struct QueueStatsView {
  QueueId queue;
  std::size_t waiting = 0;
  std::size_t available_agents = 0;
  Millis longest_wait{0};
  // Cumulative since the queue was created (persisted: they survive restarts).
  std::int64_t offered = 0;   // offers made, transfers to agents included
  std::int64_t answered = 0;  // offers accepted
  std::int64_t rona = 0;      // offers that rang out
};

// "agent.state": an agent's state changed.
struct AgentStateChanged {
  AgentState state;
  std::optional<std::string> idle_code_name;
};
// "contact": a contact changed (or was created).
struct ContactChanged {
  Contact contact;
};
// "contact.wrapup": an agent recorded a wrap-up code for a contact.
struct WrapUpRecorded {
  ContactId contact;
  UserId agent;
  std::string code;
};
// "queue.stats": a queue's statistics after a decision that touched it.
struct QueueStatsChanged {
  QueueStatsView stats;
};

using CcEvent = std::variant<AgentStateChanged, ContactChanged, WrapUpRecorded, QueueStatsChanged>;

// The event's type as the log keeps it and the API shows it (the names above).
std::string_view cc_event_type(const CcEvent& event);

}  // namespace ccteams
