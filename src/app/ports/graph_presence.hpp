#pragma once
// The presence roles of the Graph port (app/ports/graph.hpp): bulk reads (the directory and
// presence sync's read pump) and the app's own presence session writes (presence sync's
// outbound writer), in plain values (§3). Paths and bodies are the adapter's.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "app/ports/graph_error.hpp"

namespace ccteams {

// Availability and activity are kept as the raw Graph strings (§3.1): the documented lists
// disagree between revisions and new values appear (Focusing), so interpretation (case-
// insensitive) belongs to the core mapping, not the decoder.
struct GraphPresence {
  std::string user_id;
  std::string availability;
  std::string activity;
  std::optional<std::string> sequence_number;  // lexicographically sortable version stamp
  std::optional<bool> out_of_office;           // outOfOfficeSettings.isOutOfOffice
  std::optional<std::string> out_of_office_message;
  std::optional<std::string> status_message;  // statusMessage.message.content
};

// POST /users/{id}/presence/setPresence (§3.4). session_id must be the app's client id.
struct SetPresenceRequest {
  std::string user_id;
  std::string session_id;
  std::string availability;  // v1.0 pairs: Available/Available, Busy/InACall, ...
  std::string activity;
  std::optional<std::chrono::seconds> expiration;  // PT5M..PT4H; Graph's default is 5 min
};

inline constexpr std::size_t kMaxPresenceIdsPerCall = 650;

// App-token presence reads. Thread-safety: concurrent calls from any executor.
class GraphPresenceReader {
 public:
  virtual ~GraphPresenceReader() = default;
  template <class T>
  using Async = GraphAsync<T>;

  // getPresencesByUserId (§3.2); 1..kMaxPresenceIdsPerCall ids (more is a caller bug:
  // invalid_request).
  virtual Async<std::vector<GraphPresence>> get_presences(std::string tenant,
                                                          std::vector<std::string> user_ids) = 0;
};

// App-token presence session writes (§3.4). Thread-safety: concurrent calls from any executor.
class GraphPresenceWriter {
 public:
  virtual ~GraphPresenceWriter() = default;
  template <class T>
  using Async = GraphAsync<T>;

  virtual Async<void> set_presence(std::string tenant, SetPresenceRequest request) = 0;
  // not_found when the session does not exist (already cleared or expired).
  virtual Async<void> clear_presence(std::string tenant, std::string user_id,
                                     std::string session_id) = 0;
};

}  // namespace ccteams
