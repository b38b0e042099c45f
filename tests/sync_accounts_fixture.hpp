#pragma once
// The in-process world of tests/sync_accounts_test.cpp: the Graph + Entra emulator over HTTPS,
// our HTTP server with the auth and sync-account routes, a SQLite file in a temp dir, a real
// SyncAccountService; helpers that drive the API and the emulator's pages like a browser.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <sstream>
#include <thread>

#include "adapters/crypto/crypto_token_source.hpp"
#include "adapters/crypto/secret_box_sealer.hpp"
#include "adapters/graph/entra_link_builder.hpp"
#include "adapters/graph/http_graph_client.hpp"
#include "adapters/http/api/api_context.hpp"
#include "adapters/http/api/sync_accounts_api.hpp"
#include "adapters/http/http_client.hpp"
#include "adapters/http/http_server.hpp"
#include "adapters/http/router.hpp"
#include "adapters/store/sqlite_db.hpp"
#include "adapters/store/sqlite_store.hpp"
#include "app/metrics.hpp"
#include "app/sync_account_service.hpp"
#include "app/system_clock.hpp"
#include "app/testing/fakes.hpp"
#include "app/testing/run_awaitable.hpp"
#include "app/user_service.hpp"
#include "cli/emulator_host.hpp"

namespace ccteams::sync_accounts_it {

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline constexpr const char* kBase = "/api/v1/connectors/msteams/sync-accounts";

// The system clock, moved forward on demand (expiry without waiting). Thread-safe.
class ShiftedClock final : public Clock {
 public:
  Timestamp now() const override { return system_.now() + Millis(offset_ms_.load()); }
  void advance(Millis d) { offset_ms_ += d.count(); }

 private:
  SystemClock system_;
  std::atomic<std::int64_t> offset_ms_{0};
};

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string match(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) return {};
  return m[1];
}

// Loggers created while a test runs (the access logs) keep the default sinks they were made
// with for the whole process, so the captured stream must live as long.
inline std::ostringstream& captured_log() {
  static std::ostringstream log;
  return log;
}

inline std::shared_ptr<spdlog::logger> capturing_logger() {
  static auto logger = std::make_shared<spdlog::logger>(
      "sync-accounts-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured_log()));
  return logger;
}

class SyncAccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_logger_ = spdlog::default_logger();
    captured_log().str("");
    spdlog::set_default_logger(capturing_logger());

    cli::EmulatorHostOptions eo;
    eo.emulator.users = 3;
    eo.emulator.redirect_uris = {std::string("http://127.0.0.1") + kBase + "/callback"};
    auto host = cli::EmulatorHost::start(eo);
    ASSERT_TRUE(host) << host.error().message;
    emulator_ = std::move(*host);
    info_ = emulator_->info();

    dir_ = fs::temp_directory_path() /
           ("ccteams-sync-it-" + std::to_string(::getpid()) + "-" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(dir_);
    auto store = SqliteStore::open((dir_ / "ccteams.db").string());
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);

    auth_ = std::make_unique<AuthService>(*store_, hasher_, tokens_, system_clock_, AuthOptions{});
    users_ = std::make_unique<UserService>(*store_, workers_, hasher_, system_clock_, 1);
    auto org = ccteams::testing::run_awaitable(users_->ensure_org("Contoso"));
    ASSERT_TRUE(org);
    org_ = org->id;
    ASSERT_TRUE(ccteams::testing::run_awaitable(
        users_->create(org_, NewUser{"root", "pw-root", "Root", RoleSet{Role::admin}})));
    ASSERT_TRUE(ccteams::testing::run_awaitable(
        users_->create(org_, NewUser{"ann", "pw-ann", "Ann", RoleSet{Role::agent}})));
    ctx_ = std::make_unique<http::ApiContext>(http::ApiContext{
        *auth_, *users_, *store_, metrics_, system_clock_, shutting_down_, false, workers_});
    http::register_auth_routes(router_, *ctx_);

    ClientOptions co;
    co.extra_ca_pem = emulator_->ca_pem();
    co.use_system_roots = false;
    http_ = std::make_unique<HttpClient>(ioc_, co);
    graph::GraphClientConfig gc;
    gc.login_base = info_.login_base_url;
    gc.graph_base = info_.graph_base_url + "/v1.0";
    gc.client_id = info_.app_id;
    gc.client_secret = info_.app_secret;
    graph_ = std::make_unique<graph::HttpGraphClient>(*http_, system_clock_, gc);

    auto box = SecretBox::from_key_text(SecretBox::generate_key_text());
    ASSERT_TRUE(box);
    sealer_ = std::make_unique<SecretBoxSealer>(std::move(*box));
    links_ = std::make_unique<graph::EntraLinkBuilder>(info_.login_base_url);
    SyncAccountOptions so;
    so.client_id = info_.app_id;
    service_ = std::make_unique<SyncAccountService>(
        *store_, *graph_, *links_, *sealer_, pkce_, tokens_, clock_, so,
        [this](OrgId) { return tenant(); },
        [this](const Caller& c, std::string action, bool ok, std::string detail) {
          std::lock_guard lock(audit_mu_);
          audits_.push_back(c.username + "|" + action + "|" + (ok ? "ok" : "error") + "|" + detail);
        });
    http::register_sync_account_routes(router_, *auth_, *service_);

    http::ServerOptions server_options;
    server_options.access_log_name = "sync-accounts-test-access";
    server_ = std::make_unique<http::HttpServer>(ioc_, router_, server_options);
    auto port = server_->listen("127.0.0.1", 0);
    ASSERT_TRUE(port);
    public_url_ = "http://127.0.0.1:" + std::to_string(*port);
    service_->set_public_url(public_url_);
    server_->start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });

    admin_token_ = login("root", "pw-root");
    agent_token_ = login("ann", "pw-ann");
  }

  // The emulated tenant, as the connector's active_tenant_lookup would answer.
  boost::asio::awaitable<Result<std::string>> tenant() { co_return info_.tenant_id; }

  void TearDown() override {
    if (server_) {
      auto done = std::make_shared<std::promise<void>>();
      server_->shutdown(100ms, [done] { done->set_value(); });
      done->get_future().wait_for(5s);
    }
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_) t.join();
    server_.reset();
    service_.reset();
    graph_.reset();
    http_.reset();
    store_.reset();
    emulator_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
    spdlog::set_default_logger(previous_logger_);
  }

  template <class T>
  T run(asio::awaitable<T> aw) {
    auto promise = std::make_shared<std::promise<T>>();
    auto future = promise->get_future();
    asio::co_spawn(
        ioc_,
        [p = promise, a = std::move(aw)]() mutable -> asio::awaitable<void> {
          p->set_value(co_await std::move(a));
        },
        asio::detached);
    if (future.wait_for(20s) != std::future_status::ready) {
      ADD_FAILURE() << "timed out";
      std::abort();  // the coroutine still refers to the fixture
    }
    return future.get();
  }

  void run(asio::awaitable<void> aw) {
    run([](asio::awaitable<void> a) -> asio::awaitable<bool> {
      co_await std::move(a);
      co_return true;
    }(std::move(aw)));
  }

  ClientResponse send(ClientRequest request) {
    auto r = run(http_->send(std::move(request)));
    EXPECT_TRUE(r) << r.error().message;
    if (!r) return ClientResponse{};
    responses_ += r->body + "\n";
    return std::move(*r);
  }

  ClientResponse api(const std::string& method, const std::string& path, const std::string& token,
                     std::string body = {}) {
    ClientRequest req;
    req.method = method;
    req.url = public_url_ + path;
    if (!token.empty()) req.headers.push_back({"Authorization", "Bearer " + token});
    if (!body.empty()) req.headers.push_back({"Content-Type", "application/json"});
    req.body = std::move(body);
    return send(std::move(req));
  }

  std::string login(const std::string& user, const std::string& password) {
    auto r = api("POST", "/api/v1/auth/login", "",
                 json::serialize(json::object{{"username", user}, {"password", password}}));
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    return std::string(json::parse(r.body).at("token").as_string());
  }

  ClientResponse post_form(const std::string& url,
                           std::vector<std::pair<std::string, std::string>> form) {
    ClientRequest req;
    req.method = "POST";
    req.url = url;
    req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    req.body = http::encode_form(form);
    return send(std::move(req));
  }

  struct Browsed {
    std::string authorization_url;
    std::string callback_url;  // where Entra redirected the popup
    ClientResponse callback;   // our page
  };

  // Opens the authorize URL as the popup would and signs upn in; decision for the consent page.
  Browsed browse_sign_in(const std::string& upn, const std::string& decision = "accept") {
    Browsed out;
    auto start = api("POST", std::string(kBase) + "/sign-in", admin_token_);
    EXPECT_EQ(start.status, 200) << start.body;
    if (start.status != 200) return out;
    out.authorization_url = std::string(json::parse(start.body).at("authorizationUrl").as_string());
    ClientRequest get;
    get.url = out.authorization_url;
    auto page = send(get);
    EXPECT_EQ(page.status, 200) << page.body;
    EXPECT_NE(page.body.find(">Email</label>"), std::string::npos);
    EXPECT_NE(page.body.find("Next"), std::string::npos);
    auto next =
        post_form(info_.login_base_url + match(page.body, "action=\"([^\"]+)\""),
                  {{"flow", match(page.body, "name=\"flow\" value=\"([^\"]+)\"")}, {"login", upn}});
    if (next.status == 200 && next.body.find(">Accept</button>") != std::string::npos) {
      EXPECT_NE(next.body.find("Presence.Read.All"), std::string::npos);
      next = post_form(
          info_.login_base_url + match(next.body, "action=\"([^\"]+)\""),
          {{"flow", match(next.body, "name=\"flow\" value=\"([^\"]+)\"")}, {"decision", decision}});
    }
    EXPECT_EQ(next.status, 302) << next.body;
    out.callback_url = std::string(next.header("location"));
    EXPECT_EQ(out.callback_url.rfind(public_url_ + kBase + "/callback?", 0), 0u)
        << out.callback_url;
    return out.callback_url.empty() ? out : open_callback(std::move(out));
  }

  Browsed open_callback(Browsed b) {
    ClientRequest get;
    get.url = b.callback_url;
    b.callback = send(get);
    return b;
  }

  json::array list_accounts() {
    auto r = api("GET", kBase, admin_token_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body).at("items").as_array() : json::array{};
  }

  std::vector<SyncAccount> stored_accounts() {
    return *store_->sync_accounts().list_accounts(org_);
  }

  // Every code verifier ever stored, opened (the test holds the key).
  std::vector<std::string> stored_verifiers() {
    std::vector<std::string> out;
    auto conn = store_->db().lock();
    auto st = conn.prepare("SELECT state_digest, code_verifier_sealed FROM sync_account_sign_ins");
    EXPECT_TRUE(st);
    while (st && *st->step()) {
      auto v = sealer_->open(st->column_text(1),
                             SyncAccountService::code_verifier_purpose(org_, st->column_text(0)));
      EXPECT_TRUE(v);
      if (v) out.push_back(*v);
    }
    return out;
  }

  std::string open_refresh_token(const SyncAccount& a) {
    auto rt = sealer_->open(a.sealed_refresh_token,
                            SyncAccountService::refresh_token_purpose(org_, a.oid));
    EXPECT_TRUE(rt);
    return rt ? *rt : std::string();
  }

  std::shared_ptr<spdlog::logger> previous_logger_;
  std::unique_ptr<cli::EmulatorHost> emulator_;
  emulator::EmulatorInfo info_;
  fs::path dir_;
  std::unique_ptr<SqliteStore> store_;
  testing::PlainHasher hasher_;
  testing::InlineWorkers workers_;
  CryptoTokenSource tokens_;
  Sha256PkceHasher pkce_;
  SystemClock system_clock_;
  ShiftedClock clock_;
  Metrics metrics_;
  std::atomic<bool> shutting_down_{false};
  std::unique_ptr<AuthService> auth_;
  std::unique_ptr<UserService> users_;
  std::unique_ptr<http::ApiContext> ctx_;
  http::Router router_;
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
  std::vector<std::thread> threads_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<graph::EntraLinkBuilder> links_;
  std::unique_ptr<graph::HttpGraphClient> graph_;
  std::unique_ptr<SecretBoxSealer> sealer_;
  std::unique_ptr<SyncAccountService> service_;
  std::unique_ptr<http::HttpServer> server_;
  std::string public_url_;
  std::string admin_token_, agent_token_;
  OrgId org_;
  std::mutex audit_mu_;
  std::vector<std::string> audits_;
  std::string responses_;  // every response body seen, for the secrets check
};

}  // namespace ccteams::sync_accounts_it
