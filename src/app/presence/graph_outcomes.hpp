#pragma once
// How presence sync reads a GraphError (shared by its components).

#include <optional>

#include "app/ports/graph_error.hpp"
#include "core/sync_outbound.hpp"
#include "core/time.hpp"

namespace ccteams::presence {

inline sync::WriteOutcome write_outcome(const GraphError& e, bool clear) {
  switch (e.kind) {
    case GraphErrorKind::throttled:
      return sync::WriteOutcome::throttled;
    case GraphErrorKind::not_found:
      return clear ? sync::WriteOutcome::not_found : sync::WriteOutcome::rejected;
    case GraphErrorKind::transport:
    case GraphErrorKind::unavailable:
    case GraphErrorKind::decode:
      return sync::WriteOutcome::failed;
    default:
      return sync::WriteOutcome::rejected;
  }
}

inline std::optional<Millis> retry_after(const GraphError& e) {
  if (e.retry_after_seconds > 0) return Millis{e.retry_after_seconds * 1000LL};
  return std::nullopt;
}

inline bool authorization_failure(const GraphError& e) {
  return e.kind == GraphErrorKind::unauthorized || e.kind == GraphErrorKind::forbidden;
}

}  // namespace ccteams::presence
