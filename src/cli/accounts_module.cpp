#include "cli/accounts_module.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "adapters/http/api/api_context.hpp"
#include "adapters/http/router.hpp"
#include "app/auth_service.hpp"
#include "app/bounded_worker_pool.hpp"
#include "app/metrics.hpp"
#include "app/ports/store.hpp"
#include "app/session_sockets.hpp"
#include "app/user_service.hpp"

namespace ccteams::cli {

namespace {

// The scrapers' token: bearer_token, else the variable bearer_token_env, else the file
// bearer_token_file (trailing whitespace dropped); "" when none is configured.
Result<std::string> metrics_token(const MetricsConfig& m) {
  if (!m.bearer_token.empty()) return m.bearer_token;
  if (!m.bearer_token_env.empty()) {
    const char* value = std::getenv(m.bearer_token_env.c_str());
    if (value != nullptr && *value != '\0') return std::string(value);
  }
  if (m.bearer_token_file.empty()) return std::string();
  std::ifstream in(m.bearer_token_file, std::ios::binary);
  if (!in) {
    return make_error(Errc::invalid_input,
                      "cannot read metrics.bearer_token_file " + m.bearer_token_file);
  }
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (text.empty()) {
    return make_error(Errc::invalid_input,
                      "metrics.bearer_token_file " + m.bearer_token_file + " is empty");
  }
  return text;
}

AuthOptions auth_options(const AuthConfig& c) {
  AuthOptions o;
  o.session_ttl = std::chrono::minutes(c.session_ttl_minutes);
  o.user_delay_after = c.lockout_failures;
  o.user_max_delay = std::chrono::seconds(c.login_delay_max_seconds);
  o.username_slowdown_failures = c.username_slowdown_failures;
  o.max_address_failures = c.address_lockout_failures;
  o.lockout = std::chrono::minutes(c.lockout_minutes);
  o.failure_window = std::chrono::minutes(c.lockout_minutes);
  return o;
}

}  // namespace

AccountsModule::AccountsModule() = default;

AccountsModule::~AccountsModule() { stop(); }

Result<std::unique_ptr<AccountsModule>> AccountsModule::create(const AccountsDeps& deps) {
  const SharedServices& sh = deps.shared;
  const Config& config = sh.options.config;
  const AuthConfig& ac = config.auth;
  auto trusted_proxies = http::TrustedProxies::parse(config.server.trusted_proxies);
  if (!trusted_proxies) return std::move(trusted_proxies).error();
  auto token = metrics_token(config.metrics);
  if (!token) return std::move(token).error();

  std::unique_ptr<AccountsModule> m(new AccountsModule());
  m->executor_ = sh.ioc.get_executor();
  m->scheduler_ = &sh.scheduler;
  m->password_workers_ = std::make_unique<BoundedWorkerPool>(WorkerPoolOptions{
      ac.hash_workers, static_cast<std::size_t>(ac.hash_queue), 1,
      &sh.metrics.counter("auth_password_checks_refused_total",
                          "Sign-ins answered 429 because the password workers were full")});
  m->sockets_ = std::make_unique<SessionSockets>(
      sh.scheduler,
      SessionSocketsOptions{static_cast<std::size_t>(config.events.websockets_per_session)});
  AuthOptions options = auth_options(ac);
  options.store_failures = &sh.metrics.counter(
      "auth_store_failures_total",
      "Sign-in bookkeeping writes (failure records, clean-ups) the store refused; each is logged");
  m->auth_ = std::make_unique<AuthService>(sh.store, sh.hasher, sh.tokens, sh.clock, options,
                                           m->sockets_.get());
  m->users_ = std::make_unique<UserService>(sh.store, *m->password_workers_, sh.hasher, sh.clock,
                                            sh.options.min_password_length, m->sockets_.get());
  m->api_ = std::make_unique<http::ApiContext>(
      http::ApiContext{*m->auth_, *m->users_, sh.store, sh.metrics, sh.clock, deps.shutting_down,
                       config.server.public_url.rfind("https://", 0) == 0, *m->password_workers_,
                       std::move(*trusted_proxies)});

  http::register_ops_routes(sh.router, *m->api_);
  http::MetricsAccess access{sh.options.metrics_open_to_loopback, std::move(*token), false};
  if (!config.metrics.listen.empty()) {
    access.open = true;  // a listener of its own is private by where it listens
    http::register_metrics_route(deps.metrics_router, sh.metrics, std::move(access));
  } else {
    if (access.bearer_token.empty() && !access.open_to_loopback) {
      spdlog::warn(
          "GET /metrics is refused (403) on the public listener: set [metrics] bearer_token "
          "(or bearer_token_env / bearer_token_file) or [metrics] listen to scrape it");
    }
    http::register_metrics_route(sh.router, sh.metrics, std::move(access));
  }
  http::register_auth_routes(sh.router, *m->api_);
  http::register_user_routes(sh.router, *m->api_);
  return Result<std::unique_ptr<AccountsModule>>(std::move(m));
}

Result<void> AccountsModule::start(const Listening&) {
  auth_->start_clean_up(executor_, *scheduler_);  // old failure records and expired sessions
  return ok();
}

void AccountsModule::stop() {
  if (auth_) auth_->stop_clean_up();
}

AuthService& AccountsModule::auth() { return *auth_; }
UserService& AccountsModule::users() { return *users_; }
SessionSockets& AccountsModule::sockets() { return *sockets_; }
http::ApiContext& AccountsModule::api() { return *api_; }

}  // namespace ccteams::cli
