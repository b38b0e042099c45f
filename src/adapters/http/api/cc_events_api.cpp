// GET /api/v1/events: the contact center's live events over a WebSocket, and
// POST /api/v1/events/ticket: a single-use ticket to open it with.
//
// The upgrade is guarded before the 101 (issue 23): an Origin must be one of ctx.ws_origins
// (403 otherwise; a cookie alone would let any site's page in), an upgrade without Origin (not
// a browser) must carry "Authorization: Bearer", a token in the URL (?access_token=, ?token=)
// is refused (URLs are logged), and one session holds at most SessionSockets' cap (429).
// Credentials: the session cookie, the bearer header, or ?ticket= from POST …/ticket (30 s,
// single use). The socket is closed (1008 "session ended") when its session ends or expires,
// or when its user is disabled, deleted, gets new roles or a new password.
//
// An agent receives only events about themselves; supervisors and admins their whole
// organisation.
//
// Resume: ?after=<seq> first replays the organisation's stored events with a larger seq, at
// most ctx.replay_max of them (read by a read job on the store's executor, sent after it), then
// continues live without gap or duplicate: live events that arrive during the replay are held
// back and sent after it, skipping those the replay already sent. A
// {"type":"subscribed","replayed":n} message marks the switch to live delivery. A client
// further behind gets {"type":"error","code":"resync_required"} and a close: it reloads its
// state over REST and reconnects without `after`.
//
// [cluster]: on an instance that does not serve the caller's organisation the same protocol is
// served from the event log (cc_event_poller.hpp); a socket on the owner is closed with 1012
// when the organisation's lease leaves (org_event_sockets.hpp).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <mutex>
#include <vector>

#include "adapters/http/api/cc_api_context.hpp"
#include "adapters/http/api/cc_event_poller.hpp"
#include "adapters/http/api/org_event_sockets.hpp"
#include "adapters/http/api/request_auth.hpp"
#include "adapters/http/json_io.hpp"
#include "adapters/http/router.hpp"
#include "app/cc_event_hub.hpp"
#include "app/contact_center.hpp"
#include "app/log_escaped.hpp"
#include "app/session_sockets.hpp"
#include "app/ws_tickets.hpp"

namespace ccteams::http {

namespace json = boost::json;

namespace {

// How often a socket on a non-owner reads the event log for what is new.
constexpr std::chrono::milliseconds kLogPollEvery{250};

class EventStream : public std::enable_shared_from_this<EventStream> {
 public:
  EventStream(CcEventHub& hub, CcSubscription filter, std::optional<std::int64_t> after,
              std::size_t replay_max)
      : hub_(hub), filter_(std::move(filter)), after_(after), replay_max_(replay_max) {}

  void open(std::shared_ptr<WebSocket> ws) {
    std::lock_guard lock(mu_);
    ws_ = std::move(ws);
  }

  // Subscribes; without a resume point, goes live at once. Returns whether a replay must
  // follow (replay(), on the store's executor).
  bool subscribe() {
    CcSubscription sub = filter_;
    sub.deliver = [weak = weak_from_this()](const CcEventRecord& e) {
      if (auto self = weak.lock()) self->on_live(e);
    };
    // Subscribed before the replay reads the log: nothing falls between the two. Not under
    // mu_ (publish holds the hub's lock while it takes mu_); a stop() that ran meanwhile is
    // seen here, or sees the token, never neither.
    const auto token = hub_.subscribe(std::move(sub));
    {
      std::unique_lock lock(mu_);
      token_ = token;
      if (stopped_) {
        lock.unlock();
        hub_.unsubscribe(token);
        return false;
      }
    }
    if (after_) return true;
    go_live(0, 0);
    return false;
  }

  // The stored events after the resume point: a read job on the store's executor. It only
  // reads; what it read is sent by replay() once the job returned, so a job the store runs
  // again never sends twice.
  Result<std::vector<CcEventRecord>> read_backlog(ContactCenterStore& store) const {
    // One more than the bound tells "too far behind" without reading the whole backlog.
    return store.events_after(filter_.org, *after_, replay_max_ + 1);
  }

  // Sends what read_backlog() read, then goes live.
  void replay(const Result<std::vector<CcEventRecord>>& batch) {
    std::int64_t cursor = *after_;
    std::size_t replayed = 0;
    if (!batch) {
      send_now(
          json::serialize(json::object{{"type", "error"}, {"message", batch.error().message}}));
    } else if (batch->size() > replay_max_) {
      resync_required();
      return;
    } else {
      for (const auto& e : *batch) {
        cursor = e.seq;
        if (!visible_to(filter_, e)) continue;
        send_now(e.body);
        ++replayed;
      }
    }
    go_live(cursor, replayed);
  }

  void stop() {
    CcEventHub::Token token = 0;
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
      token = token_;
      ws_.reset();
      pending_.clear();
    }
    if (token != 0) hub_.unsubscribe(token);
  }

 private:
  // Sends what arrived during the replay (after cursor), then live events as they come.
  void go_live(std::int64_t cursor, std::size_t replayed) {
    std::lock_guard lock(mu_);
    if (!ws_) return;
    if (overflowed_) {
      resync_required_locked();
      return;
    }
    for (const auto& e : pending_) {
      if (!after_ || e.seq > cursor) ws_->send(e.body);
    }
    pending_.clear();
    live_ = true;
    ws_->send(json::serialize(
        json::object{{"type", "subscribed"}, {"replayed", replayed}, {"after", cursor}}));
  }

  void on_live(const CcEventRecord& e) {
    std::lock_guard lock(mu_);
    if (!ws_) return;
    if (live_) {
      ws_->send(e.body);  // false: the connection is being closed as too slow; it resumes
    } else if (pending_.size() < replay_max_) {
      pending_.push_back(e);
    } else {
      // Held events are bounded like the replay: a burst during a slow replay means reload.
      overflowed_ = true;
      pending_.clear();
    }
  }

  void resync_required() {
    std::lock_guard lock(mu_);
    resync_required_locked();
  }

  void resync_required_locked() {
    if (!ws_) return;
    ws_->send(json::serialize(json::object{
        {"type", "error"},
        {"code", "resync_required"},
        {"message", "more than " + std::to_string(replay_max_) +
                        " events were missed; reload the state and reconnect without 'after'"}}));
    ws_->close("resync required");
  }

  void send_now(const std::string& text) {
    std::lock_guard lock(mu_);
    if (ws_) ws_->send(text);
  }

  CcEventHub& hub_;
  CcSubscription filter_;
  std::optional<std::int64_t> after_;
  const std::size_t replay_max_;
  std::mutex mu_;
  CcEventHub::Token token_ = 0;  // 0 until start() subscribed
  bool stopped_ = false;
  std::shared_ptr<WebSocket> ws_;
  std::vector<CcEventRecord> pending_;
  bool live_ = false;
  bool overflowed_ = false;
};

// The resume: the backlog is read on the store's executor, never on an I/O thread, and sent
// from here. Parameters by value (GCC 12 coroutines).
boost::asio::awaitable<void> replay_stored(Store* store, std::shared_ptr<EventStream> stream) {
  auto read = [&stream](Stores& s) { return stream->read_backlog(s.contact_center()); };
  const auto batch = co_await store->read(read);
  stream->replay(batch);
}

// The registry closes the socket when its session ends or its user changes.
void attach_close(SessionSockets::Slot& slot, const std::shared_ptr<WebSocket>& ws) {
  slot.attach([weak = std::weak_ptr<WebSocket>(ws)](std::string reason) {
    if (auto w = weak.lock()) w->close(kWsClosePolicy, std::move(reason));
  });
}

bool has_bearer(const Request& req) { return !req.header("authorization").empty(); }

// The page's origin must be ours: otherwise any site could open the socket with the user's
// cookie (cross-site WebSocket hijacking). Without Origin the client is not a browser, and
// only an explicit bearer header may authenticate it.
Result<void> check_origin(const Request& req, const std::vector<std::string>& allowed) {
  const auto origin = req.header("origin");
  if (origin.empty()) {
    if (has_bearer(req)) return ok();
    if (req.cookie(kSessionCookie).empty() && !req.query_param("ticket")) {
      return make_error(Errc::unauthenticated, "sign in first (no credentials)");
    }
    return make_error(Errc::forbidden,
                      "an upgrade without an Origin header must authenticate with "
                      "'Authorization: Bearer <token>'");
  }
  for (const auto& a : allowed) {
    if (iequals(origin, a)) return ok();
  }
  return make_error(Errc::forbidden,
                    "this page's origin may not open the event stream; open the console at "
                    "the server's public URL (server.public_url)");
}

// A token in the URL is refused whoever sends it (URLs end up in logs and histories), before
// anything else looks at the request.
Result<void> refuse_token_in_url(const Request& req) {
  if (req.query_param("access_token") || req.query_param("token")) {
    return make_error(Errc::invalid_input,
                      "a token in the URL is not accepted (URLs are logged); use the session "
                      "cookie, 'Authorization: Bearer', or ?ticket= from POST "
                      "/api/v1/events/ticket");
  }
  return ok();
}

boost::asio::awaitable<Result<Caller>> authenticate_upgrade(const Request& req, CcApiContext& ctx) {
  if (auto ticket = req.query_param("ticket")) {
    if (!ctx.tickets) {
      co_return make_error(Errc::unauthenticated, "tickets are not enabled here");
    }
    auto session = ctx.tickets->redeem(*ticket);
    if (!session) co_return std::move(session).error();
    co_return co_await ctx.auth.authenticate_session(std::move(*session));
  }
  co_return co_await authenticate_request(req, ctx.auth);
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

// A POST: with_caller makes a cookie session show its CSRF token, so another site cannot mint
// tickets.
Response issue_ticket(CcApiContext& ctx, const Caller& caller) {
  if (!ctx.tickets) {
    return error_response(make_error(Errc::not_found, "event stream tickets are not enabled"));
  }
  auto issued = ctx.tickets->issue(caller.session_digest);
  if (!issued) return error_response(issued.error());
  return json_response(200, json::object{{"ticket", issued->ticket},
                                         {"expiresAt", format_iso8601(issued->expires_at)}});
}

}  // namespace

void register_cc_event_routes(Router& router, CcApiContext& ctx) {
  router.add("POST", "/api/v1/events/ticket",
             with_caller(ctx.auth, {},
                         [&ctx](const Caller& c, Request&) { return issue_ticket(ctx, c); }));
  router.add_websocket(
      "/api/v1/events",
      [&ctx](Request& req) -> boost::asio::awaitable<std::variant<Response, WsCallbacks>> {
        if (auto r = refuse_token_in_url(req); !r) co_return error_response(r.error());
        if (auto r = check_origin(req, ctx.ws_origins.origins()); !r)
          co_return error_response(r.error());
        auto caller = co_await authenticate_upgrade(req, ctx);
        if (!caller) co_return error_response(caller.error());
        auto after = after_param(req);
        if (!after) co_return error_response(after.error());
        // The events are published where the organisation's live state is: its owner's
        // instance (docs/postgresql.md, "Leases and fencing"). Elsewhere they are read from the
        // event log (cc_event_poller.hpp).
        const bool served_here = ctx.center.served(caller->org_id).has_value();
        std::shared_ptr<SessionSockets::Slot> slot;
        if (ctx.sockets) {
          auto reserved = ctx.sockets->reserve(SocketOwner{
              caller->session_digest, caller->org_id, caller->user_id, caller->session_expires_at});
          if (!reserved) co_return error_response(reserved.error());
          slot = std::move(*reserved);
        }
        CcSubscription filter{caller->org_id, std::nullopt, {}};
        if (!caller->roles.has(Role::supervisor) && !caller->roles.has(Role::admin)) {
          filter.only_agent = caller->user_id;
        }
        auto executor = co_await boost::asio::this_coro::executor;
        WsCallbacks cb;
        if (!served_here) {
          auto poller = std::make_shared<CcEventPoller>(ctx.store, std::move(filter), *after,
                                                        ctx.replay_max, kLogPollEvery);
          cb.on_open = [poller, slot, executor](std::shared_ptr<WebSocket> ws) {
            if (slot) attach_close(*slot, ws);
            poller->open(std::move(ws));
            boost::asio::co_spawn(executor, poller->run(), LogEscaped{"an event log poll"});
          };
          cb.on_close = [poller, slot] { poller->stop(); };
          co_return cb;
        }
        auto stream =
            std::make_shared<EventStream>(ctx.events, std::move(filter), *after, ctx.replay_max);
        // The slot lives as long as the callbacks: until the connection ends, or at once when
        // the handshake fails.
        const OrgId org = caller->org_id;
        auto registered = std::make_shared<std::optional<OrgEventSockets::Token>>();
        cb.on_open = [stream, slot, executor, &ctx, org,
                      registered](std::shared_ptr<WebSocket> ws) {
          if (slot) attach_close(*slot, ws);
          if (ctx.org_sockets) *registered = ctx.org_sockets->add(org.value, ws);
          stream->open(std::move(ws));
          if (stream->subscribe()) {
            boost::asio::co_spawn(executor, replay_stored(&ctx.store, stream),
                                  LogEscaped{"an event replay"});
          }
        };
        cb.on_close = [stream, slot, &ctx, registered] {
          if (ctx.org_sockets && *registered) ctx.org_sockets->remove(**registered);
          stream->stop();
        };
        co_return cb;
      });
}

}  // namespace ccteams::http
