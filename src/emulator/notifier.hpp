#pragma once
// Outgoing webhook traffic of the emulated Graph (graph-protocol.md §4.1, §4.3): the
// validation handshake, and batched change/lifecycle notification POSTs with retries.
//
// Items queued for one URL are collected for NotificationOptions::batch_interval and sent as
// {"value":[…],"validationTokens":[…]?} (one token per distinct app/tenant), in as many POSTs
// of at most max_batch items as needed; the POSTs of one URL run concurrently. A batch that is
// not answered 2xx within receiver_timeout is retried with doubling back-off until
// retry_give_up, then dropped (logged). With reorder set, every other batch is held back and
// sent after the next one.
// Slow endpoints are throttled as Graph does (§4.3, see endpoint_health.hpp): every publish is
// timed; a URL flagged slow has its notifications held for slow_endpoint_delay of the
// emulator's clock (tick() releases them to the retry path); one whose retries go unanswered
// within the retry timeout has them dropped.
// Thread-safety: enqueue/set_reorder/validate may be called from any thread; enqueue never
// waits for I/O (the state lock may be held by the caller). All I/O runs on the io_context.

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "emulator/graph_emulator.hpp"
#include "emulator/graph_error.hpp"
#include "emulator/graph_time.hpp"

namespace ccteams::emulator {

struct OutgoingNotification {
  boost::json::object item;       // one changeNotification (or lifecycle notification)
  std::string validation_token;   // "" for none
  std::string token_key;          // "{appId}/{tenantId}": one token per key per POST
};

// What became of the notifications queued for one URL since the emulator started (items, not
// POSTs, except failed_attempts). Lifecycle notifications count too.
struct DeliveryCounts {
  std::uint64_t queued = 0;                 // enqueued, whatever happened next
  std::uint64_t acknowledged = 0;           // in a POST the receiver answered 2xx
  std::uint64_t failed_attempts = 0;        // POSTs not answered 2xx in time (each retry counts)
  std::uint64_t dropped_after_retries = 0;  // given up after retry_give_up (or at shutdown)
  std::uint64_t dropped_slow = 0;           // dropped because the URL was marked dropping
};

class Notifier {
 public:
  // ioc must outlive the notifier and every delivery it started. clock is the emulator's
  // (callable from any thread); it times the slow-endpoint windows and delays.
  Notifier(boost::asio::io_context& ioc, NotificationOptions options,
           std::function<Timestamp()> clock);
  // Stops retrying; batches in flight finish their current attempt.
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void enqueue(const std::string& url, OutgoingNotification n);
  void set_reorder(bool reorder);
  // Sends the notifications held for slow endpoints whose delay has passed at now.
  void tick(Timestamp now);
  // The slow-endpoint statistics of every notification URL: [{"url","windowStart",
  // "notifications","slow","overRetryTimeout","state":"normal"|"slow"|"dropping","held"}].
  boost::json::array endpoints(Timestamp now);
  // Delivery counts of every URL ever queued for: [{"url","queued","acknowledged",
  // "failedAttempts","droppedAfterRetries","droppedSlow"}]. Queued minus the rest is in flight
  // or held (retrying, delayed, reordered).
  boost::json::array deliveries();

  // POSTs url?validationToken={token} (text/plain) and expects 200, text/plain, body = the
  // decoded token within validation_timeout. 400 ValidationError naming the URL otherwise.
  boost::asio::awaitable<GraphResult<Done>> validate(std::string url);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace ccteams::emulator
