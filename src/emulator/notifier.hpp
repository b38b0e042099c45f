#pragma once
// Outgoing webhook traffic of the emulated Graph (graph-protocol.md §4.1, §4.3): the
// validation handshake, and batched change/lifecycle notification POSTs with retries.
//
// Items queued for one URL are collected for NotificationOptions::batch_interval and sent as
// {"value":[…],"validationTokens":[…]?} (one token per distinct app/tenant). A batch that is
// not answered 2xx within receiver_timeout is retried with doubling back-off until
// retry_give_up, then dropped (logged). With reorder set, every other batch is held back and
// sent after the next one.
// Thread-safety: enqueue/set_reorder/validate may be called from any thread; enqueue never
// waits for I/O (the state lock may be held by the caller). All I/O runs on the io_context.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "emulator/graph_emulator.hpp"
#include "emulator/graph_error.hpp"

namespace ccteams::emulator {

struct OutgoingNotification {
  boost::json::object item;       // one changeNotification (or lifecycle notification)
  std::string validation_token;   // "" for none
  std::string token_key;          // "{appId}/{tenantId}": one token per key per POST
};

class Notifier {
 public:
  // ioc must outlive the notifier and every delivery it started.
  Notifier(boost::asio::io_context& ioc, NotificationOptions options);
  // Stops retrying; batches in flight finish their current attempt.
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void enqueue(const std::string& url, OutgoingNotification n);
  void set_reorder(bool reorder);

  // POSTs url?validationToken={token} (text/plain) and expects 200, text/plain, body = the
  // decoded token within validation_timeout. 400 ValidationError naming the URL otherwise.
  boost::asio::awaitable<GraphResult<Done>> validate(std::string url);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace ccteams::emulator
