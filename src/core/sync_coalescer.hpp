#pragma once
// Coalesces basic presence notifications (they carry only a user id, graph-protocol.md §4.3)
// into bulk reads: the ids arriving within a short window, or until a call is full (650 ids),
// become one getPresencesByUserId call. Pure: time comes in as a value.
//
// Latency: an id waits at most `window` after the first id of its batch arrived (fixed window
// from the first id, so a steady trickle cannot postpone a read forever). A full batch is ready
// at once. A user already queued is not queued twice; once a batch is taken (the read is about
// to start) its users may be queued again, because a notification arriving after the read began
// may describe a change the read did not see.
//
// Thread-safety: none; the org's presence-sync strand drives it.

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams::sync {

struct CoalescerConfig {
  Millis window{100};
  std::size_t max_ids = 650;  // 1..650 (getPresencesByUserId's limit)
};

// invalid_input when window is negative or max_ids is not 1..650.
Result<void> validate(const CoalescerConfig& config);

class NotificationCoalescer {
 public:
  explicit NotificationCoalescer(CoalescerConfig config = {});  // config must be valid

  // Queues a user id seen at `now`. false: already queued (nothing changes).
  bool add(std::string_view user_id, Timestamp now);

  // The time at which take() will next return a batch: the first queued batch's deadline, or
  // its arrival time when it is full. nullopt when nothing is queued.
  std::optional<Timestamp> due_at() const;

  // The oldest batch when it is full or its window is over at `now`; nullopt otherwise.
  // The ids come out in arrival order.
  std::optional<std::vector<std::string>> take(Timestamp now);
  // The oldest batch regardless of its window (shutdown, or the app chose to read early).
  std::optional<std::vector<std::string>> take_now();

  std::size_t queued() const { return queued_.size(); }
  std::size_t pending_batches() const { return batches_.size(); }

 private:
  struct Batch {
    Timestamp first_at;
    std::vector<std::string> ids;
  };
  std::vector<std::string> pop_front();

  CoalescerConfig config_;
  std::deque<Batch> batches_;  // only the last one can be open (not full)
  // Views of the ids held in batches_: each Batch reserves max_ids up front, so its strings
  // never move while queued.
  std::unordered_set<std::string_view> queued_;
};

}  // namespace ccteams::sync
