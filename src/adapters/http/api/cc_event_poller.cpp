#include "adapters/http/api/cc_event_poller.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "adapters/http/router.hpp"

namespace ccteams::http {

namespace json = boost::json;

namespace {
// How many events one poll reads at most; a fuller backlog is read again at once.
constexpr std::size_t kPage = 200;
}  // namespace

CcEventPoller::CcEventPoller(Store& store, CcSubscription filter,
                             std::optional<std::int64_t> after, std::size_t replay_max,
                             std::chrono::milliseconds poll_every)
    : store_(store),
      filter_(std::move(filter)),
      after_(after),
      replay_max_(replay_max),
      poll_every_(poll_every) {}

void CcEventPoller::open(std::shared_ptr<WebSocket> ws) {
  std::lock_guard lock(mu_);
  ws_ = std::move(ws);
}

void CcEventPoller::stop() {
  std::lock_guard lock(mu_);
  ws_.reset();
}

bool CcEventPoller::send(const std::string& text) {
  std::lock_guard lock(mu_);
  return ws_ && ws_->send(text);
}

void CcEventPoller::close(std::string reason) {
  std::lock_guard lock(mu_);
  if (ws_) ws_->close(std::move(reason));
}

boost::asio::awaitable<Result<std::vector<CcEventRecord>>> CcEventPoller::read(std::int64_t after,
                                                                               std::size_t limit) {
  const OrgId org = filter_.org;
  auto fn = [org, after, limit](Stores& s) {
    return s.contact_center().events_after(org, after, limit);
  };
  auto op = store_.read(fn);
  co_return co_await std::move(op);
}

bool CcEventPoller::send_all(const std::vector<CcEventRecord>& events, std::int64_t& cursor,
                             std::size_t& sent) {
  for (const auto& e : events) {
    cursor = e.seq;
    if (!visible_to(filter_, e)) continue;
    if (!send(e.body)) return false;
    ++sent;
  }
  return true;
}

boost::asio::awaitable<void> CcEventPoller::run() {
  auto self = shared_from_this();  // the loop keeps the poller; stop() ends it
  std::int64_t cursor = after_.value_or(0);
  std::size_t replayed = 0;
  if (after_) {
    // One more than the bound tells "too far behind" without reading the whole backlog.
    auto batch = co_await read(cursor, replay_max_ + 1);
    if (!batch) {
      send(json::serialize(json::object{{"type", "error"}, {"message", batch.error().message}}));
      close("event log unavailable");
      co_return;
    }
    if (batch->size() > replay_max_) {
      send(json::serialize(json::object{
          {"type", "error"},
          {"code", "resync_required"},
          {"message", "more than " + std::to_string(replay_max_) +
                          " events were missed; reload the state and reconnect without 'after'"}}));
      close("resync required");
      co_return;
    }
    if (!send_all(*batch, cursor, replayed)) co_return;
  } else {
    // Live from now: skip to the newest stored event (the client reloads its state after
    // "subscribed", as it does on the owner).
    for (;;) {
      auto page = co_await read(cursor, kPage);
      if (!page) {
        send(json::serialize(json::object{{"type", "error"}, {"message", page.error().message}}));
        close("event log unavailable");
        co_return;
      }
      if (page->empty()) break;
      cursor = page->back().seq;
      if (page->size() < kPage) break;
    }
  }
  if (!send(json::serialize(
          json::object{{"type", "subscribed"}, {"replayed", replayed}, {"after", cursor}}))) {
    co_return;
  }
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  bool full = false;
  for (;;) {
    if (!full) {
      timer.expires_after(poll_every_);
      co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    {
      std::lock_guard lock(mu_);
      if (!ws_) co_return;  // closed: stop() ran
    }
    auto batch = co_await read(cursor, kPage);
    // The database away for a moment: the cursor stays, the next poll reads what was missed.
    if (!batch) {
      full = false;
      continue;
    }
    std::size_t sent = 0;
    if (!send_all(*batch, cursor, sent)) co_return;
    full = batch->size() == kPage;
  }
}

}  // namespace ccteams::http
