// Microsoft's official Graph JavaScript client against `ccteams graph-emulator` (issue 3):
// starts the emulator over HTTPS, then runs tests/js/graph_client_test.mjs with Node.js, which
// must exit 0. Node.js and the script's npm packages are installed by scripts/install-deps.sh;
// when they are missing this test fails (it never skips), naming the fix.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "adapters/crypto/tls_cert.hpp"
#include "demo_fixture.hpp"

namespace ccteams::testing {
namespace {

namespace fs = std::filesystem;

// The first executable `name` on PATH; "" when there is none.
std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << "cannot write " << p;
}

TEST(GraphJsClient, OfficialClientWorksAgainstTheEmulator) {
  const std::string node = find_on_path("node");
  ASSERT_FALSE(node.empty())
      << "Node.js ('node') is not on PATH; run scripts/install-deps.sh to install nodejs, npm "
         "and the test's npm packages";
  const fs::path js_dir = fs::path(CCTEAMS_SOURCE_DIR) / "tests" / "js";
  ASSERT_TRUE(fs::exists(js_dir / "node_modules" / "@microsoft" / "microsoft-graph-client" /
                         "package.json"))
      << js_dir / "node_modules" << " lacks @microsoft/microsoft-graph-client; run "
      << "scripts/install-deps.sh (it runs `npm ci` in tests/js)";

  const auto dir = make_temp_dir("ccteams-js");
  // The webhook receiver (in the Node script) serves HTTPS with a certificate from this PKI;
  // the emulator trusts it through OpenSSL's SSL_CERT_FILE, as it would trust a public CA.
  auto pki = generate_test_pki({"localhost"}, {"127.0.0.1"});
  ASSERT_TRUE(pki) << pki.error().message;
  write_file(dir / "receiver-ca.pem", pki->ca_cert_pem);
  write_file(dir / "receiver-chain.pem", pki->cert_chain_pem);
  write_file(dir / "receiver-key.pem", pki->private_key_pem);
  const std::string redirect_uri = "http://localhost/callback";

  ChildProcess emulator({"/usr/bin/env", "SSL_CERT_FILE=" + (dir / "receiver-ca.pem").string(),
                         CCTEAMS_BINARY, "graph-emulator", "--port", "0", "--users", "23",
                         "--seed", "3", "--activity", "0", "--redirect-uri", redirect_uri,
                         "--ca-out", (dir / "emulator-ca.pem").string()});
  ASSERT_TRUE(emulator.wait_for_output("Accounts:", std::chrono::seconds(30)))
      << emulator.output();
  static const std::regex kUrl(R"(URL:\s+(https://127\.0\.0\.1:\d+))");
  std::smatch m;
  const std::string out = emulator.output();
  ASSERT_TRUE(std::regex_search(out, m, kUrl)) << out;

  ChildProcess script({"/usr/bin/env", "GRAPH_EMULATOR_URL=" + m[1].str(),
                       "NODE_EXTRA_CA_CERTS=" + (dir / "emulator-ca.pem").string(),
                       "RECEIVER_CERT=" + (dir / "receiver-chain.pem").string(),
                       "RECEIVER_KEY=" + (dir / "receiver-key.pem").string(),
                       "REDIRECT_URI=" + redirect_uri, node,
                       (js_dir / "graph_client_test.mjs").string()});
  const auto status = script.wait_exit(std::chrono::seconds(150));
  EXPECT_EQ(status, std::optional<int>(0)) << script.output() << "\n--- emulator ---\n"
                                           << emulator.output();
  emulator.signal(SIGTERM);
  EXPECT_EQ(emulator.wait_exit(std::chrono::seconds(10)), std::optional<int>(0));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ccteams::testing
