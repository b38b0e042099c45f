#include "emulator/harness_test.hpp"
#include "emulator/jwt.hpp"
// (Named *_test so that the build puts it in emulator_tests, not in the library.)

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace ccteams::emulator::testing {

const std::string& harness_signing_key() {
  // RSA key generation dominates a harness' cost; one key serves every test of the binary.
  static const std::string kKey = JwtSigner::generate().private_key_pem();
  return kKey;
}

Harness::Harness(int users, std::uint64_t seed, int tenants)
    : now(std::make_shared<Timestamp>(from_unix_millis(1'800'000'000'000))) {
  EmulatorOptions o;
  o.seed = seed;
  o.users = users;
  o.tenants = tenants;
  o.domain = "contoso.example";
  o.base_url = "https://emu.test";
  o.redirect_uris = {"http://localhost/callback", "https://cc.example/api/v1/connectors/msteams/callback"};
  o.clock = [n = now] { return *n; };
  o.signing_key_pem = harness_signing_key();
  emulator = std::make_unique<GraphEmulator>(o);
  emulator->register_routes(router);
  info = emulator->info();
}

http::Response Harness::call(std::string method, std::string target,
                             std::vector<http::Header> headers, std::string body) {
  http::Request req;
  req.method = std::move(method);
  req.target = target;
  const auto q = target.find('?');
  req.path = *http::percent_decode(target.substr(0, q), false);
  req.query = q == std::string::npos ? "" : target.substr(q + 1);
  for (auto& h : headers) {
    for (auto& c : h.name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  req.headers = std::move(headers);
  req.body = std::move(body);
  req.remote_address = remote_address;
  auto m = router.match(req.method, req.path);
  if (m.handler == nullptr) {
    http::Response r;
    r.status = m.allowed.empty() ? 404 : 405;
    return r;
  }
  req.path_params = m.params;
  boost::asio::io_context io;
  auto fut = boost::asio::co_spawn(io, (*m.handler)(req), boost::asio::use_future);
  io.run();
  return fut.get();
}

http::Response Harness::get(std::string target, std::string bearer,
                            std::vector<http::Header> extra) {
  if (!bearer.empty()) extra.push_back({"authorization", "Bearer " + bearer});
  return call("GET", std::move(target), std::move(extra));
}

http::Response Harness::post_json(std::string target, const boost::json::value& body,
                                  std::string bearer) {
  std::vector<http::Header> h{{"content-type", "application/json"}};
  if (!bearer.empty()) h.push_back({"authorization", "Bearer " + bearer});
  return call("POST", std::move(target), std::move(h), boost::json::serialize(body));
}

http::Response Harness::post_form(std::string target,
                                  const std::vector<std::pair<std::string, std::string>>& fields) {
  return call("POST", std::move(target),
              {{"content-type", "application/x-www-form-urlencoded"}}, http::encode_form(fields));
}

std::string Harness::app_token() {
  auto g = post_json("/_emulator/consent/grant", boost::json::object{{"clientId", info.app_id}});
  EXPECT_EQ(g.status, 200);
  auto r = post_form("/" + info.tenant_id + "/oauth2/v2.0/token",
                     {{"grant_type", "client_credentials"},
                      {"client_id", info.app_id},
                      {"client_secret", info.app_secret},
                      {"scope", "https://graph.microsoft.com/.default"}});
  EXPECT_EQ(r.status, 200) << r.body;
  return std::string(json(r).at("access_token").as_string());
}

boost::json::object Harness::json(const http::Response& r) {
  boost::json::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  EXPECT_FALSE(ec) << r.body;
  EXPECT_TRUE(v.is_object()) << r.body;
  return v.is_object() ? v.as_object() : boost::json::object{};
}

std::string Harness::user_id(const std::string& local) {
  const auto tenant = json(get("/_emulator/tenant"));
  for (const auto& a : tenant.at("accounts").as_array()) {
    const auto& o = a.as_object();
    if (o.at("userPrincipalName").as_string() == local + "@" + info.domain) {
      return std::string(o.at("id").as_string());
    }
  }
  ADD_FAILURE() << "no account " << local;
  return {};
}

std::string flow_of(const http::Response& page) {
  const std::string marker = "name=\"flow\" value=\"";
  const auto p = page.body.find(marker);
  if (p == std::string::npos) return {};
  const auto start = p + marker.size();
  return page.body.substr(start, page.body.find('"', start) - start);
}

std::string url_param(const std::string& url, const std::string& name) {
  auto q = url.find_first_of("?#");
  if (q == std::string::npos) return {};
  for (auto& [k, v] : http::parse_form(url.substr(q + 1))) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace ccteams::emulator::testing
