// login_flood_bench: does a flood of failed sign-ins slow the Graph webhook and the API down?
// Starts the real service in this process (cli::Runtime: SQLite in a temp folder, the real
// router, Argon2id at the production "interactive" cost, 2 I/O threads, 2 password workers),
// then measures, one request at a time on a keep-alive connection:
//   * the Graph webhook's validation handshake (POST
//   /webhooks/graph/notifications?validationToken=)
//   * an authenticated API call (GET /api/v1/auth/session: session lookup, user and org reads)
// first idle, then while --flooders connections post wrong passwords to /api/v1/auth/login as
// fast as they are answered, and prints p50/p99 of both phases and their ratio (flood / idle).
// The sign-in limits are raised for the run so that every flood attempt costs a real hash (the
// worst case for the service; normally most would be refused before hashing).
//
//   login_flood_bench [--samples 400] [--seconds 5] [--flooders 8]
//
// Each phase ends after --samples requests of each kind or --seconds, whichever comes first.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/user_service.hpp"
#include "cli/run_now.hpp"
#include "cli/runtime.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// One keep-alive connection; every operation has a deadline so a stuck server ends the bench.
class Client {
 public:
  explicit Client(std::uint16_t port) : stream_(ioc_) {
    stream_.expires_after(10s);
    stream_.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                          [this](boost::system::error_code ec) { ec_ = ec; });
    run();
  }
  bool ok() const { return !ec_; }

  // Status of the answer, 0 on a connection failure (then the client is unusable).
  int request(bhttp::verb method, const std::string& target, const std::string& body,
              const std::string& bearer = {}) {
    if (ec_) return 0;
    bhttp::request<bhttp::string_body> req{method, target, 11};
    req.set(bhttp::field::host, "bench");
    if (!body.empty() || method == bhttp::verb::post) {
      req.set(bhttp::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    if (!bearer.empty()) req.set(bhttp::field::authorization, "Bearer " + bearer);
    stream_.expires_after(30s);
    bhttp::async_write(stream_, req,
                       [this](boost::system::error_code ec, std::size_t) { ec_ = ec; });
    run();
    if (ec_) return 0;
    response_ = {};
    stream_.expires_after(30s);
    bhttp::async_read(stream_, buffer_, response_,
                      [this](boost::system::error_code ec, std::size_t) { ec_ = ec; });
    run();
    return ec_ ? 0 : response_.result_int();
  }
  const std::string& body() const { return response_.body(); }

 private:
  void run() {
    ioc_.restart();
    ioc_.run();
  }
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bhttp::response<bhttp::string_body> response_;
  boost::system::error_code ec_;
};

struct Figures {
  double p50_ms = 0;
  double p99_ms = 0;
  std::size_t samples = 0;
  std::size_t errors = 0;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Alternates a webhook validation and an API call until `samples` of each or the deadline.
std::pair<Figures, Figures> measure(std::uint16_t port, const std::string& token, int samples,
                                    double seconds) {
  Client webhook(port);
  Client api(port);
  std::vector<double> w_ms;
  std::vector<double> a_ms;
  Figures w;
  Figures a;
  const auto deadline = SteadyClock::now() + std::chrono::duration<double>(seconds);
  for (int i = 0; i < samples && SteadyClock::now() < deadline; ++i) {
    auto start = SteadyClock::now();
    const int ws = webhook.request(
        bhttp::verb::post,
        "/webhooks/graph/notifications?validationToken=bench" + std::to_string(i), "");
    w_ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count());
    if (ws != 200) ++w.errors;
    start = SteadyClock::now();
    const int as = api.request(bhttp::verb::get, "/api/v1/auth/session", "", token);
    a_ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count());
    if (as != 200) ++a.errors;
    if (!webhook.ok() || !api.ok()) break;
  }
  w.samples = w_ms.size();
  a.samples = a_ms.size();
  w.p50_ms = percentile(w_ms, 0.50);
  w.p99_ms = percentile(w_ms, 0.99);
  a.p50_ms = percentile(a_ms, 0.50);
  a.p99_ms = percentile(a_ms, 0.99);
  return {w, a};
}

void print(const char* phase, const char* what, const Figures& f) {
  std::printf("%-6s %-8s p50 %8.2f ms  p99 %8.2f ms  samples %zu  errors %zu\n", phase, what,
              f.p50_ms, f.p99_ms, f.samples, f.errors);
}

}  // namespace

int main(int argc, char** argv) {
  int samples = 400;
  double seconds = 5;
  int flooders = 8;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--samples") == 0 && has_value) {
      samples = std::clamp(std::atoi(argv[++i]), 10, 100'000);
    } else if (std::strcmp(argv[i], "--seconds") == 0 && has_value) {
      seconds = std::clamp(std::atof(argv[++i]), 0.5, 60.0);
    } else if (std::strcmp(argv[i], "--flooders") == 0 && has_value) {
      flooders = std::clamp(std::atoi(argv[++i]), 1, 200);
    } else {
      std::fprintf(stderr,
                   "usage: %s [--samples N (10-100000)] [--seconds S (0.5-60)] "
                   "[--flooders N (1-200)]\n",
                   argv[0]);
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::err);  // every refused sign-in logs a line at info

  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("login_flood_bench_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  struct RemoveDir {
    fs::path p;
    ~RemoveDir() {
      std::error_code ignored;
      fs::remove_all(p, ignored);
    }
  } remove_dir{dir};

  ccteams::cli::RuntimeOptions options;
  auto& c = options.config;
  c.server.host = "127.0.0.1";
  c.server.port = 0;
  c.server.threads = 2;
  c.store.path = (dir / "bench.db").string();
  c.secrets.key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";  // a throwaway 32-byte key
  c.auth.password_hash = "interactive";                            // production cost
  // Every flood attempt reaches the hasher: no slowdown, no lockout (the worst case).
  c.auth.lockout_failures = 1'000'000;
  c.auth.address_lockout_failures = 1'000'000;
  c.auth.username_slowdown_failures = 1'000'000;
  auto runtime = ccteams::cli::Runtime::create(std::move(options));
  if (!runtime) {
    std::fprintf(stderr, "login_flood_bench: %s\n", runtime.error().message.c_str());
    return 1;
  }
  auto& rt = **runtime;
  auto org = ccteams::cli::run_now(rt.users().ensure_org("Bench"));
  if (!org || !ccteams::cli::run_now(rt.users().create(
                  org->id, ccteams::NewUser{"benchadmin", "bench password", "Bench",
                                            ccteams::RoleSet{ccteams::Role::admin}}))) {
    std::fprintf(stderr, "login_flood_bench: cannot create the bench account\n");
    return 1;
  }
  auto port = rt.start();
  if (!port) {
    std::fprintf(stderr, "login_flood_bench: %s\n", port.error().message.c_str());
    return 1;
  }
  std::string token;
  {
    Client login(*port);
    if (login.request(bhttp::verb::post, "/api/v1/auth/login",
                      R"({"username":"benchadmin","password":"bench password"})") != 200) {
      std::fprintf(stderr, "login_flood_bench: sign-in failed: %s\n", login.body().c_str());
      return 1;
    }
    token = boost::json::parse(login.body()).at("token").as_string().c_str();
  }
  std::printf(
      "login_flood_bench: 2 I/O threads, 2 password workers (Argon2id interactive), "
      "%d flooding connections, up to %d samples or %.1f s per phase\n",
      flooders, samples, seconds);

  const auto [idle_webhook, idle_api] = measure(*port, token, samples, seconds);

  std::atomic<bool> stop{false};
  std::mutex mu;
  std::map<int, std::size_t> flood_statuses;
  std::vector<std::thread> flood;
  for (int i = 0; i < flooders; ++i) {
    flood.emplace_back([&, i] {
      std::map<int, std::size_t> mine;
      Client client(*port);
      const std::string body =
          R"({"username":"benchadmin","password":"guess)" + std::to_string(i) + R"("})";
      while (!stop.load() && client.ok()) {
        ++mine[client.request(bhttp::verb::post, "/api/v1/auth/login", body)];
      }
      std::lock_guard lock(mu);
      for (auto [status, n] : mine) flood_statuses[status] += n;
    });
  }
  // Let the flood fill the workers and their queue before measuring.
  std::this_thread::sleep_for(500ms);
  const auto flood_start = SteadyClock::now();
  const auto [flood_webhook, flood_api] = measure(*port, token, samples, seconds);
  const double flood_seconds =
      std::chrono::duration<double>(SteadyClock::now() - flood_start).count();
  stop = true;
  for (auto& t : flood) t.join();
  rt.stop(std::chrono::seconds(2));
  rt.wait();

  print("idle", "webhook", idle_webhook);
  print("idle", "api", idle_api);
  print("flood", "webhook", flood_webhook);
  print("flood", "api", flood_api);
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  std::printf("ratio flood/idle: webhook p50 %.2f p99 %.2f, api p50 %.2f p99 %.2f\n",
              ratio(flood_webhook.p50_ms, idle_webhook.p50_ms),
              ratio(flood_webhook.p99_ms, idle_webhook.p99_ms),
              ratio(flood_api.p50_ms, idle_api.p50_ms), ratio(flood_api.p99_ms, idle_api.p99_ms));
  std::size_t total = 0;
  for (auto [status, n] : flood_statuses) total += n;
  std::printf("flood: %zu sign-ins answered (", total);
  bool first = true;
  for (auto [status, n] : flood_statuses) {
    std::printf("%s%d: %zu", first ? "" : ", ", status, n);
    first = false;
  }
  std::printf(") over about %.1f s\n", flood_seconds + 0.5);
  return 0;
}
