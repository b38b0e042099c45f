// Graph webhook throughput (see presence_bench_webhook.hpp).
#include "presence_bench_webhook.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http/api/graph_webhook_api.hpp"
#include "adapters/http/http_server.hpp"
#include "adapters/http/request_metrics.hpp"
#include "adapters/http/router.hpp"
#include "adapters/store/sqlite_presence_sync_store.hpp"
#include "adapters/store/sqlite_store.hpp"
#include "app/metrics.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/presence_sync_store.hpp"
#include "app/system_clock.hpp"

namespace ccteams::bench {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxSamplesPerConnection = 1 << 17;  // bounds memory on fast machines
constexpr std::string_view kTrivialPath = "/bench/trivial";
constexpr const char* kSubscription = "7f105c7d-2dc5-4530-97cd-4e7ae6534c07";
constexpr const char* kClientState = "secretClientValue";
constexpr const char* kAccessLog = "bench-webhook-access";

// Admits the one subscription of the load, as presence sync's gate would after its lookup.
class BenchGate final : public NotificationGate {
 public:
  explicit BenchGate(OrgId org) : org_(org) {}
  std::optional<OrgId> admit(std::string_view id, std::string_view client_state) override {
    if (id == kSubscription && client_state == kClientState) return org_;
    return std::nullopt;
  }
  void stored(InboxEntry) override { woken_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t woken() const { return woken_.load(std::memory_order_relaxed); }

 private:
  OrgId org_;
  std::atomic<std::uint64_t> woken_{0};
};

// A fresh directory, removed with its contents on destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& parent) {
    static std::atomic<int> counter{0};
    const std::filesystem::path base =
        parent.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(parent);
    path_ = base / ("ccteams-webhook-bench-" + std::to_string(::getpid()) + "-" +
                    std::to_string(counter++));
    std::filesystem::create_directories(path_, ec_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  bool ok() const { return !ec_; }
  std::string file(const char* name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
  std::error_code ec_;
};

// A Graph-like object id (36 chars), so that parsing and copying cost what they will in production.
std::string teams_id(std::size_t i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08zx-1d2c-4b7a-9e3f-%012zu", 0x5a000000 + i, i);
  return buf;
}

// A basic presence change notification collection (changenotifications-for-presence.md).
std::string collection_body(std::size_t first_user, std::size_t batch_size) {
  std::string out = R"({"value":[)";
  for (std::size_t k = 0; k < batch_size; ++k) {
    const std::string user = teams_id(first_user + k);
    if (k) out += ",";
    out += R"({"id":"lsgTZMr9KwAAA)" + std::to_string(first_user + k) + R"(","subscriptionId":")" +
           kSubscription + R"(","clientState":")" + kClientState +
           R"(","changeType":"updated","resource":"communications/presences/)" + user +
           R"(","subscriptionExpirationDateTime":"2026-12-04T18:23:45.9356913Z",)"
           R"("resourceData":{"@odata.id":"communications/presences/)" + user +
           R"(","@odata.type":"#Microsoft.Graph.presence","id":")" + user +
           R"("},"tenantId":"bbbbcccc-1111-dddd-2222-eeee3333ffff"})";
  }
  return out + "]}";
}

std::string raw_post(std::string_view path, const std::string& body) {
  return "POST " + std::string(path) +
         " HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

struct RunState {
  SteadyClock::time_point deadline;
  std::size_t max_posts = 0;  // 0: unbounded
  std::size_t started = 0;    // posts begun; the client io_context is single-threaded
  std::size_t answered = 0;
  std::size_t errors = 0;
  bool more() const {
    return SteadyClock::now() < deadline && (max_posts == 0 || started < max_posts);
  }
};

asio::awaitable<void> client_connection(std::uint16_t port, std::string request, RunState& run,
                                        std::vector<std::uint32_t>& latencies_ns) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(std::chrono::seconds(5));
  auto [cec] = co_await stream.async_connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), kAsTuple);
  if (cec) {
    ++run.errors;
    co_return;
  }
  stream.socket().set_option(tcp::no_delay(true));
  beast::flat_buffer buffer;
  while (run.more()) {
    ++run.started;
    const auto start = SteadyClock::now();
    stream.expires_after(std::chrono::seconds(10));
    auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(request), kAsTuple);
    bhttp::response<bhttp::string_body> res;
    auto [rec, rn] = co_await bhttp::async_read(stream, buffer, res, kAsTuple);
    if (wec || rec || res.result_int() != 202) {
      ++run.errors;
      co_return;
    }
    ++run.answered;
    if (latencies_ns.size() < kMaxSamplesPerConnection) {
      latencies_ns.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - start)
              .count(),
          UINT32_MAX)));
    }
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

RouteFigures drive(std::uint16_t port, std::string_view path, const WebhookLoad& load,
                   double seconds) {
  asio::io_context client_ioc(1);
  RunState run;
  run.max_posts = load.max_posts;
  const auto connections = static_cast<std::size_t>(load.concurrency);
  std::vector<std::vector<std::uint32_t>> latencies(connections);
  const auto start = SteadyClock::now();
  run.deadline = start + std::chrono::duration_cast<SteadyClock::duration>(
                             std::chrono::duration<double>(seconds));
  for (std::size_t c = 0; c < connections; ++c) {
    latencies[c].reserve(4096);
    // Each connection speaks for its own users, as Graph's posts for different subscriptions.
    asio::co_spawn(client_ioc,
                   client_connection(port,
                                     raw_post(path, collection_body(c * load.batch_size,
                                                                    load.batch_size)),
                                     run, latencies[c]),
                   asio::detached);
  }
  client_ioc.run();
  RouteFigures f;
  f.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  f.posts = run.answered;
  f.errors = run.errors;
  f.notifications_per_s =
      static_cast<double>(run.answered * load.batch_size) / std::max(f.seconds, 1e-9);
  std::vector<std::uint32_t> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  if (!all.empty()) {
    auto at = [&](double q) {
      const auto k = static_cast<std::size_t>(q * static_cast<double>(all.size() - 1));
      std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end());
      return all[k] / 1e6;
    };
    f.p50_ms = at(0.50);
    f.p99_ms = at(0.99);
  }
  return f;
}

// Reads the inbox back through the port, page by page (removing each page, so memory stays
// bounded); returns the notifications it holds, or an error when one is not what was posted.
Result<std::size_t> drain_and_count(PresenceInbox& inbox, OrgId org, std::size_t batch_size) {
  std::size_t notifications = 0;
  for (;;) {
    auto page = inbox.pending(org, 1000);
    if (!page) return page.error();
    if (page->empty()) return notifications;
    std::vector<std::int64_t> seqs;
    seqs.reserve(page->size());
    for (const auto& entry : *page) {
      if (entry.batch.notifications.size() != batch_size) {
        return make_error(Errc::internal, "inbox entry " + std::to_string(entry.seq) + " holds " +
                                              std::to_string(entry.batch.notifications.size()) +
                                              " notifications, not " +
                                              std::to_string(batch_size));
      }
      for (const auto& n : entry.batch.notifications) {
        if (n.subscription_id != kSubscription || !n.resource) {
          return make_error(Errc::internal, "inbox entry " + std::to_string(entry.seq) +
                                                " differs from what was posted");
        }
      }
      notifications += entry.batch.notifications.size();
      seqs.push_back(entry.seq);
    }
    if (auto r = inbox.remove(org, seqs); !r) return r.error();
  }
}

std::shared_ptr<spdlog::logger> quiet_access_log() {
  if (auto existing = spdlog::get(kAccessLog)) return existing;
  auto logger = std::make_shared<spdlog::logger>(kAccessLog,
                                                 std::make_shared<spdlog::sinks::null_sink_mt>());
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace

Result<WebhookFigures> measure_webhook(const WebhookLoad& requested) {
  WebhookLoad load = requested;
  load.seconds = std::clamp(load.seconds, 0.1, 30.0);
  load.batch_size = std::max<std::size_t>(load.batch_size, 1);
  load.concurrency = std::max(load.concurrency, 1);
  load.server_threads = std::max(load.server_threads, 1);

  ScratchDir dir(load.directory);
  if (!dir.ok()) return make_error(Errc::unavailable, "cannot create the temp directory");
  auto sqlite = SqliteStore::open(dir.file("ccteams.db"));
  if (!sqlite) return sqlite.error();
  SystemClock clock;
  auto org = (*sqlite)->accounts().create_org("bench", clock.now());
  if (!org) return org.error();
  auto inbox = std::make_unique<store::SqlitePresenceSyncStore>((*sqlite)->db());
  BenchGate gate(org->id);
  Metrics metrics;

  http::Router router;
  http::GraphWebhookOptions webhook_options;
  webhook_options.max_body_bytes = std::max<std::size_t>(webhook_options.max_body_bytes,
                                                         load.batch_size * 1024);
  http::register_graph_webhook_routes(router, *inbox, gate, clock, metrics, webhook_options);
  router.add("POST", kTrivialPath, [](http::Request&) -> asio::awaitable<http::Response> {
    co_return http::empty_response(202);
  });

  quiet_access_log();
  http::ServerOptions options;
  // As in production: the server's own metrics are part of the cost.
  options.metrics = http::server_metrics(metrics);
  options.access_log_name = kAccessLog;
  // Every load connection comes from 127.0.0.1: the per-address cap must not cut the load.
  options.max_connections_per_address = options.max_connections;
  options.body_limit = std::max(options.body_limit, webhook_options.max_body_bytes);
  asio::io_context server_ioc(load.server_threads);
  auto work = asio::make_work_guard(server_ioc);
  auto server = std::make_unique<http::HttpServer>(server_ioc, router, options);
  auto port = server->listen("127.0.0.1", 0);
  if (!port) return port.error();
  server->start();
  std::vector<std::thread> threads;
  for (int i = 0; i < load.server_threads; ++i) threads.emplace_back([&] { server_ioc.run(); });

  WebhookFigures f;
  f.synchronous_full = inbox->synchronous_full();
  f.trivial = drive(*port, kTrivialPath, load, load.seconds);
  f.durable = drive(*port, http::kGraphNotificationsPath, load, load.seconds);

  auto done = std::make_shared<std::promise<void>>();
  server->shutdown(std::chrono::milliseconds(500), [done] { done->set_value(); });
  done->get_future().wait_for(std::chrono::seconds(5));
  work.reset();
  server_ioc.stop();
  for (auto& t : threads) t.join();
  server.reset();

  f.commits = inbox->commits();
  if (inbox->appended() != f.durable.posts || gate.woken() != f.durable.posts) {
    return make_error(Errc::internal, std::to_string(f.durable.posts) + " posts acknowledged but " +
                                          std::to_string(inbox->appended()) + " entries stored");
  }
  auto stored = drain_and_count(*inbox, org->id, load.batch_size);
  if (!stored) return stored.error();
  if (*stored != f.durable.posts * load.batch_size) {
    return make_error(Errc::internal, std::to_string(f.durable.posts * load.batch_size) +
                                          " notifications acknowledged, " +
                                          std::to_string(*stored) + " read back");
  }
  f.notifications = *stored;
  f.durable_per_s = f.durable.notifications_per_s;
  f.trivial_per_s = f.trivial.notifications_per_s;
  f.ratio = f.trivial_per_s > 0 ? f.durable_per_s / f.trivial_per_s : 0.0;
  f.p50_ms = f.durable.p50_ms;
  f.p99_ms = f.durable.p99_ms;
  return f;
}

Result<WebhookFigures> measure_webhook(double seconds, std::size_t batch_size, int concurrency) {
  WebhookLoad load;
  load.seconds = seconds;
  load.batch_size = batch_size;
  load.concurrency = concurrency;
  return measure_webhook(load);
}

}  // namespace ccteams::bench
