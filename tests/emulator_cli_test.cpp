// The Graph emulator as operators and the demo run it: HTTPS with a generated certificate whose
// CA is written to disk, the tenant's discovery document, and plain HTTP only on request.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "adapters/crypto/tls_cert.hpp"
#include "core/time.hpp"
#include "demo_fixture.hpp"
#include "support/graph_emulator_process.hpp"
#include "support/https_get.hpp"
#include "support/webhook_receiver.hpp"

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

// A subscription of admin@ to member@'s presence, delivered to url; the emulator's answer.
Result<ClientResponse> subscribe(const GraphEmulatorProcess& emulator, const std::string& url) {
  auto token = emulator.user_token("admin@" + emulator.domain());
  if (!token) return std::move(token).error();
  const boost::json::object body{
      {"changeType", "updated"},
      {"notificationUrl", url},
      {"resource", "communications/presences/" + emulator.user_id("member@" + emulator.domain())},
      {"expirationDateTime", format_iso8601(std::chrono::time_point_cast<Millis>(
                                 std::chrono::system_clock::now() + std::chrono::minutes(30)))},
      {"clientState", "emulator-cli-test"}};
  return emulator.call("POST", "/v1.0/subscriptions", boost::json::serialize(body), *token);
}

// member@ changes presence in Teams; true once receiver got a notification of it.
bool presence_change_arrives(const GraphEmulatorProcess& emulator,
                             const WebhookReceiver& receiver) {
  const auto member = emulator.user_id("member@" + emulator.domain());
  auto set = emulator.call("POST", "/_emulator/users/" + member + "/presence",
                           R"({"availability":"Busy","activity":"InACall"})");
  if (!set || set->status != 200) {
    ADD_FAILURE() << (set ? set->body : set.error().message);
    return false;
  }
  return eventually([&] {
    for (const auto& b : receiver.bodies()) {
      if (b.find(member) != std::string::npos && b.find("emulator-cli-test") != std::string::npos) {
        return true;
      }
    }
    return false;
  });
}

TEST(GraphEmulatorCommand, DeliversOverHttpsToAReceiverTrustedThroughWebhookCa) {
  const auto dir = make_temp_dir("ccteams-ge-ca");
  auto pki = generate_test_pki({"localhost"}, {"127.0.0.1"});
  ASSERT_TRUE(pki) << pki.error().message;
  std::ofstream(dir / "receiver-ca.pem") << pki->ca_cert_pem;
  WebhookReceiver receiver(http::TlsConfig{pki->cert_chain_pem, pki->private_key_pem});
  GraphEmulatorProcess emulator(
      CCTEAMS_BINARY, {"--users", "3", "--ca-out", (dir / "ca.pem").string(), "--webhook-ca",
                       (dir / "receiver-ca.pem").string()});
  ASSERT_TRUE(emulator.ok()) << emulator.process().output();
  emulator.ca = slurp(dir / "ca.pem");

  auto created = subscribe(emulator, receiver.url());
  ASSERT_TRUE(created) << created.error().message;
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_GE(receiver.validations(), 1);
  EXPECT_TRUE(presence_change_arrives(emulator, receiver)) << emulator.process().output();
  std::filesystem::remove_all(dir);
}

TEST(GraphEmulatorCommand, HttpsReceiverNotTrustedWithoutWebhookCa) {
  auto pki = generate_test_pki({"localhost"}, {"127.0.0.1"});
  ASSERT_TRUE(pki) << pki.error().message;
  WebhookReceiver receiver(http::TlsConfig{pki->cert_chain_pem, pki->private_key_pem});
  GraphEmulatorProcess emulator(CCTEAMS_BINARY, {"--users", "3", "--http", "--ca-out", ""});
  ASSERT_TRUE(emulator.ok()) << emulator.process().output();
  auto created = subscribe(emulator, receiver.url());
  ASSERT_TRUE(created) << created.error().message;
  // The validation handshake fails on the unknown CA: Graph's 400, nothing created.
  EXPECT_EQ(created->status, 400) << created->body;
  EXPECT_EQ(receiver.validations(), 0);
}

TEST(GraphEmulatorCommand, PlainHttpReceiversOnLoopbackOnly) {
  WebhookReceiver receiver;
  GraphEmulatorProcess emulator(CCTEAMS_BINARY, {"--users", "3", "--http", "--ca-out", ""});
  ASSERT_TRUE(emulator.ok()) << emulator.process().output();

  auto elsewhere = subscribe(emulator, "http://cc.example/hook");
  ASSERT_TRUE(elsewhere) << elsewhere.error().message;
  EXPECT_EQ(elsewhere->status, 400);
  EXPECT_NE(elsewhere->body.find("Subscription notificationUrl must be an https URL."),
            std::string::npos)
      << elsewhere->body;

  auto created = subscribe(emulator, receiver.url());
  ASSERT_TRUE(created) << created.error().message;
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_GE(receiver.validations(), 1);
  EXPECT_TRUE(presence_change_arrives(emulator, receiver)) << emulator.process().output();
}

TEST(GraphEmulatorCommand, UnreadableWebhookCaStopsTheStart) {
  const auto dir = make_temp_dir("ccteams-ge-badca");
  std::ofstream(dir / "bad.pem") << "not a certificate\n";
  ChildProcess p({CCTEAMS_BINARY, "graph-emulator", "--port", "0", "--http", "--ca-out", "",
                  "--webhook-ca", (dir / "bad.pem").string()});
  EXPECT_EQ(p.wait_exit(std::chrono::seconds(30)), 1);
  EXPECT_NE(p.output().find("--webhook-ca"), std::string::npos) << p.output();
  std::filesystem::remove_all(dir);
}

TEST(GraphEmulatorCommand, DeliveryRulesThatContradictGraphsAreRefused) {
  struct Case {
    std::vector<std::string> flags;
    std::string named;
  };
  for (const auto& c : std::vector<Case>{
           {{"--slow-delay-share", "0.3", "--slow-drop-share", "0.2"}, "--slow-delay-share"},
           {{"--slow-answer-ms", "3000"}, "--slow-answer-ms"},
           {{"--slow-drop-share", "1.5"}, "--slow-drop-share"}}) {
    std::vector<std::string> argv = {CCTEAMS_BINARY, "graph-emulator", "--port", "0", "--http",
                                     "--ca-out", ""};
    argv.insert(argv.end(), c.flags.begin(), c.flags.end());
    ChildProcess p(argv);
    EXPECT_NE(p.wait_exit(std::chrono::seconds(30)), 0) << c.named;
    EXPECT_NE(p.output().find(c.named), std::string::npos) << p.output();
  }
}

}  // namespace
}  // namespace ccteams::testing
