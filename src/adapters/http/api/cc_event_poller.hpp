#pragma once
// [cluster]: the events WebSocket on an instance that does not serve the caller's organisation
// (docs/postgresql.md, "Any instance serves any request"). The live events are published on the
// owner only, but every one of them is in the event log first, and the log is exact to read by
// seq: one instance at a time writes an organisation's events, one decision per transaction,
// and the lease's fence keeps a take-over from committing before the old owner's last write. So
// this socket reads the log: the resume (?after=) exactly as on the owner, then every poll_every
// the events after the last seq it sent. Same messages, same cursor semantics; a little later
// (up to poll_every) than on the owner.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include <boost/asio/awaitable.hpp>

#include "app/cc_event_hub.hpp"
#include "app/ports/store.hpp"

namespace ccteams::http {

class WebSocket;

// Thread-safety: open() and stop() from the connection's callbacks; run() once, after open().
class CcEventPoller : public std::enable_shared_from_this<CcEventPoller> {
 public:
  CcEventPoller(Store& store, CcSubscription filter, std::optional<std::int64_t> after,
                std::size_t replay_max, std::chrono::milliseconds poll_every);

  void open(std::shared_ptr<WebSocket> ws);
  void stop();
  // Replays, says "subscribed", then polls until stop() or the socket is too slow. On the
  // connection's executor (the store's reads resume there).
  boost::asio::awaitable<void> run();

 private:
  boost::asio::awaitable<Result<std::vector<CcEventRecord>>> read(std::int64_t after,
                                                                  std::size_t limit);
  // Sends the visible ones; false when the socket is gone or too slow.
  bool send_all(const std::vector<CcEventRecord>& events, std::int64_t& cursor,
                std::size_t& sent);
  bool send(const std::string& text);
  void close(std::string reason);

  Store& store_;
  const CcSubscription filter_;
  const std::optional<std::int64_t> after_;
  const std::size_t replay_max_;
  const std::chrono::milliseconds poll_every_;
  std::mutex mu_;
  std::shared_ptr<WebSocket> ws_;  // guarded by mu_; reset by stop()
};

}  // namespace ccteams::http
