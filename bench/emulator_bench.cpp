// Graph emulator throughput (issue 3): presence changes per second the emulator turns into
// change notifications delivered to a webhook receiver, and users per second served by
// GET /v1.0/users (paged by @odata.nextLink, $select). The receiver answers at once (202,
// an in-process HttpServer on loopback); its raw requests/s with an empty handler, driven by
// the same load generator in the same run, is the baseline that the other figures are divided
// by, so the ratios survive a noisy machine.
//
//   emulator_bench [--seconds 3] [--connections 8] [--users 1000] [--batch-ms 100]
//
// Phases are bounded: each runs for --seconds, then notifications still queued get at most
// 5 s to arrive. The emulator and the receiver each have one server thread; the load generator
// runs on the main thread. Notification delivery uses the emulator's defaults (batches of up to
// 100 per URL every --batch-ms), so that cadence caps the delivered rate per URL.
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http/http_server.hpp"
#include "adapters/http/router.hpp"
#include "core/time.hpp"
#include "emulator/graph_emulator.hpp"
#include "emulator/jwt.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using ccteams::http::Request;
using ccteams::http::Response;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kDrainLimit = std::chrono::seconds(5);
constexpr std::size_t kWatched = 650;  // one presence subscription watches at most 650 users

struct Call {
  std::string method;
  std::string target;
  std::string body;
  std::string bearer;
};
struct Reply {
  int status = 0;
  std::string body;
};

// One keep-alive connection that runs calls until next() returns nullopt or an error occurs.
// on_reply sees every answer; returning false stops the connection.
asio::awaitable<void> connection(std::uint16_t port, std::function<std::optional<Call>()> next,
                                 std::function<bool(const Reply&)> on_reply) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  auto [cec] = co_await stream.async_connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), kAsTuple);
  if (cec) co_return;
  stream.socket().set_option(tcp::no_delay(true));
  beast::flat_buffer buffer;
  while (auto call = next()) {
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(call->method), call->target,
                                           11};
    req.set(bhttp::field::host, "127.0.0.1");
    if (!call->bearer.empty()) req.set(bhttp::field::authorization, "Bearer " + call->bearer);
    if (!call->body.empty()) req.set(bhttp::field::content_type, "application/json");
    req.body() = std::move(call->body);
    req.prepare_payload();
    stream.expires_after(std::chrono::seconds(15));
    auto [wec, wn] = co_await bhttp::async_write(stream, req, kAsTuple);
    bhttp::response<bhttp::string_body> res;
    res.body().reserve(1 << 16);
    auto [rec, rn] = co_await bhttp::async_read(stream, buffer, res, kAsTuple);
    if (wec || rec) co_return;
    if (!on_reply(Reply{static_cast<int>(res.result_int()), std::move(res.body())})) co_return;
  }
}

// Runs `connections` connections on a fresh io_context until they all end.
void drive(int connections, const std::function<asio::awaitable<void>(int)>& make) {
  asio::io_context ioc(1);
  for (int i = 0; i < connections; ++i) asio::co_spawn(ioc, make(i), asio::detached);
  ioc.run();
}

// One request, synchronously (setup steps).
Reply call_once(std::uint16_t port, Call c) {
  Reply out;
  bool sent = false;
  drive(1, [&](int) {
    return connection(
        port,
        [&]() -> std::optional<Call> {
          if (sent) return std::nullopt;
          sent = true;
          return c;
        },
        [&](const Reply& r) {
          out = r;
          return false;
        });
  });
  return out;
}

std::size_t count_of(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

struct Server {
  asio::io_context ioc{1};
  ccteams::http::Router router;
  std::unique_ptr<ccteams::http::HttpServer> http;
  std::uint16_t port = 0;
  std::thread thread;

  void start() {
    ccteams::http::ServerOptions o;
    o.access_log_name = "bench-access";
    o.body_limit = 8 << 20;
    http = std::make_unique<ccteams::http::HttpServer>(ioc, router, o);
    port = http->listen("127.0.0.1", 0).value();
    http->start();
    thread = std::thread([this] {
      auto work = asio::make_work_guard(ioc);
      ioc.run();
    });
  }
  void stop() {
    http->shutdown(std::chrono::milliseconds(200), [] {});
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ioc.stop();
    thread.join();
  }
};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  int connections = 8;
  int users = 1000;
  int batch_ms = 100;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--seconds") == 0 && has_value) {
      seconds = std::clamp(std::atof(argv[++i]), 0.2, 10.0);
    } else if (std::strcmp(argv[i], "--connections") == 0 && has_value) {
      connections = std::clamp(std::atoi(argv[++i]), 1, 256);
    } else if (std::strcmp(argv[i], "--users") == 0 && has_value) {
      users = std::clamp(std::atoi(argv[++i]), static_cast<int>(kWatched), 20000);
    } else if (std::strcmp(argv[i], "--batch-ms") == 0 && has_value) {
      batch_ms = std::clamp(std::atoi(argv[++i]), 1, 1000);
    } else {
      std::fprintf(stderr,
                   "usage: %s [--seconds S (0.2-10)] [--connections N (1-256)] "
                   "[--users N (650-20000)] [--batch-ms N (1-1000)]\n", argv[0]);
      return 2;
    }
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures appear as they are measured
  spdlog::set_level(spdlog::level::err);
  spdlog::register_logger(std::make_shared<spdlog::logger>(
      "bench-access", std::make_shared<spdlog::sinks::null_sink_mt>()));
  const auto phase = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(seconds));

  // The receiver: validation handshake, notifications counted by item, and an empty route.
  Server receiver;
  std::atomic<std::size_t> delivered{0};
  std::atomic<std::int64_t> last_delivery_ns{0};
  receiver.router.add("POST", "/hook", [&](Request& req) -> asio::awaitable<Response> {
    if (auto token = req.query_param("validationToken")) {
      co_return ccteams::http::text_response(200, "text/plain", *token);
    }
    delivered += count_of(req.body, "\"subscriptionId\"");
    last_delivery_ns = Clock::now().time_since_epoch().count();
    co_return ccteams::http::empty_response(202);
  });
  receiver.router.add("POST", "/empty", [](Request&) -> asio::awaitable<Response> {
    co_return ccteams::http::empty_response(202);
  });
  receiver.start();

  const auto signer = ccteams::emulator::JwtSigner::generate();
  ccteams::emulator::EmulatorOptions eo;
  eo.users = users;
  eo.seed = 1;
  eo.signing_key_pem = signer.private_key_pem();
  eo.notifications.http_webhooks = ccteams::emulator::HttpWebhooks::any;
  eo.notifications.batch_interval = std::chrono::milliseconds(batch_ms);
  Server emulator_server;
  auto emulator = std::make_unique<ccteams::emulator::GraphEmulator>(eo);
  emulator->register_routes(emulator_server.router);
  emulator->attach(emulator_server.ioc);
  emulator_server.start();
  const auto info = emulator->info();
  const std::uint16_t port = emulator_server.port;
  std::printf("emulator_bench: %d generated users, %d connections, %.1f s per phase, "
              "notification batches every %d ms\n", users, connections, seconds, batch_ms);

  // --- baseline: the receiver's raw requests/s with an empty handler ---------------------
  const std::string sample_item =
      R"({"value":[{"subscriptionId":"s","changeType":"updated",)"
      R"("resource":"communications/presences/u"}]})";
  std::size_t empty_done = 0;
  auto start = Clock::now();
  drive(connections, [&](int) {
    return connection(
        receiver.port,
        [&]() -> std::optional<Call> {
          if (Clock::now() - start >= phase) return std::nullopt;
          return Call{"POST", "/empty", sample_item, {}};
        },
        [&](const Reply& r) { return r.status == 202 && ++empty_done > 0; });
  });
  const double baseline = static_cast<double>(empty_done) / seconds_since(start);
  std::printf("%-44s %12.0f req/s\n", "receiver baseline (empty handler)", baseline);

  // --- setup: consent, an app token, the users to watch, one presence subscription -------
  call_once(port, {"POST", "/_emulator/consent/grant", "{}", {}});
  // Tokens are signed with the emulator's key (the claims its token endpoint would issue), so
  // the bench measures Graph calls, not sign-in pages.
  const auto iat = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  const auto token_for = [&](json::object extra) {
    json::object claims{{"aud", "https://graph.microsoft.com"},
                        {"iss", "https://sts.windows.net/" + info.tenant_id + "/"},
                        {"iat", iat}, {"nbf", iat}, {"exp", iat + 3600},
                        {"appid", info.app_id}, {"tid", info.tenant_id}, {"ver", "1.0"}};
    for (auto& kv : extra) claims[kv.key()] = kv.value();
    return signer.sign(claims);
  };
  const std::string app_token = token_for(
      {{"idtyp", "app"}, {"oid", "sp"}, {"roles", json::array{"User.Read.All"}}});
  auto page = call_once(port, {"GET", "/v1.0/users?$select=id&$top=999", "", app_token});
  std::vector<std::string> ids;
  const auto listed = json::parse(page.body);  // outlives the loop (range-for temporaries)
  for (const auto& u : listed.at("value").as_array()) {
    if (ids.size() < kWatched) ids.emplace_back(u.at("id").as_string());
  }
  std::string filter = "/communications/presences?$filter=id in (";
  for (std::size_t i = 0; i < ids.size(); ++i) filter += (i ? ",'" : "'") + ids[i] + "'";
  filter += ")";
  const auto tenant_reply = call_once(port, {"GET", "/_emulator/tenant", "", {}});
  std::string subscriber;
  const auto tenant = json::parse(tenant_reply.body);
  for (const auto& a : tenant.at("accounts").as_array()) {
    if (a.at("userPrincipalName").as_string().starts_with("member@")) {
      subscriber = std::string(a.at("id").as_string());
    }
  }
  const std::string user_token =
      token_for({{"idtyp", "user"}, {"oid", subscriber}, {"scp", "Presence.Read.All"}});
  const auto expiry = std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now() + std::chrono::minutes(30));
  const json::object sub_body{
      {"changeType", "updated"},
      {"notificationUrl", "http://127.0.0.1:" + std::to_string(receiver.port) + "/hook"},
      {"resource", filter},
      {"expirationDateTime", ccteams::format_iso8601(expiry)}};
  auto sub = call_once(port, {"POST", "/v1.0/subscriptions", json::serialize(sub_body),
                              user_token});
  if (sub.status != 201) {
    std::fprintf(stderr, "setup failed: subscription %d %s\n", sub.status, sub.body.c_str());
    return 1;
  }

  // --- presence changes -> notifications delivered ------------------------------------
  // Each connection owns every connections-th watched user and toggles them, so every
  // accepted change is a real change of the aggregated presence.
  std::size_t accepted = 0;
  start = Clock::now();
  drive(connections, [&](int c) {
    auto n = std::make_shared<std::size_t>(0);
    return connection(
        port,
        [&, c, n]() -> std::optional<Call> {
          if (Clock::now() - start >= phase) return std::nullopt;
          const std::size_t mine = (ids.size() - static_cast<std::size_t>(c) +
                                    static_cast<std::size_t>(connections) - 1) /
                                   static_cast<std::size_t>(connections);
          const std::size_t k = (*n)++;
          const auto& id = ids[static_cast<std::size_t>(c) +
                               (k % mine) * static_cast<std::size_t>(connections)];
          const bool busy = (k / mine) % 2 == 0;
          return Call{"POST", "/_emulator/users/" + id + "/presence",
                      busy ? R"({"availability":"Busy","activity":"InACall"})"
                           : R"({"availability":"Available","activity":"Available"})",
                      {}};
        },
        [&](const Reply& r) { return r.status == 200 && ++accepted > 0; });
  });
  const double generate_seconds = seconds_since(start);
  const auto drain_until = Clock::now() + kDrainLimit;
  while (delivered.load() < accepted && Clock::now() < drain_until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const double deliver_seconds =
      std::chrono::duration<double>(Clock::time_point(Clock::duration(last_delivery_ns.load())) -
                                    start).count();
  const double changes_per_s = static_cast<double>(accepted) / generate_seconds;
  const double delivered_per_s =
      deliver_seconds > 0 ? static_cast<double>(delivered.load()) / deliver_seconds : 0;
  std::printf("%-44s %12.0f /s   (%zu changes)\n", "presence changes accepted (control API)",
              changes_per_s, accepted);
  std::printf("%-44s %12.0f /s   (%zu of %zu delivered; %.2f x baseline req/s)\n",
              "notifications delivered", delivered_per_s, delivered.load(), accepted,
              baseline > 0 ? delivered_per_s / baseline : 0.0);

  // --- users served by GET /v1.0/users, following nextLink -------------------------------
  const std::string first = "/v1.0/users?$select=id,displayName,department&$top=999";
  const std::string graph_prefix = info.graph_base_url;
  std::size_t served = 0;
  std::size_t pages = 0;
  std::size_t throttled = 0;
  start = Clock::now();
  drive(connections, [&](int) {
    auto target = std::make_shared<std::string>(first);
    return connection(
        port,
        [&, target]() -> std::optional<Call> {
          if (Clock::now() - start >= phase) return std::nullopt;
          return Call{"GET", *target, {}, app_token};
        },
        [&, target](const Reply& r) {
          if (r.status == 429) return ++throttled > 0;
          if (r.status != 200) return false;
          const auto body = json::parse(r.body).as_object();
          served += body.at("value").as_array().size();
          ++pages;
          const auto* next = body.if_contains("@odata.nextLink");
          *target = next ? std::string(next->as_string()).substr(graph_prefix.size()) : first;
          return true;
        });
  });
  const double users_elapsed = seconds_since(start);
  const double users_per_s = static_cast<double>(served) / users_elapsed;
  std::printf("%-44s %12.0f users/s   (%.0f pages/s, 429s %zu; %.2f x baseline req/s)\n",
              "GET /v1.0/users ($select, $top=999, nextLink)", users_per_s,
              static_cast<double>(pages) / users_elapsed, throttled,
              baseline > 0 ? users_per_s / baseline : 0.0);

  // The emulator goes first, while its io_context still runs (deliveries end on a live one).
  std::promise<void> gone;
  asio::post(emulator_server.ioc, [&] {
    emulator.reset();
    gone.set_value();
  });
  gone.get_future().wait();
  emulator_server.stop();
  receiver.stop();
  return 0;
}
