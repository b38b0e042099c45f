// The runtime's hardening (issue 23): the secrets key, who may read /metrics, and the headers
// every response carries.
#include "cli/runtime.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "adapters/crypto/secret_box.hpp"
#include "support/raw_http.hpp"

namespace ccteams::cli {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ccteams::testing::http_request;

class TempFolder {
 public:
  TempFolder() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("ccteams-runtime-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

RuntimeOptions serve_options(const TempFolder& dir) {
  RuntimeOptions o;
  o.config.server.port = 0;
  o.config.store.path = (dir.path() / "ccteams.db").string();
  o.config.secrets.key = SecretBox::generate_key_text();
  o.config.secrets.key_env = "CCTEAMS_TEST_KEY_NOBODY_SETS";
  o.config.metrics.bearer_token_env = "CCTEAMS_TEST_METRICS_TOKEN_NOBODY_SETS";
  o.config.auth.password_hash = "minimum";
  return o;
}

struct Running {
  std::unique_ptr<Runtime> runtime;
  std::uint16_t port = 0;
  ~Running() {
    if (runtime) {
      runtime->stop(1s);
      runtime->wait();
    }
  }
};

void start(Running& r, RuntimeOptions o) {
  auto rt = Runtime::create(std::move(o));
  ASSERT_TRUE(rt) << rt.error().message;
  r.runtime = std::move(*rt);
  auto port = r.runtime->start();
  ASSERT_TRUE(port) << port.error().message;
  r.port = *port;
}

TEST(RuntimeKey, ServeWithoutAKeyIsRefusedWithWhatToProvide) {
  TempFolder dir;
  auto o = serve_options(dir);
  o.config.secrets.key.clear();
  auto rt = Runtime::create(std::move(o));
  ASSERT_FALSE(rt);
  EXPECT_EQ(rt.error().code, Errc::invalid_input);
  for (const char* needle : {"secrets.key_file", "CCTEAMS_TEST_KEY_NOBODY_SETS", "secrets.key",
                             "ccteams secret generate"}) {
    EXPECT_NE(rt.error().message.find(needle), std::string::npos)
        << needle << " not in: " << rt.error().message;
  }
  EXPECT_TRUE(fs::is_empty(dir.path())) << "nothing is created without a key";
}

TEST(RuntimeKey, AConfiguredKeyFileIsNeverGeneratedEvenWithAGeneratePath) {
  TempFolder dir;
  auto o = serve_options(dir);
  o.config.secrets.key.clear();
  o.config.secrets.key_file = (dir.path() / "missing.key").string();
  o.secret_key_generate_path = (dir.path() / "generated.key").string();
  auto rt = Runtime::create(std::move(o));
  ASSERT_FALSE(rt);
  EXPECT_NE(rt.error().message.find("missing.key does not exist"), std::string::npos)
      << rt.error().message;
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(RuntimeKey, TheDemoMakesItsOwnKey) {
  TempFolder dir;
  auto o = serve_options(dir);
  o.config.secrets.key.clear();
  o.secret_key_generate_path = (dir.path() / "secret.key").string();
  auto rt = Runtime::create(std::move(o));
  ASSERT_TRUE(rt) << rt.error().message;
  EXPECT_TRUE(fs::exists(dir.path() / "secret.key"));
}

TEST(RuntimeMetrics, ServeRefusesPublicMetricsWithoutATokenOrAListener) {
  TempFolder dir;
  Running r;
  ASSERT_NO_FATAL_FAILURE(start(r, serve_options(dir)));
  auto m = http_request(r.port, "GET", "/metrics");
  EXPECT_EQ(m.status, 403) << m.body;
  EXPECT_NE(m.body.find("[metrics]"), std::string::npos) << m.body;
  EXPECT_EQ(r.runtime->metrics_port(), 0);
}

TEST(RuntimeMetrics, ABearerTokenIsRequiredWhenConfigured) {
  TempFolder dir;
  const std::string token = "scrape-me-0123456789";
  { std::ofstream(dir.path() / "metrics.token") << token << "\n"; }
  auto o = serve_options(dir);
  o.config.metrics.bearer_token_file = (dir.path() / "metrics.token").string();
  Running r;
  ASSERT_NO_FATAL_FAILURE(start(r, std::move(o)));
  EXPECT_EQ(http_request(r.port, "GET", "/metrics").status, 401);
  EXPECT_EQ(http_request(r.port, "GET", "/metrics", {}, {{"Authorization", "Bearer wrong"}}).status,
            401);
  EXPECT_EQ(
      http_request(r.port, "GET", "/metrics", {}, {{"Authorization", "Bearer " + token + "x"}})
          .status,
      401);
  auto ok = http_request(r.port, "GET", "/metrics", {}, {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.body.find("http_requests_total"), std::string::npos);
}

TEST(RuntimeMetrics, ASeparateListenerServesMetricsAndThePublicOneDoesNot) {
  TempFolder dir;
  auto o = serve_options(dir);
  o.config.metrics.listen = "127.0.0.1:0";
  Running r;
  ASSERT_NO_FATAL_FAILURE(start(r, std::move(o)));
  ASSERT_NE(r.runtime->metrics_port(), 0);
  EXPECT_NE(r.runtime->metrics_port(), r.port);
  EXPECT_EQ(http_request(r.port, "GET", "/metrics").status, 404);
  auto m = http_request(r.runtime->metrics_port(), "GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("# TYPE"), std::string::npos);
  // Nothing else there: the API stays on the public listener.
  EXPECT_EQ(http_request(r.runtime->metrics_port(), "GET", "/healthz").status, 404);
}

TEST(RuntimeMetrics, TheDemoServesLoopbackCallersWithoutAToken) {
  TempFolder dir;
  auto o = serve_options(dir);
  o.metrics_open_to_loopback = true;
  Running r;
  ASSERT_NO_FATAL_FAILURE(start(r, std::move(o)));
  EXPECT_EQ(http_request(r.port, "GET", "/metrics").status, 200);
}

TEST(RuntimeHeaders, HstsWhenThePublicUrlIsHttpsAndSafeHeadersAlways) {
  for (const bool https : {false, true}) {
    TempFolder dir;
    auto o = serve_options(dir);
    o.config.server.public_url = https ? "https://cc.example.com" : "http://127.0.0.1";
    Running r;
    ASSERT_NO_FATAL_FAILURE(start(r, std::move(o)));
    for (const char* path : {"/healthz", "/no-such-page"}) {
      auto resp = http_request(r.port, "GET", path);
      EXPECT_EQ(resp.header("strict-transport-security"), https ? "max-age=31536000" : "") << path;
      EXPECT_EQ(resp.header("x-content-type-options"), "nosniff") << path;
      EXPECT_EQ(resp.header("x-frame-options"), "DENY") << path;
      EXPECT_EQ(resp.header("referrer-policy"), "no-referrer") << path;
    }
  }
}

}  // namespace
}  // namespace ccteams::cli
