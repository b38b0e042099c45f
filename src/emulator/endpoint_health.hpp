#pragma once
// Graph's throttling of slow notification endpoints (graph-protocol.md §4.3, Microsoft's 2026
// text), per notificationUrl. Two judgements over one window of notifications:
// - slow: a publish that took longer than the slow threshold (2,900 ms; the first delivery's
//   deadline is 3 s) counts its notifications as slow; more than 10 % slow flags the URL slow:
//   every notification to it is then delayed 10 minutes and sent by the retry workers;
// - over the retry timeout: a retry that got no answer within the retry's own deadline (10 s)
//   counts its notifications here; more than 15 % makes the URL drop its notifications.
// An endpoint that answers every delivery in 5 s is therefore delayed but never dropped: its
// retries succeed. Shares are judged once a window holds at least 100 notifications. The
// statistics, and the flag with them, are flushed every 10 minutes of the emulator's clock.
// Pure: time is passed in, so tests drive it with a manual clock.
// Thread-safety: none; the Notifier guards it with its mutex.

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "emulator/graph_time.hpp"

namespace ccteams::emulator {

struct EndpointHealthOptions {
  std::size_t min_notifications = 100;  // evaluated only after this many in the window
  double slow_share = 0.10;             // flag the URL slow above this share of slow ones
  double drop_share = 0.15;  // drop its notifications above this share over the retry timeout
  std::chrono::milliseconds window{600'000};  // statistics (and the flag) flushed this often
};

// How one publish of a batch went, as the two judgements count it.
enum class PublishTiming {
  in_time,              // answered within the slow threshold
  slow,                 // took longer than the slow threshold
  over_retry_timeout,   // a retry that got no answer within the retry timeout (also slow)
};

class EndpointHealth {
 public:
  enum class Mode { normal, delayed, dropped };

  explicit EndpointHealth(EndpointHealthOptions options = {}) : options_(options) {}

  // Records a publish of `notifications` items to url and re-evaluates the URL's mode.
  void record(const std::string& url, std::size_t notifications, PublishTiming timing,
              Timestamp now);
  // How notifications to url are handled now (flushes an elapsed window first).
  Mode mode(const std::string& url, Timestamp now);

  struct Stats {
    Timestamp window_start{};
    std::size_t total = 0;
    std::size_t slow = 0;                // includes those over the retry timeout
    std::size_t over_retry_timeout = 0;
    Mode mode = Mode::normal;
  };
  // The URL's current window (all zero when never seen).
  Stats stats(const std::string& url, Timestamp now);
  // Every URL seen, with its current window (elapsed windows flushed), ordered by URL.
  std::vector<std::pair<std::string, Stats>> report(Timestamp now);

 private:
  Stats& current(const std::string& url, Timestamp now);

  EndpointHealthOptions options_;
  std::map<std::string, Stats> urls_;
};

}  // namespace ccteams::emulator
