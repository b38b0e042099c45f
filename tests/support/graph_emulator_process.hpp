#pragma once
// `ccteams graph-emulator` as its own process (it outlives whatever the test kills), what its
// banner says (URL, tenant, app registration), and a delegated user token obtained through its
// sign-in and consent pages as a browser would. No GoogleTest here: benches use it too.

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "adapters/http/http_types.hpp"
#include "support/entra_consent.hpp"
#include "support/https_get.hpp"
#include "support/process.hpp"

namespace ccteams::testing {

// The redirect URI the emulator is started with, for user tokens (loopback: any port matches).
inline constexpr const char* kEmulatorTestRedirect = "http://127.0.0.1/emulator-test/callback";

class GraphEmulatorProcess {
 public:
  // Starts the binary with `graph-emulator --port 0 --redirect-uri <test redirect>` and args;
  // ok() tells whether its banner appeared. Serves plain HTTP when args hold "--http".
  GraphEmulatorProcess(const std::string& binary, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {binary, "graph-emulator", "--port",
                                     "0",    "--redirect-uri", kEmulatorTestRedirect};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<ChildProcess>(argv);
    if (!process_->wait_for_output("Webhooks:", std::chrono::seconds(60))) return;
    const std::string out = process_->output();
    std::smatch m;
    if (std::regex_search(out, m, std::regex(R"(URL:\s+(https?://127\.0\.0\.1:\d+))")))
      base_ = m[1];
    if (std::regex_search(out, m, std::regex(R"(Tenant:\s+([0-9a-f-]{36})\s+\(([^)]+)\))"))) {
      tenant_ = m[1];
      domain_ = m[2];
    }
    if (std::regex_search(out, m, std::regex(R"(client id (\S+), secret (\S+))"))) {
      app_id_ = m[1];
      app_secret_ = m[2];
    }
  }

  bool ok() const { return !base_.empty() && !tenant_.empty() && !app_id_.empty(); }
  ChildProcess& process() { return *process_; }
  const std::string& base() const { return base_; }
  const std::string& tenant() const { return tenant_; }
  const std::string& domain() const { return domain_; }
  const std::string& app_id() const { return app_id_; }
  const std::string& app_secret() const { return app_secret_; }
  // The CA the emulator serves with ("" for --http); set by the caller who wrote --ca-out.
  std::string ca;

  // One JSON call (body "" for none), optionally with a bearer token.
  Result<ClientResponse> call(const std::string& method, const std::string& path,
                              const std::string& body = {}, const std::string& token = {}) const {
    std::vector<http::Header> headers;
    if (!body.empty()) headers.push_back({"Content-Type", "application/json"});
    if (!token.empty()) headers.push_back({"Authorization", "Bearer " + token});
    return client_send({method, base_ + path, headers, body, std::chrono::seconds(10)}, ca);
  }

  // The directory id of upn ("member@<domain>"), from the control API; "" when unknown.
  std::string user_id(const std::string& upn) const {
    auto r = call("GET", "/_emulator/tenant");
    if (!r || r->status != 200) return {};
    const auto parsed = boost::json::parse(r->body);
    for (const auto& a : parsed.at("accounts").as_array()) {
      if (a.at("userPrincipalName").as_string() == upn) return std::string(a.at("id").as_string());
    }
    return {};
  }

  // A delegated token of upn for scopes: the authorize page, sign-in and consent as a browser
  // does them, then the code redeemed at the token endpoint.
  Result<std::string> user_token(const std::string& upn,
                                 const std::string& scopes =
                                     "openid offline_access "
                                     "https://graph.microsoft.com/Presence.Read.All") const {
    const std::string authority = base_ + "/" + tenant_ + "/oauth2/v2.0";
    const std::string url = authority + "/authorize?" +
                            http::encode_form({{"client_id", app_id_},
                                               {"response_type", "code"},
                                               {"redirect_uri", kEmulatorTestRedirect},
                                               {"response_mode", "query"},
                                               {"scope", scopes},
                                               {"state", "emulator-test"}});
    auto location = entra_consent(base_, ca, url, upn, "accept");
    if (!location) return std::move(location).error();
    const std::string code = query_value(*location, "code");
    if (code.empty()) return make_error(Errc::internal, "no code in " + *location);
    auto token = post_form_to(authority + "/token",
                              {{"grant_type", "authorization_code"},
                               {"client_id", app_id_},
                               {"client_secret", app_secret_},
                               {"code", code},
                               {"redirect_uri", kEmulatorTestRedirect},
                               {"scope", scopes}},
                              ca);
    if (!token) return std::move(token).error();
    if (token->status != 200) return make_error(Errc::internal, "token: " + token->body);
    return std::string(boost::json::parse(token->body).at("access_token").as_string());
  }

 private:
  std::unique_ptr<ChildProcess> process_;
  std::string base_, tenant_, domain_, app_id_, app_secret_;
};

}  // namespace ccteams::testing
