#include "emulator/notifier.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "adapters/http/http_client.hpp"
#include "emulator/encoding.hpp"
#include "emulator/endpoint_health.hpp"

namespace ccteams::emulator {

namespace asio = boost::asio;
namespace json = boost::json;
using Batch = std::vector<OutgoingNotification>;

// A batch held back by the reorder fault waits this many batch intervals for a successor.
constexpr int kMaxHold = 10;

namespace {

ClientOptions client_options(const NotificationOptions& o) {
  ClientOptions c;
  c.extra_ca_pem = o.webhook_ca_pem;
  c.user_agent = "Microsoft-Graph-ChangeNotifications/1.0 (ccteams emulator)";
  return c;
}

void log_if_thrown(const std::exception_ptr& e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("emulator notifier: {}", ex.what());
  }
}

std::string body_of(const Batch& batch) {
  json::array value;
  json::array tokens;
  std::set<std::string> keys;
  for (const auto& n : batch) {
    value.push_back(n.item);
    if (!n.validation_token.empty() && keys.insert(n.token_key).second) {
      tokens.emplace_back(n.validation_token);
    }
  }
  json::object body{{"value", std::move(value)}};
  if (!tokens.empty()) body["validationTokens"] = std::move(tokens);
  return json::serialize(body);
}

}  // namespace

struct Notifier::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, NotificationOptions o, std::function<Timestamp()> c)
      : ioc(io),
        options(std::move(o)),
        clock(std::move(c)),
        client(io, client_options(options)),
        health(EndpointHealthOptions{options.slow_endpoint_min_notifications,
                                     options.slow_delay_share, options.slow_drop_share,
                                     options.slow_stats_window}) {}

  struct Delayed {
    Timestamp due;
    std::string url;
    OutgoingNotification notification;
  };

  struct Queue {
    std::deque<OutgoingNotification> pending;
    std::optional<Batch> held;  // reorder fault: sent after the next batch
    std::chrono::steady_clock::time_point held_since;
    bool flushing = false;
  };

  asio::io_context& ioc;
  NotificationOptions options;
  std::function<Timestamp()> clock;
  HttpClient client;
  std::mutex mu;
  std::map<std::string, Queue> queues;
  EndpointHealth health;
  std::vector<Delayed> delayed;  // notifications to slow endpoints, by due time of `clock`
  std::map<std::string, DeliveryCounts> counts;  // per URL, since start
  bool reorder = false;
  bool stopped = false;

  // One loop per URL while it has work: wait, cut everything pending into batches of at most
  // max_batch, hand each to its own delivery coroutine (so a slow or failing receiver never
  // holds back the next batch, and a busy URL is not capped at one batch per interval).
  asio::awaitable<void> flush_loop(std::string url) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
      timer.expires_after(options.batch_interval);
      co_await timer.async_wait(asio::use_awaitable);
      std::vector<std::vector<Batch>> groups;  // each group is sent in order
      {
        std::lock_guard lock(mu);
        Queue& q = queues[url];
        const auto now = std::chrono::steady_clock::now();
        while (!q.pending.empty()) {
          Batch batch;
          while (!q.pending.empty() && batch.size() < options.max_batch) {
            batch.push_back(std::move(q.pending.front()));
            q.pending.pop_front();
          }
          if (reorder && !q.held) {
            q.held = std::move(batch);
            q.held_since = now;
            continue;
          }
          // A held batch goes right after the next one.
          std::vector<Batch> group;
          group.push_back(std::move(batch));
          if (q.held) {
            group.push_back(std::move(*q.held));
            q.held.reset();
          }
          groups.push_back(std::move(group));
        }
        // ... or alone once nothing followed it for a while.
        if (groups.empty() && q.held && now - q.held_since >= kMaxHold * options.batch_interval) {
          groups.push_back({});
          groups.back().push_back(std::move(*q.held));
          q.held.reset();
        }
        if (groups.empty() && q.pending.empty() && !q.held) {
          q.flushing = false;
          co_return;
        }
      }
      for (auto& group : groups) {
        asio::co_spawn(asio::make_strand(ioc),
                       deliver_in_order(shared_from_this(), url, std::move(group)),
                       log_if_thrown);
      }
    }
  }

  static asio::awaitable<void> run_flush(std::shared_ptr<Impl> self, std::string url) {
    co_await self->flush_loop(std::move(url));
  }

  static asio::awaitable<void> deliver_in_order(std::shared_ptr<Impl> self, std::string url,
                                                std::vector<Batch> batches) {
    for (auto& b : batches) co_await self->deliver(url, body_of(b), b.size());
  }

  // A retry's deadline is retry_timeout; a first delivery's is receiver_timeout, shorter, so
  // only a retry can be over the retry timeout (endpoint_health.hpp).
  void record_publish(const std::string& url, std::size_t items, bool retry,
                      std::chrono::steady_clock::duration took) {
    std::lock_guard lock(mu);
    const auto timing = retry && took >= options.retry_timeout ? PublishTiming::over_retry_timeout
                        : took > options.slow_publish          ? PublishTiming::slow
                                                               : PublishTiming::in_time;
    const auto before = health.mode(url, clock());
    health.record(url, items, timing, clock());
    const auto after = health.mode(url, clock());
    if (after != before) {
      const auto st = health.stats(url, clock());
      spdlog::warn(
          "emulator notifier: {} is now {} ({} of {} notifications slow, {} over the retry "
          "timeout)",
          url,
          after == EndpointHealth::Mode::dropped   ? "dropping notifications"
          : after == EndpointHealth::Mode::delayed ? "flagged slow (10 min delay)"
                                                   : "healthy",
          st.slow, st.total, st.over_retry_timeout);
    }
  }

  void count_attempt(const std::string& url, std::size_t items, bool acknowledged, bool give_up) {
    std::lock_guard lock(mu);
    auto& c = counts[url];
    if (acknowledged) {
      c.acknowledged += items;
      return;
    }
    ++c.failed_attempts;
    if (give_up) c.dropped_after_retries += items;
  }

  // Queues n for url and starts its flush loop when idle. Called with mu held.
  void push(const std::string& url, OutgoingNotification n) {
    auto& q = queues[url];
    q.pending.push_back(std::move(n));
    if (q.flushing) return;
    q.flushing = true;
    asio::co_spawn(asio::make_strand(ioc), run_flush(shared_from_this(), url), log_if_thrown);
  }

  bool is_stopped() {
    std::lock_guard lock(mu);
    return stopped;
  }

  asio::awaitable<void> deliver(const std::string& url, std::string body, std::size_t items) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto start = std::chrono::steady_clock::now();
    auto delay = options.retry_initial;
    for (int attempt = 1;; ++attempt) {
      ClientRequest request;
      request.method = "POST";
      request.url = url;
      request.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
      request.body = body;
      // Microsoft's 2026 text: the first delivery must be answered within 3 s, retries get 10 s.
      request.timeout = attempt == 1 ? options.receiver_timeout : options.retry_timeout;
      const auto sent = std::chrono::steady_clock::now();
      auto r = co_await client.send(std::move(request));
      record_publish(url, items, attempt > 1, std::chrono::steady_clock::now() - sent);
      const bool acknowledged = r && r->status >= 200 && r->status < 300;
      const bool give_up =
          !acknowledged && (is_stopped() || std::chrono::steady_clock::now() - start + delay >
                                                options.retry_give_up);
      count_attempt(url, items, acknowledged, give_up);
      if (acknowledged) co_return;
      const std::string why = r ? "status " + std::to_string(r->status) : r.error().message;
      if (give_up) {
        spdlog::warn("emulator notifier: dropped {} notification(s) for {} after {} attempt(s): {}",
                     items, url, attempt, why);
        co_return;
      }
      timer.expires_after(delay);
      co_await timer.async_wait(asio::use_awaitable);
      delay = std::min(delay * 2, options.retry_max_delay);
    }
  }
};

Notifier::Notifier(asio::io_context& ioc, NotificationOptions options,
                   std::function<Timestamp()> clock)
    : impl_(std::make_shared<Impl>(ioc, std::move(options), std::move(clock))) {}

Notifier::~Notifier() {
  std::lock_guard lock(impl_->mu);
  impl_->stopped = true;
}

void Notifier::enqueue(const std::string& url, OutgoingNotification n) {
  std::lock_guard lock(impl_->mu);
  if (impl_->stopped) return;
  const Timestamp now = impl_->clock();
  auto& counts = impl_->counts[url];
  ++counts.queued;
  switch (impl_->health.mode(url, now)) {
    case EndpointHealth::Mode::normal:
      impl_->push(url, std::move(n));
      return;
    case EndpointHealth::Mode::delayed:
      impl_->delayed.push_back({now + impl_->options.slow_endpoint_delay, url, std::move(n)});
      return;
    case EndpointHealth::Mode::dropped:
      ++counts.dropped_slow;
      spdlog::debug("emulator notifier: dropped a notification for slow endpoint {}", url);
      return;
  }
}

void Notifier::tick(Timestamp now) {
  std::lock_guard lock(impl_->mu);
  if (impl_->stopped) return;
  // Held notifications go out through the ordinary queue (and its retries) once due.
  std::vector<Impl::Delayed> later;
  for (auto& d : impl_->delayed) {
    if (d.due > now) {
      later.push_back(std::move(d));
    } else {
      impl_->push(d.url, std::move(d.notification));
    }
  }
  impl_->delayed = std::move(later);
}

void Notifier::set_reorder(bool reorder) {
  std::lock_guard lock(impl_->mu);
  impl_->reorder = reorder;
}

json::array Notifier::deliveries() {
  std::lock_guard lock(impl_->mu);
  json::array out;
  for (const auto& [url, c] : impl_->counts) {
    out.push_back(json::object{{"url", url},
                               {"queued", c.queued},
                               {"acknowledged", c.acknowledged},
                               {"failedAttempts", c.failed_attempts},
                               {"droppedAfterRetries", c.dropped_after_retries},
                               {"droppedSlow", c.dropped_slow}});
  }
  return out;
}

json::array Notifier::endpoints(Timestamp now) {
  std::lock_guard lock(impl_->mu);
  json::array out;
  for (const auto& [url, st] : impl_->health.report(now)) {
    const auto held = std::count_if(impl_->delayed.begin(), impl_->delayed.end(),
                                    [&u = url](const Impl::Delayed& d) { return d.url == u; });
    out.push_back(json::object{
        {"url", url},
        {"windowStart", format_iso8601(st.window_start)},
        {"notifications", st.total},
        {"slow", st.slow},
        {"overRetryTimeout", st.over_retry_timeout},
        {"state", st.mode == EndpointHealth::Mode::dropped   ? "dropping"
                  : st.mode == EndpointHealth::Mode::delayed ? "slow"
                                                             : "normal"},
        {"held", held}});
  }
  return out;
}

asio::awaitable<GraphResult<Done>> Notifier::validate(std::string url) {
  auto self = impl_;  // the handler's coroutine keeps the client alive
  // Graph's tokens are opaque text with spaces and colons, so a receiver that echoes the
  // still-encoded form fails, as it would against Graph.
  const std::string token =
      "Validation: Testing client application reachability for subscription Request-Id: " +
      base64url_encode(random_bytes(12));
  const std::string target = url + (url.find('?') == std::string::npos ? "?" : "&") +
                             "validationToken=" + http::percent_encode(token);
  ClientRequest request;
  request.method = "POST";
  request.url = target;
  request.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
  request.timeout = self->options.validation_timeout;
  auto r = co_await self->client.send(std::move(request));
  const auto fail = [&](const std::string& why) -> GraphResult<Done> {
    return graph_error(400, "ValidationError",
                       "Subscription validation request failed. Notification endpoint must "
                       "respond with 200 OK to validation request. (" + url + ": " + why + ")");
  };
  if (!r) co_return fail(r.error().message);
  if (r->status != 200) co_return fail("status " + std::to_string(r->status));
  if (r->header("content-type").substr(0, 10) != "text/plain") {
    co_return fail("Content-Type must be text/plain");
  }
  if (r->body != token) co_return fail("the body is not the decoded validation token");
  co_return Done{};
}

}  // namespace ccteams::emulator
