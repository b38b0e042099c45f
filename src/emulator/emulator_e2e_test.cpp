// The emulator served by the project's HttpServer on 127.0.0.1:0: the same routes over a real
// socket, including the asynchronous latency fault.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "adapters/http/server_test_support.hpp"
#include "emulator/harness_test.hpp"

namespace ccteams::emulator {
namespace {

namespace json = boost::json;
using http::testing::fetch;
using http::testing::ServerHarness;

json::object parse(const std::string& body) {
  json::error_code ec;
  auto v = json::parse(body, ec);
  EXPECT_FALSE(ec) << body;
  return v.is_object() ? v.as_object() : json::object{};
}

TEST(EmulatorOverHttp, TokenUsersPagingAndPresence) {
  testing::Harness h(120);
  ServerHarness server(h.router, http::ServerOptions{});
  const auto port = server.port();
  const auto form = [](const std::vector<std::pair<std::string, std::string>>& f) {
    return http::encode_form(f);
  };
  ASSERT_TRUE(fetch(port, "POST", "/_emulator/consent/grant", "{}",
                    {{"Content-Type", "application/json"}}));
  auto tok = fetch(port, "POST", "/" + h.info.tenant_id + "/oauth2/v2.0/token",
                   form({{"grant_type", "client_credentials"},
                         {"client_id", h.info.app_id},
                         {"client_secret", h.info.app_secret},
                         {"scope", "https://graph.microsoft.com/.default"}}),
                   {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_TRUE(tok);
  ASSERT_EQ(tok->result_int(), 200) << tok->body();
  const std::string bearer = "Bearer " + std::string(parse(tok->body()).at("access_token").as_string());

  std::string target = "/v1.0/users?$top=50&$select=id,displayName";
  std::size_t users = 0;
  while (!target.empty()) {
    auto r = fetch(port, "GET", target, {}, {{"Authorization", bearer}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->result_int(), 200) << r->body();
    auto body = parse(r->body());
    users += body.at("value").as_array().size();
    target = body.contains("@odata.nextLink")
                 ? std::string(body.at("@odata.nextLink").as_string()).substr(16)  // drop host
                 : "";
  }
  EXPECT_EQ(users, 123u);

  ASSERT_TRUE(fetch(port, "POST", "/_emulator/faults", "{\"latencyMs\":50}",
                    {{"Content-Type", "application/json"}}));
  const std::string id = h.user_id("member");
  const auto start = std::chrono::steady_clock::now();
  auto set = fetch(port, "POST", "/v1.0/users/" + id + "/presence/setPresence",
                   json::serialize(json::object{{"sessionId", h.info.app_id},
                                                {"availability", "Busy"},
                                                {"activity", "InACall"}}),
                   {{"Authorization", bearer}, {"Content-Type", "application/json"}});
  ASSERT_TRUE(set);
  EXPECT_EQ(set->result_int(), 200) << set->body();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  auto p = fetch(port, "GET", "/v1.0/users/" + id + "/presence", {}, {{"Authorization", bearer}});
  ASSERT_TRUE(p);
  EXPECT_EQ(parse(p->body()).at("activity").as_string(), "InACall");
}

}  // namespace
}  // namespace ccteams::emulator
