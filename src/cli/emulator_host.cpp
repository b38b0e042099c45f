#include "cli/emulator_host.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <sstream>
#include <thread>

#include "adapters/crypto/tls_cert.hpp"
#include "adapters/http/http_client.hpp"
#include "adapters/http/http_server.hpp"
#include "adapters/http/router.hpp"
#include "app/asio_scheduler.hpp"
#include "app/periodic.hpp"
#include "app/ports/clock.hpp"
#include "app/system_clock.hpp"

namespace ccteams::cli {

namespace asio = boost::asio;

namespace {

Result<std::string> read_text(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::invalid_input, std::string(what) + " " + path + ": cannot read");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<void> write_private(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out || !(out << text)) {
    return make_error(Errc::invalid_input, "cannot write " + path);
  }
  return ok();
}

// Presence sessions fade and expire with time. Runs on the host's one thread, where stop()
// resets the emulator: null then, and the tick does nothing.
asio::awaitable<void> tick(emulator::GraphEmulator* emulator, const Clock* clock) {
  if (emulator != nullptr) emulator->tick(clock->now());
  co_return;
}

// The bundle the notifier's client will trust, checked now: a bad file fails at start, not as
// a TLS error on every delivery.
Result<void> load_webhook_ca(const std::string& path, std::string& pem) {
  auto text = read_text(path, "--webhook-ca");
  if (!text) return std::move(text).error();
  asio::io_context ioc;
  ClientOptions co;
  co.extra_ca_pem = *text;
  co.use_system_roots = false;
  if (text->find("-----BEGIN CERTIFICATE-----") == std::string::npos ||
      !HttpClient(ioc, co).status()) {
    return make_error(Errc::invalid_input,
                      "--webhook-ca " + path + ": no PEM certificate could be read from it");
  }
  pem = std::move(*text);
  return ok();
}

}  // namespace

struct EmulatorHost::Impl {
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  http::Router router;
  std::unique_ptr<http::HttpServer> server;
  std::unique_ptr<emulator::GraphEmulator> emulator;
  std::string base_url;
  std::string ca_pem;
  std::thread thread;
  AsioScheduler scheduler{ioc};
  SystemClock clock;
  std::unique_ptr<Periodic> ticker;  // about once a second; after scheduler, destroyed first
  bool stopped = false;

  void stop() {
    if (stopped) return;
    stopped = true;
    if (ticker) ticker->stop();
    std::promise<void> done;
    auto finished = done.get_future();
    asio::post(ioc, [this, &done] {
      server->shutdown(std::chrono::seconds(2), [&done] { done.set_value(); });
    });
    finished.wait_for(std::chrono::seconds(5));
    // The emulator goes while its io_context still runs, so that deliveries in flight end on a
    // live context and never outlive the HTTP client they use; then the context drains. It is
    // destroyed on the context's own thread, where the ticker reads it.
    std::promise<void> gone;
    auto emulator_gone = gone.get_future();
    asio::post(ioc, [this, &gone] {
      emulator.reset();
      gone.set_value();
    });
    emulator_gone.wait_for(std::chrono::seconds(5));
    work.reset();
    if (ran_out.wait_for(std::chrono::seconds(5)) != std::future_status::ready) ioc.stop();
    if (thread.joinable()) thread.join();
  }
  std::future<void> ran_out;  // ready when ioc.run() has returned
};

EmulatorHost::EmulatorHost(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)), info_(impl_->emulator->info()) {}

EmulatorHost::~EmulatorHost() { impl_->stop(); }

Result<std::unique_ptr<EmulatorHost>> EmulatorHost::start(EmulatorHostOptions options) {
  auto impl = std::make_unique<Impl>();
  if (!options.webhook_ca_file.empty()) {
    auto loaded =
        load_webhook_ca(options.webhook_ca_file, options.emulator.notifications.webhook_ca_pem);
    if (!loaded) return std::move(loaded).error();
  }
  http::ServerOptions so;
  so.access_log_name = "emulator";
  so.server_header = "";  // Microsoft's servers do not announce ccteams
  if (options.https) {
    if (!options.cert_file.empty() || !options.key_file.empty()) {
      auto cert = read_text(options.cert_file, "--cert");
      if (!cert) return std::move(cert).error();
      auto key = read_text(options.key_file, "--key");
      if (!key) return std::move(key).error();
      so.tls = http::TlsConfig{std::move(*cert), std::move(*key)};
    } else {
      auto pki = generate_test_pki({"localhost"}, {"127.0.0.1", "::1"});
      if (!pki) return std::move(pki).error();
      impl->ca_pem = pki->ca_cert_pem;
      so.tls = http::TlsConfig{pki->cert_chain_pem, pki->private_key_pem};
      if (!options.ca_out_path.empty()) {
        if (auto r = write_private(options.ca_out_path, pki->ca_cert_pem); !r) {
          return std::move(r).error();
        }
      }
    }
  }
  impl->server = std::make_unique<http::HttpServer>(impl->ioc, impl->router, std::move(so));
  auto port = impl->server->listen(options.host, options.port);
  if (!port) return std::move(port).error();
  const std::string host = options.host == "0.0.0.0" ? "127.0.0.1" : options.host;
  impl->base_url =
      std::string(options.https ? "https://" : "http://") + host + ":" + std::to_string(*port);

  options.emulator.base_url = impl->base_url;
  impl->emulator = std::make_unique<emulator::GraphEmulator>(std::move(options.emulator));
  impl->emulator->register_routes(impl->router);
  // Subscription validation and notification delivery run on this io_context.
  impl->emulator->attach(impl->ioc);
  impl->server->start();

  // Presence sessions fade and expire with time: tick about once a second.
  impl->ticker = std::make_unique<Periodic>(
      impl->ioc.get_executor(), impl->scheduler, impl->clock, std::chrono::seconds(1),
      [im = impl.get()] { return tick(im->emulator.get(), &im->clock); }, "emulator tick");
  impl->ticker->start(Periodic::First::after_interval);
  impl->work.emplace(impl->ioc.get_executor());
  auto ran_out = std::make_shared<std::promise<void>>();
  impl->ran_out = ran_out->get_future();
  impl->thread = std::thread([im = impl.get(), ran_out] {
    try {
      im->ioc.run();
    } catch (const std::exception& e) {
      spdlog::critical("emulator thread ended by an exception: {}", e.what());
    }
    ran_out->set_value();
  });
  return std::unique_ptr<EmulatorHost>(new EmulatorHost(std::move(impl)));
}

std::string EmulatorHost::base_url() const { return impl_->base_url; }
const std::string& EmulatorHost::ca_pem() const { return impl_->ca_pem; }
emulator::EmulatorInfo EmulatorHost::info() const { return info_; }

void block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void EmulatorHost::run_until_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int signo = 0;
  sigwait(&set, &signo);
  spdlog::info("signal {} received: stopping the emulator", signo);
  impl_->stop();
}

}  // namespace ccteams::cli
