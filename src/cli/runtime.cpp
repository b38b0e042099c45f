#include "cli/runtime.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <optional>
#include <spdlog/spdlog.h>
#include <sstream>
#include <thread>
#include <vector>

#include "adapters/crypto/crypto_token_source.hpp"
#include "adapters/crypto/secret_box.hpp"
#include "adapters/crypto/sodium_password_hasher.hpp"
#include "adapters/http/api/api_context.hpp"
#include "adapters/http/http_server.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/static_files.hpp"  // web console (issue 8)
#include "adapters/store/sqlite_store.hpp"
#include "app/auth_service.hpp"
#include "app/bounded_worker_pool.hpp"
#include "app/metrics.hpp"
#include "app/ports/clock.hpp"
#include "app/user_service.hpp"
// ---- contact center (issue 5) ----
#include "adapters/http/api/cc_api_context.hpp"
#include "adapters/store/sqlite_contact_center_store.hpp"
#include "app/asio_scheduler.hpp"
#include "app/cc_config_service.hpp"
#include "app/cc_event_hub.hpp"
#include "app/contact_center.hpp"
#include "app/demo_callers.hpp"
#include "cli/demo.hpp"
// ---- end contact center ----
#include "app/connector_service.hpp"
#include "cli/connector_wiring.hpp"  // Teams connector (issue 4)
#include "cli/presence_sync_wiring.hpp"  // presence sync (issue 6)
#include "cli/directory_wiring.hpp"  // Teams directory (issue 7)

namespace ccteams::cli {

namespace asio = boost::asio;

namespace {

Result<std::string> read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::invalid_input, std::string("cannot read ") + what + " " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

PasswordStrength strength_from(const std::string& name) {
  if (name == "minimum") return PasswordStrength::minimum;
  if (name == "moderate") return PasswordStrength::moderate;
  return PasswordStrength::interactive;
}

// Browsers get the same hardening on every response; API responses are never cached.
void decorate(http::Response& r) {
  r.set_header("X-Content-Type-Options", "nosniff");
  r.set_header("Referrer-Policy", "no-referrer");
  r.set_header("X-Frame-Options", "DENY");
  if (r.header("Cache-Control").empty()) r.set_header("Cache-Control", "no-store");
}

}  // namespace

struct Runtime::Impl {
  RuntimeOptions options;
  std::unique_ptr<Store> store;
  SecretBox secrets;
  SystemClock clock;
  CryptoTokenSource tokens;
  SodiumPasswordHasher hasher;
  Metrics metrics;
  std::unique_ptr<AuthService> auth;
  std::unique_ptr<UserService> users;
  std::atomic<bool> shutting_down{false};
  std::unique_ptr<http::ApiContext> api;
  http::Router router;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  // Sign-in's password checks, off the I/O threads. Destroyed before ioc: a check still
  // queued then is dropped while the coroutine awaiting it can still be destroyed.
  std::unique_ptr<BoundedWorkerPool> password_workers;
  std::unique_ptr<http::HttpServer> server;
  std::optional<asio::signal_set> signals;  // SIGINT/SIGTERM -> stop(), from start() on
  // ---- contact center (issue 5). After ioc: its timers live on it; destroyed before it. ----
  std::unique_ptr<store::SqliteContactCenterStore> cc_store;
  std::unique_ptr<AsioScheduler> cc_scheduler;
  CcEventHub cc_events;
  std::unique_ptr<CcConfigService> cc_config;
  std::unique_ptr<ContactCenter> cc_center;
  std::unique_ptr<http::CcApiContext> cc_api;
  std::unique_ptr<DemoCallers> demo_callers;  // demo with --simulation on
  // ---- end contact center ----
  // Teams connector (issue 4). After ioc and the stores it uses; destroyed before them.
  std::unique_ptr<ConnectorWiring> connector;
  // Presence sync (issue 6). Uses the connector's services: destroyed before them.
  std::unique_ptr<PresenceSyncWiring> presence;
  std::unique_ptr<DirectoryWiring> directory;  // Teams directory (issue 7); destroyed first
  std::vector<std::thread> threads;
  std::mutex mu;
  std::condition_variable cv;
  bool stopped = false;
  bool stop_requested = false;

  Impl(RuntimeOptions o, std::unique_ptr<Store> s, SecretBox box)
      : options(std::move(o)),
        store(std::move(s)),
        secrets(std::move(box)),
        hasher(strength_from(options.config.auth.password_hash)) {}
};

Runtime::Runtime(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Runtime::~Runtime() {
  stop(std::chrono::seconds(2));
  wait();
}

Result<std::unique_ptr<Runtime>> Runtime::create(RuntimeOptions options) {
  const Config& c = options.config;
  auto box = load_secret_key(c.secrets.key, c.secrets.key_env,
                             c.secrets.key_file.empty() ? options.secret_key_generate_path
                                                        : c.secrets.key_file);
  if (!box) return std::move(box).error();
  // ---- contact center (issue 5): the concrete store, whose connection it shares ----
  auto store = SqliteStore::open(c.store.path);
  if (!store) return std::move(store).error();
  store::SqliteDb& db = (*store)->db();
  // ---- end contact center ----

  auto impl = std::make_unique<Impl>(std::move(options), std::move(*store), std::move(*box));
  const auto& auth_cfg = impl->options.config.auth;
  AuthOptions auth_options;
  auth_options.session_ttl = std::chrono::minutes(auth_cfg.session_ttl_minutes);
  auth_options.user_delay_after = auth_cfg.lockout_failures;
  auth_options.user_max_delay = std::chrono::seconds(auth_cfg.login_delay_max_seconds);
  auth_options.username_slowdown_failures = auth_cfg.username_slowdown_failures;
  auth_options.max_address_failures = auth_cfg.address_lockout_failures;
  auth_options.lockout = std::chrono::minutes(auth_cfg.lockout_minutes);
  auth_options.failure_window = std::chrono::minutes(auth_cfg.lockout_minutes);
  auto trusted_proxies = http::TrustedProxies::parse(impl->options.config.server.trusted_proxies);
  if (!trusted_proxies) return std::move(trusted_proxies).error();
  impl->password_workers = std::make_unique<BoundedWorkerPool>(WorkerPoolOptions{
      auth_cfg.hash_workers, static_cast<std::size_t>(auth_cfg.hash_queue), 1,
      &impl->metrics.counter("auth_password_checks_refused_total",
                             "Sign-ins answered 429 because the password workers were full")});
  impl->auth = std::make_unique<AuthService>(impl->store->accounts(), impl->hasher, impl->tokens,
                                             impl->clock, auth_options);
  impl->users = std::make_unique<UserService>(impl->store->accounts(), impl->hasher, impl->clock,
                                              impl->options.min_password_length);
  impl->api = std::make_unique<http::ApiContext>(http::ApiContext{
      *impl->auth, *impl->users, *impl->store, impl->metrics, impl->clock, impl->shutting_down,
      impl->options.config.server.public_url.rfind("https://", 0) == 0,
      impl->password_workers.get(), std::move(*trusted_proxies)});
  http::register_ops_routes(impl->router, *impl->api);
  http::register_auth_routes(impl->router, *impl->api);
  http::register_user_routes(impl->router, *impl->api);
  // ---- contact center (issue 5) ----
  impl->cc_store = std::make_unique<store::SqliteContactCenterStore>(db);
  impl->cc_scheduler = std::make_unique<AsioScheduler>(impl->ioc);
  impl->cc_config = std::make_unique<CcConfigService>(impl->store->accounts(), *impl->cc_store);
  ContactCenterOptions cc_options;
  cc_options.repairs_metric = &impl->metrics.counter(
      "contact_center_recovery_repairs_total",
      "Agents and contacts that disagreed when an organisation was loaded, and were repaired");
  impl->cc_center = std::make_unique<ContactCenter>(*impl->cc_store, impl->store->accounts(),
                                                    impl->clock, *impl->cc_scheduler,
                                                    impl->cc_events, cc_options);
  impl->cc_api = std::make_unique<http::CcApiContext>(
      http::CcApiContext{*impl->auth, *impl->cc_config, *impl->cc_center, impl->cc_events,
                         *impl->cc_store, impl->options.demo});
  http::register_cc_config_routes(impl->router, *impl->cc_api);
  http::register_cc_desk_routes(impl->router, *impl->cc_api);
  http::register_cc_event_routes(impl->router, *impl->cc_api);
  // ---- end contact center ----
  // ---- Teams connector (issue 4): Graph client, connector service, routes, health check ----
  auto connector = ConnectorWiring::create(
      ConnectorDeps{impl->options.config, impl->ioc, db, impl->store->accounts(), *impl->cc_store,
                    *impl->auth, impl->tokens, impl->clock},
      impl->router);
  if (!connector) return std::move(connector).error();
  impl->connector = std::move(*connector);
  // The organisation's audit log also records supervisors' overrides of agents and contacts.
  impl->cc_api->audit = impl->connector->service().audit_hook();
  // ---- end Teams connector ----
  // ---- presence sync (issue 6) and the connector's sync accounts (issue 4) ----
  auto presence = PresenceSyncWiring::create(
      PresenceSyncDeps{impl->options.config, impl->ioc, db, impl->store->accounts(),
                       *impl->cc_center, *impl->cc_store,
                       *impl->auth, impl->secrets, impl->tokens, impl->clock, impl->metrics,
                       *impl->connector},
      impl->router);
  if (!presence) return std::move(presence).error();
  impl->presence = std::move(*presence);
  // ---- end presence sync ----
  // ---- Teams directory (issue 7): mirror, search and consult/transfer targets, sync schedule ----
  auto directory = DirectoryWiring::create(
      DirectoryDeps{impl->ioc, db, *impl->auth, impl->clock, *impl->connector, *impl->cc_api},
      impl->router);
  if (!directory) return std::move(directory).error();
  impl->directory = std::move(*directory);
  // ---- end Teams directory ----
  // ---- web console (issue 8): web/ as static files; the API works without it ----
  if (auto web = http::StaticFiles::load(http::resolve_web_root(CCTEAMS_WEB_ROOT))) {
    http::register_static_routes(
        impl->router, std::make_shared<const http::StaticFiles>(std::move(*web)), "/sign-in.html");
  } else {
    spdlog::warn("web console not served: {}", web.error().message);
  }
  // ---- end web console ----
  return std::unique_ptr<Runtime>(new Runtime(std::move(impl)));
}

Result<std::uint16_t> Runtime::start() {
  auto& im = *impl_;
  const auto& sc = im.options.config.server;
  http::ServerOptions so;
  so.body_limit = sc.body_limit_bytes;
  so.max_connections = sc.max_connections;
  so.max_connections_per_address = sc.max_connections_per_address;
  so.metrics = &im.metrics;
  so.decorate = decorate;
  if (!sc.tls_cert_file.empty()) {
    auto cert = read_file(sc.tls_cert_file, "server.tls_cert_file");
    if (!cert) return std::move(cert).error();
    auto key = read_file(sc.tls_key_file, "server.tls_key_file");
    if (!key) return std::move(key).error();
    so.tls = http::TlsConfig{std::move(*cert), std::move(*key)};
  }
  // ---- contact center (issue 5): demo configuration, then restart recovery ----
  if (im.options.demo) {
    if (auto r = seed_demo_contact_center(*im.users, *im.cc_config, im.options.demo_teams_users); !r) return std::move(r).error();
  }
  if (auto r = im.cc_center->recover(); !r) return std::move(r).error();
  if (im.options.demo && im.options.simulation) {
    auto org = im.users->ensure_org(kDemoOrgName);
    if (!org) return std::move(org).error();
    auto queues = im.cc_config->list_queues(org->id);
    if (!queues) return std::move(queues).error();
    std::vector<QueueId> ids;
    for (const auto& q : *queues) ids.push_back(q.id);
    im.demo_callers = std::make_unique<DemoCallers>(*im.cc_center, *im.cc_scheduler, im.clock,
                                                    org->id, std::move(ids));
    im.demo_callers->start();
  }
  // ---- end contact center ----
  im.server = std::make_unique<http::HttpServer>(im.ioc, im.router, std::move(so));
  auto port = im.server->listen(sc.host, sc.port);
  if (!port) return port;
  im.server->start();
  im.connector->start(sc.host, *port);  // Teams connector: redirect URI, health check
  if (auto r = im.presence->start(sc.host, *port); !r) return std::move(r).error();
  im.directory->start();                 // Teams directory: resume mirrors, sync schedule
  im.auth->start_clean_up(*im.cc_scheduler);  // old failure records and expired sessions
  im.work.emplace(im.ioc.get_executor());
  im.signals.emplace(im.ioc, SIGINT, SIGTERM);
  im.signals->async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    spdlog::info("signal {} received: finishing in-flight requests, then stopping", signo);
    stop();
  });
  for (int i = 0; i < sc.threads; ++i) {
    im.threads.emplace_back([&im] {
      try {
        im.ioc.run();
      } catch (const std::exception& e) {
        spdlog::critical("I/O thread ended by an exception: {}", e.what());
      }
    });
  }
  return port;
}

void Runtime::stop(std::chrono::milliseconds grace) {
  auto& im = *impl_;
  {
    std::lock_guard lock(im.mu);
    if (im.stop_requested) return;
    im.stop_requested = true;
  }
  im.shutting_down = true;
  if (im.auth) im.auth->stop_clean_up();
  if (im.demo_callers) im.demo_callers->stop();
  if (im.presence) im.presence->stop();
  if (im.connector) im.connector->stop();
  if (im.directory) im.directory->stop();
  auto finish = [&im] {
    im.work.reset();
    im.ioc.stop();
    std::lock_guard lock(im.mu);
    im.stopped = true;
    im.cv.notify_all();
  };
  if (im.server && !im.threads.empty()) {
    im.server->shutdown(grace, [finish] { finish(); });
  } else {
    finish();
  }
}

void Runtime::wait() {
  auto& im = *impl_;
  {
    std::unique_lock lock(im.mu);
    im.cv.wait(lock, [&] { return im.stopped || (!im.stop_requested && im.threads.empty()); });
  }
  for (auto& t : im.threads) {
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
  }
  im.threads.clear();
}

void Runtime::run_until_signal() {
  // The handler was installed by start(), before anything announced that we are up, so a
  // SIGTERM that arrives right after the ready line is already a graceful stop.
  wait();
}

UserService& Runtime::users() { return *impl_->users; }
Store& Runtime::store() { return *impl_->store; }

}  // namespace ccteams::cli
