#pragma once
// Starts `ccteams demo --port 0` in a fresh data folder and knows its port.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <memory>
#include <random>
#include <regex>

#include "support/process.hpp"
#include "support/raw_http.hpp"

namespace ccteams::testing {

inline std::filesystem::path make_temp_dir(const std::string& prefix) {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() /
             (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir;
}

class DemoProcess {
 public:
  explicit DemoProcess(const std::vector<std::string>& extra = {}) : data_(make_temp_dir("ccteams-demo")) {
    std::vector<std::string> argv = {CCTEAMS_BINARY, "demo", "--port", "0", "--password", "pw",
                                     "--password-hash", "minimum", "--agents", "3", "--simulation", "off",
                                     "--data", data_.string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<ChildProcess>(argv);
    if (!process_->wait_for_output("Password:", std::chrono::seconds(60))) {
      ADD_FAILURE() << "demo did not start:\n" << process_->output();
      return;
    }
    std::smatch m;
    const std::string out = process_->output();
    static const std::regex kConsole(R"(Console:\s+http://127\.0\.0\.1:(\d+)/)");
    if (std::regex_search(out, m, kConsole)) port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
  }
  ~DemoProcess() {
    process_.reset();
    std::error_code ec;
    std::filesystem::remove_all(data_, ec);
  }

  std::uint16_t port() const { return port_; }
  ChildProcess& process() { return *process_; }
  const std::filesystem::path& data() const { return data_; }

  RawResponse get(const std::string& target, const std::string& token = {}) {
    return http_request(port_, "GET", target, {}, auth(token));
  }
  RawResponse send(const std::string& method, const std::string& target, const std::string& body,
                   const std::string& token = {}) {
    return http_request(port_, method, target, body, auth(token));
  }
  std::string login(const std::string& username, const std::string& password = "pw") {
    auto r = send("POST", "/api/v1/auth/login",
                  boost::json::serialize(boost::json::object{{"username", username}, {"password", password}}));
    if (r.status != 200) {
      ADD_FAILURE() << "login " << username << " -> " << r.status << " " << r.body;
      return {};
    }
    return std::string(boost::json::parse(r.body).at("token").as_string());
  }

 private:
  static std::vector<std::pair<std::string, std::string>> auth(const std::string& token) {
    if (token.empty()) return {};
    return {{"Authorization", "Bearer " + token}};
  }
  std::filesystem::path data_;
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
};

inline boost::json::value parse(const std::string& body) { return boost::json::parse(body); }

}  // namespace ccteams::testing
