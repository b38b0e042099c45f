// GET /api/v1/events: the contact center's live events over a WebSocket.
//
// Authentication happens on the upgrade request: "Authorization: Bearer", the session cookie,
// or ?access_token= (browsers' WebSocket API cannot set headers). An agent receives only events
// about themselves; supervisors and admins their whole organisation.
//
// Resume: ?after=<seq> first replays the organisation's stored events with a larger seq (from
// the database, as far as retention reaches), then continues live without gap or duplicate:
// live events that arrive during the replay are held back and sent after it, skipping those
// the replay already sent. A {"type":"subscribed","replayed":n} message marks the switch to
// live delivery.
#include <boost/json.hpp>
#include <charconv>
#include <mutex>
#include <vector>

#include "adapters/http/api/cc_api_context.hpp"
#include "adapters/http/api/request_auth.hpp"
#include "adapters/http/router.hpp"
#include "app/cc_event_hub.hpp"
#include "app/contact_center.hpp"

namespace ccteams::http {

namespace json = boost::json;

namespace {

constexpr std::size_t kReplayBatch = 500;

class EventStream : public std::enable_shared_from_this<EventStream> {
 public:
  EventStream(ContactCenterStore& store, CcEventHub& hub, CcSubscription filter,
              std::optional<std::int64_t> after)
      : store_(store), hub_(hub), filter_(std::move(filter)), after_(after) {}

  void start(std::shared_ptr<WebSocket> ws) {
    {
      std::lock_guard lock(mu_);
      ws_ = std::move(ws);
    }
    CcSubscription sub = filter_;
    sub.deliver = [weak = weak_from_this()](const CcEventRecord& e) {
      if (auto self = weak.lock()) self->on_live(e);
    };
    // Subscribed before the replay reads the log: nothing falls between the two.
    token_ = hub_.subscribe(std::move(sub));
    std::int64_t cursor = after_.value_or(0);
    std::size_t replayed = 0;
    if (after_) {
      for (;;) {
        auto batch = store_.events_after(filter_.org, cursor, kReplayBatch);
        if (!batch) {
          send_now(json::serialize(json::object{{"type", "error"},
                                                {"message", batch.error().message}}));
          break;
        }
        for (const auto& e : *batch) {
          cursor = e.seq;
          if (!visible_to(filter_, e)) continue;
          send_now(e.body);
          ++replayed;
        }
        if (batch->size() < kReplayBatch) break;
      }
    }
    std::lock_guard lock(mu_);
    if (!ws_) return;
    for (const auto& e : pending_) {
      if (!after_ || e.seq > cursor) ws_->send(e.body);
    }
    pending_.clear();
    live_ = true;
    ws_->send(json::serialize(json::object{{"type", "subscribed"},
                                           {"replayed", replayed},
                                           {"after", cursor}}));
  }

  void stop() {
    hub_.unsubscribe(token_);
    std::lock_guard lock(mu_);
    ws_.reset();
    pending_.clear();
  }

 private:
  void on_live(const CcEventRecord& e) {
    std::lock_guard lock(mu_);
    if (!ws_) return;
    if (live_) {
      ws_->send(e.body);  // false: the connection is being closed as too slow; it resumes
    } else {
      pending_.push_back(e);
    }
  }

  void send_now(const std::string& text) {
    std::lock_guard lock(mu_);
    if (ws_) ws_->send(text);
  }

  ContactCenterStore& store_;
  CcEventHub& hub_;
  CcSubscription filter_;
  std::optional<std::int64_t> after_;
  CcEventHub::Token token_ = 0;
  std::mutex mu_;
  std::shared_ptr<WebSocket> ws_;
  std::vector<CcEventRecord> pending_;
  bool live_ = false;
};

Result<Caller> authenticate_upgrade(const Request& req, AuthService& auth) {
  if (auto token = req.query_param("access_token"); token && req.header("authorization").empty()) {
    return auth.authenticate(*token);
  }
  return authenticate_request(req, auth);
}

Result<std::optional<std::int64_t>> after_param(const Request& req) {
  auto text = req.query_param("after");
  if (!text) return std::optional<std::int64_t>{};
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc{} || end != text->data() + text->size() || v < 0) {
    return make_error(Errc::invalid_input, "query parameter 'after' must be a sequence number");
  }
  return std::optional<std::int64_t>{v};
}

}  // namespace

void register_cc_event_routes(Router& router, CcApiContext& ctx) {
  router.add_websocket(
      "/api/v1/events",
      [&ctx](Request& req) -> boost::asio::awaitable<std::variant<Response, WsCallbacks>> {
        auto caller = authenticate_upgrade(req, ctx.auth);
        if (!caller) co_return error_response(caller.error());
        auto after = after_param(req);
        if (!after) co_return error_response(after.error());
        CcSubscription filter{caller->org_id, std::nullopt, {}};
        if (!caller->roles.has(Role::supervisor) && !caller->roles.has(Role::admin)) {
          filter.only_agent = caller->user_id;
        }
        auto stream = std::make_shared<EventStream>(ctx.store, ctx.events, std::move(filter),
                                                    *after);
        WsCallbacks cb;
        cb.on_open = [stream](std::shared_ptr<WebSocket> ws) { stream->start(std::move(ws)); };
        cb.on_close = [stream] { stream->stop(); };
        co_return cb;
      });
}

}  // namespace ccteams::http
