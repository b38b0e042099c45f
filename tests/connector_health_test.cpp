// Issue 4, in process (so that the health check can run every second): the Teams connector is
// set up against the emulator, the consent is revoked through the emulator's control API, the
// periodic health check finds Entra refusing the app and turns the connector to
// AuthorizationError with Entra's reason, and re-authorising makes it Active again.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "cli/demo.hpp"
#include "cli/emulator_host.hpp"
#include "cli/runtime.hpp"
#include "demo_fixture.hpp"
#include "in_process_runtime.hpp"
#include "support/entra_browser.hpp"

namespace ccteams::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class ConnectorHealth : public ::testing::Test {
 protected:
  void SetUp() override {
    cli::EmulatorHostOptions eo;
    eo.port = 0;
    eo.ca_out_path = (dir_ / "ca.pem").string();
    eo.emulator.users = 5;
    eo.emulator.redirect_uris = {"http://127.0.0.1/api/v1/connectors/msteams/callback"};
    auto emu = cli::EmulatorHost::start(std::move(eo));
    ASSERT_TRUE(emu) << emu.error().message;
    emulator_ = std::move(*emu);
    const auto info = emulator_->info();
    domain_ = info.domain;

    auto o = in_process_options(dir_);
    o.config.microsoft.client_id = info.app_id;
    o.config.microsoft.client_secret = info.app_secret;
    o.config.microsoft.login_base_url = info.login_base_url;
    o.config.microsoft.graph_base_url = info.graph_base_url + "/v1.0";
    o.config.microsoft.ca_file = (dir_ / "ca.pem").string();
    o.config.microsoft.health_check_seconds = 1;  // below the config file's minimum: tests only
    o.metrics_open_to_loopback = true;  // teams_connectors{status} is read below
    runtime_ = create_seeded_runtime(std::move(o));
    ASSERT_TRUE(runtime_);
    port_ = start_runtime(*runtime_);
    ASSERT_NE(port_, 0);
    std::ifstream ca(dir_ / "ca.pem");
    std::ostringstream pem;
    pem << ca.rdbuf();
    browser_.emplace(emulator_->base_url(), pem.str());
    auto login = http_request(port_, "POST", "/api/v1/auth/login",
                              R"({"username":"admin","password":"pw"})");
    ASSERT_EQ(login.status, 200) << login.body;
    token_ = std::string(parse(login.body).at("token").as_string());
  }
  void TearDown() override {
    stop_runtime(runtime_);
    emulator_.reset();
    std::filesystem::remove_all(dir_);
  }

  RawResponse api(const std::string& method, const std::string& path) {
    return http_request(port_, method, path, {}, {{"Authorization", "Bearer " + token_}});
  }
  json::object connector() {
    return parse(api("GET", "/api/v1/connectors/msteams").body).as_object();
  }
  void set_up() {
    auto start = api("POST", "/api/v1/connectors/msteams/authorize");
    ASSERT_EQ(start.status, 200) << start.body;
    const std::string url(parse(start.body).at("authorizationUrl").as_string());
    const std::string location =
        browser_->set_up(url, "admin@" + domain_, [&](const std::string& loc) {
          auto r = http_request(port_, "GET", target_of(loc));
          return std::pair<int, std::string>(r.status,
                                             r.status == 302 ? r.header("location") : r.body);
        });
    auto page = http_request(port_, "GET", target_of(location));
    ASSERT_EQ(page.status, 200) << page.body;
    ASSERT_EQ(connector().at("status"), "Active");
  }
  // Polls until the connector has status, up to timeout.
  bool wait_for_status(const std::string& status, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      if (connector().at("status") == json::value(status)) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  // GET /metrics holds this line within 15 s.
  bool metrics_show(const std::string& line) {
    return eventually(
        [&] { return http_request(port_, "GET", "/metrics").body.find("\n" + line + "\n") !=
                     std::string::npos; },
        15s);
  }

  std::filesystem::path dir_ = make_temp_dir("ccteams-connector-health");
  std::unique_ptr<cli::EmulatorHost> emulator_;
  std::unique_ptr<cli::Runtime> runtime_;
  std::optional<EntraBrowser> browser_;
  std::uint16_t port_ = 0;
  std::string domain_, token_;
};

TEST_F(ConnectorHealth, RevokedConsentBecomesAuthorizationErrorAndReauthorisingRecovers) {
  set_up();
  auto revoked = browser_->post_json("/_emulator/consent/revoke", "{}");
  ASSERT_TRUE(revoked && revoked->status == 200);
  ASSERT_TRUE(wait_for_status("AuthorizationError", 5s)) << json::serialize(connector());
  const auto c = connector();
  EXPECT_NE(std::string(c.at("lastError").as_string()).find("no application permission"),
            std::string::npos)
      << c.at("lastError");
  auto audit = parse(api("GET", "/api/v1/connectors/msteams/audit?limit=1").body);
  EXPECT_EQ(audit.at("items").as_array().at(0).at("action"), "authorization error");
  EXPECT_TRUE(audit.at("items").as_array().at(0).at("actor").is_null());

  // The dashboard's and CcteamsConnectorAuthorizationError's gauge (sampled every 5 s).
  EXPECT_TRUE(metrics_show("teams_connectors{status=\"AuthorizationError\"} 1"));

  set_up();  // re-authorise: AuthorizationError -> Active
  EXPECT_TRUE(connector().at("lastError").is_null());
  EXPECT_TRUE(metrics_show("teams_connectors{status=\"Active\"} 1"));
  EXPECT_TRUE(metrics_show("teams_connectors{status=\"AuthorizationError\"} 0"));
}

// `serve` (this runtime is not the demo): the vendor calls Show user details and Presence sync
// optional, so a connector set up for the first time has both off until the admin turns them on;
// Deactivate and Reactivate keep what the admin chose.
TEST_F(ConnectorHealth, ServeSetsUpTheConnectorWithShowUserDetailsAndPresenceSyncOff) {
  set_up();
  auto c = connector();
  EXPECT_EQ(c.at("showUserDetails"), false);
  EXPECT_EQ(c.at("presenceSync"), false);
  auto on = http_request(port_, "PATCH", "/api/v1/connectors/msteams",
                         R"({"showUserDetails":true,"presenceSync":true})",
                         {{"Authorization", "Bearer " + token_}});
  ASSERT_EQ(on.status, 200) << on.body;
  ASSERT_EQ(api("POST", "/api/v1/connectors/msteams/deactivate").status, 200);
  ASSERT_EQ(api("POST", "/api/v1/connectors/msteams/reactivate").status, 200);
  c = connector();
  EXPECT_EQ(c.at("showUserDetails"), true);
  EXPECT_EQ(c.at("presenceSync"), true);
}

TEST_F(ConnectorHealth, ReactivateAfterTheEnterpriseAppWasDeletedReportsEntrasReason) {
  set_up();
  ASSERT_EQ(api("POST", "/api/v1/connectors/msteams/deactivate").status, 200);
  auto revoked =
      browser_->post_json("/_emulator/consent/revoke", R"({"deleteServicePrincipal":true})");
  ASSERT_TRUE(revoked && revoked->status == 200);
  auto r = api("POST", "/api/v1/connectors/msteams/reactivate");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("AADSTS700016"), std::string::npos) << r.body;
  EXPECT_EQ(connector().at("status"), "AuthorizationError");
}

}  // namespace
}  // namespace ccteams::testing
