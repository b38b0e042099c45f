#pragma once
// Test support for the emulator's handler tests: an emulator on a manual clock and a way to
// call its routes through Router::match without a server.

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <vector>

#include "adapters/http/router.hpp"
#include "emulator/graph_emulator.hpp"

namespace ccteams::emulator::testing {

struct Harness {
  // tenants > 1: tenant k's domain is "contoso{k}.example".
  explicit Harness(int users = 30, std::uint64_t seed = 9, int tenants = 1);

  // method + target ("/v1.0/users?$top=5"); headers as {name, value}; body as given.
  http::Response call(std::string method, std::string target,
                      std::vector<http::Header> headers = {}, std::string body = {});
  http::Response get(std::string target, std::string bearer = {},
                     std::vector<http::Header> extra = {});
  http::Response post_json(std::string target, const boost::json::value& body,
                           std::string bearer = {});
  http::Response post_form(std::string target,
                           const std::vector<std::pair<std::string, std::string>>& fields);

  std::string app_token();  // grants admin consent first, then client_credentials
  boost::json::object json(const http::Response& r);  // asserts a JSON object body
  std::string user_id(const std::string& local);       // "member" -> id

  std::shared_ptr<Timestamp> now;
  std::string remote_address = "127.0.0.1";  // the client address handlers see
  std::unique_ptr<GraphEmulator> emulator;
  http::Router router;
  EmulatorInfo info;
};

// The RSA key (PEM) every Harness signs with, to verify or mint tokens in tests.
const std::string& harness_signing_key();

// The hidden "flow" value of a sign-in or consent page's form; "" when there is none.
std::string flow_of(const http::Response& page);

// The value of a query parameter in a URL ("…?a=1&b=2"), percent-decoded; "" when absent.
std::string url_param(const std::string& url, const std::string& name);

}  // namespace ccteams::emulator::testing
