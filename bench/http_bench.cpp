// HTTP server throughput and latency: ccteams' HttpServer (router, JSON handler, access log
// off, metrics on) against a trivial keep-alive server in the same process that reads until
// "\r\n\r\n" and writes a fixed response. Both are driven by the same load generator: N
// keep-alive connections, one request in flight each, for a fixed duration.
//
//   http_bench [--seconds 3] [--connections 32]
//
// Prints requests/s, p50/p99 latency for each and the ratio ccteams/baseline. One server thread
// and one client thread, so the figure is per core.
#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http/http_server.hpp"
#include "adapters/http/request_metrics.hpp"
#include "adapters/http/json_io.hpp"
#include "adapters/http/router.hpp"
#include "app/metrics.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxSamplesPerConnection = 1 << 18;  // bounds memory on fast machines

struct Figures {
  double requests_per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  std::size_t errors = 0;
};

// The baseline: as little as a keep-alive HTTP server can do.
asio::awaitable<void> baseline_connection(tcp::socket socket, const std::string& response) {
  std::string buffer;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer),
                                                   "\r\n\r\n", kAsTuple);
    if (ec) co_return;
    buffer.erase(0, n);
    auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(response), kAsTuple);
    if (wec) co_return;
  }
}

asio::awaitable<void> baseline_accept(tcp::acceptor& acceptor, const std::string& response) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kAsTuple);
    if (ec) co_return;
    asio::co_spawn(acceptor.get_executor(), baseline_connection(std::move(socket), response),
                   asio::detached);
  }
}

asio::awaitable<void> client_connection(std::uint16_t port, Clock::time_point deadline,
                                        std::vector<std::uint32_t>& latencies_ns,
                                        std::size_t& completed, std::size_t& errors) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  auto [cec] = co_await stream.async_connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), kAsTuple);
  if (cec) {
    ++errors;
    co_return;
  }
  stream.socket().set_option(tcp::no_delay(true));
  const std::string request = "GET /api/v1/ping HTTP/1.1\r\nHost: bench\r\n\r\n";
  beast::flat_buffer buffer;
  while (Clock::now() < deadline) {
    const auto start = Clock::now();
    stream.expires_after(std::chrono::seconds(5));
    auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(request), kAsTuple);
    bhttp::response<bhttp::string_body> res;
    auto [rec, rn] = co_await bhttp::async_read(stream, buffer, res, kAsTuple);
    if (wec || rec || res.result_int() != 200) {
      ++errors;
      co_return;
    }
    ++completed;
    if (latencies_ns.size() < kMaxSamplesPerConnection) {
      latencies_ns.push_back(static_cast<std::uint32_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count()));
    }
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

Figures drive(std::uint16_t port, int connections, double seconds) {
  asio::io_context client_ioc(1);
  std::vector<std::vector<std::uint32_t>> latencies(static_cast<std::size_t>(connections));
  std::size_t completed = 0;
  std::size_t errors = 0;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(seconds));
  for (auto& l : latencies) {
    l.reserve(4096);
    asio::co_spawn(client_ioc, client_connection(port, deadline, l, completed, errors),
                   asio::detached);
  }
  client_ioc.run();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<std::uint32_t> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  Figures f;
  f.errors = errors;
  f.requests_per_second = static_cast<double>(completed) / elapsed;
  if (!all.empty()) {
    auto at = [&](double q) {
      const auto k = static_cast<std::size_t>(q * static_cast<double>(all.size() - 1));
      std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end());
      return all[k] / 1000.0;
    };
    f.p50_us = at(0.50);
    f.p99_us = at(0.99);
  }
  return f;
}

void print(const char* name, const Figures& f) {
  std::printf("%-10s %12.0f req/s   p50 %8.1f us   p99 %8.1f us   errors %zu\n", name,
              f.requests_per_second, f.p50_us, f.p99_us, f.errors);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  int connections = 32;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--seconds") == 0 && has_value) {
      seconds = std::clamp(std::atof(argv[++i]), 0.2, 10.0);
    } else if (std::strcmp(argv[i], "--connections") == 0 && has_value) {
      connections = std::clamp(std::atoi(argv[++i]), 1, 1000);
    } else {
      std::fprintf(stderr, "usage: %s [--seconds S (0.2-10)] [--connections N (1-1000)]\n",
                   argv[0]);
      return 2;
    }
  }
  // Access logging would measure the terminal, not the server.
  spdlog::register_logger(
      std::make_shared<spdlog::logger>("bench-access", std::make_shared<spdlog::sinks::null_sink_mt>()));

  asio::io_context server_ioc(1);
  auto work = asio::make_work_guard(server_ioc);
  ccteams::Metrics metrics;
  ccteams::http::Router router;
  router.add("GET", "/api/v1/ping",
             [](ccteams::http::Request&) -> asio::awaitable<ccteams::http::Response> {
               const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
               co_return ccteams::http::json_response(200, json::object{{"ok", true}, {"time", now}});
             });
  ccteams::http::ServerOptions options;
  options.metrics = ccteams::http::server_metrics(metrics);
  options.access_log_name = "bench-access";
  // Every load connection comes from 127.0.0.1: the per-address cap must not cut the load.
  options.max_connections_per_address = options.max_connections;
  ccteams::http::HttpServer server(server_ioc, router, options);
  auto port = server.listen("127.0.0.1", 0);
  if (!port) {
    std::fprintf(stderr, "listen failed: %s\n", port.error().message.c_str());
    return 1;
  }
  server.start();

  const std::string body = R"({"ok":true,"time":1700000000000})";
  const std::string fixed = "HTTP/1.1 200 OK\r\nServer: baseline\r\nContent-Type: application/json\r\n"
                            "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  tcp::acceptor baseline(server_ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto baseline_port = baseline.local_endpoint().port();
  asio::co_spawn(server_ioc, baseline_accept(baseline, fixed), asio::detached);

  std::thread server_thread([&] { server_ioc.run(); });
  std::printf("http_bench: %d keep-alive connections, %.1f s per server, 1 server thread\n",
              connections, seconds);
  const auto base = drive(baseline_port, connections, seconds);
  const auto ours = drive(*port, connections, seconds);
  print("baseline", base);
  print("ccteams", ours);
  std::printf("ratio ccteams/baseline: %.2f\n",
              base.requests_per_second > 0 ? ours.requests_per_second / base.requests_per_second
                                           : 0.0);

  asio::post(server_ioc, [&] {
    beast::error_code ignored;
    baseline.close(ignored);
  });
  server.shutdown(std::chrono::seconds(2), [&] { work.reset(); server_ioc.stop(); });
  server_thread.join();
  return ours.errors + base.errors == 0 ? 0 : 1;
}
