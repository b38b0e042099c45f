// The Graph emulator as operators and the demo run it: HTTPS with a generated certificate whose
// CA is written to disk, the tenant's discovery document, and plain HTTP only on request.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "demo_fixture.hpp"
#include "support/https_get.hpp"

namespace ccteams::testing {
namespace {

std::string emulator_url(const std::string& output) {
  static const std::regex kUrl(R"((https?://127\.0\.0\.1:\d+))");
  std::smatch m;
  const auto pos = output.find("emulator");
  if (pos == std::string::npos) return {};
  const std::string rest = output.substr(pos);
  return std::regex_search(rest, m, kUrl) ? m[1].str() : std::string{};
}

TEST(EmulatorInDemo, ServesEntraOverHttpsWithTheWrittenCa) {
  DemoProcess demo;
  ASSERT_NE(demo.port(), 0);
  const std::string base = emulator_url(demo.process().output());
  ASSERT_EQ(base.rfind("https://", 0), 0u) << demo.process().output();
  const std::string ca = slurp(demo.data() / "emulator-ca.pem");
  ASSERT_NE(ca.find("BEGIN CERTIFICATE"), std::string::npos);

  auto tenant = client_send({"GET", base + "/_emulator/tenant", {}, {}, std::chrono::seconds(10)}, ca);
  ASSERT_TRUE(tenant) << tenant.error().message;
  ASSERT_EQ(tenant->status, 200) << tenant->body;
  const auto t = parse(tenant->body);
  const std::string tenant_id(t.at("tenantId").as_string());

  auto discovery = client_send(
      {"GET", base + "/" + tenant_id + "/v2.0/.well-known/openid-configuration", {}, {}, std::chrono::seconds(10)},
      ca);
  ASSERT_TRUE(discovery) << discovery.error().message;
  EXPECT_EQ(discovery->status, 200);
  EXPECT_NE(parse(discovery->body).at("token_endpoint").as_string().find(base), boost::json::string::npos);

  // Without the CA the certificate is not trusted: the TLS path is really checked.
  auto untrusted = client_send({"GET", base + "/_emulator/tenant", {}, {}, std::chrono::seconds(10)}, "");
  EXPECT_FALSE(untrusted);
}

TEST(GraphEmulatorCommand, PlainHttpOnRequest) {
  const auto dir = make_temp_dir("ccteams-ge");
  ChildProcess p({CCTEAMS_BINARY, "graph-emulator", "--port", "0", "--http", "--users", "20",
                  "--seed", "7", "--ca-out", (dir / "ca.pem").string()});
  ASSERT_TRUE(p.wait_for_output("Accounts:", std::chrono::seconds(30))) << p.output();
  static const std::regex kUrl(R"(URL:\s+http://127\.0\.0\.1:(\d+))");
  std::smatch m;
  const std::string out = p.output();
  ASSERT_TRUE(std::regex_search(out, m, kUrl)) << out;
  const auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
  auto tenant = http_request(port, "GET", "/_emulator/tenant");
  ASSERT_EQ(tenant.status, 200) << tenant.body;
  auto apps = http_request(port, "GET", "/_emulator/apps");
  EXPECT_EQ(apps.status, 200);
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait_exit(std::chrono::seconds(10)), 0) << p.output();
  std::filesystem::remove_all(dir);
}

TEST(GraphEmulatorCommand, SameSeedSameTenant) {
  auto tenant_of = [](const char* seed) {
    ChildProcess p({CCTEAMS_BINARY, "graph-emulator", "--port", "0", "--http", "--users", "5",
                    "--seed", seed, "--ca-out", ""});
    EXPECT_TRUE(p.wait_for_output("Accounts:", std::chrono::seconds(30))) << p.output();
    static const std::regex kTenant(R"(Tenant:\s+([0-9a-f-]{36}))");
    std::smatch m;
    const std::string out = p.output();
    p.signal(SIGTERM);
    (void)p.wait_exit(std::chrono::seconds(10));
    return std::regex_search(out, m, kTenant) ? m[1].str() : std::string{};
  };
  const auto a = tenant_of("11");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, tenant_of("11"));
  EXPECT_NE(a, tenant_of("12"));
}

}  // namespace
}  // namespace ccteams::testing
