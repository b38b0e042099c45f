#pragma once
// Starts `ccteams demo --port 0` in a fresh (or a given) data folder and knows its port.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>
#include <memory>
#include <random>
#include <regex>

#include "support/entra_browser.hpp"
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
  explicit DemoProcess(const std::vector<std::string>& extra = {})
      : DemoProcess(make_temp_dir("ccteams-demo"), true, extra) {}
  // Runs on an existing data folder (a restart); removes it at the end only when owns_data.
  DemoProcess(std::filesystem::path data, bool owns_data, const std::vector<std::string>& extra = {})
      : data_(std::move(data)), owns_data_(owns_data) {
    std::vector<std::string> argv = {CCTEAMS_BINARY, "demo", "--port", "0", "--password", "pw",
                                     "--password-hash", "minimum", "--simulation", "off",
                                     "--data", data_.string()};
    // Three agents unless extra names another count (an option may be given once).
    if (std::find(extra.begin(), extra.end(), "--agents") == extra.end()) {
      argv.insert(argv.end(), {"--agents", "3"});
    }
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
    if (!owns_data_) return;
    std::error_code ec;
    std::filesystem::remove_all(data_, ec);
  }

  // Ends the process abruptly (SIGKILL: no shutdown code runs, as in a crash); true once it has
  // gone within the timeout.
  bool kill(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    process_->signal(SIGKILL);
    return process_->wait_exit(timeout).has_value();
  }

  std::uint16_t port() const { return port_; }
  ChildProcess& process() { return *process_; }
  const std::filesystem::path& data() const { return data_; }

  RawResponse get(const std::string& target, const std::string& token = {}) {
    return http_request(port_, "GET", target, {}, auth(token));
  }
  // GET target without a session; {status, Location} for a redirect, else {status, body}
  // (the connector's Set up: our callback redirects from the sign-in to admin consent).
  std::pair<int, std::string> open_redirect(const std::string& target) {
    auto r = get(target);
    return {r.status, r.status == 302 ? r.header("location") : r.body};
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
  bool owns_data_ = true;
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
};

inline boost::json::value parse(const std::string& body) { return boost::json::parse(body); }

inline std::int64_t id_of(const std::string& body) { return parse(body).at("id").as_int64(); }

// The id of the item called name in a list response ({"items":[{"id","name"}…]}).
inline std::int64_t find_named(DemoProcess& demo, const std::string& path,
                               const std::string& name, const std::string& token) {
  auto r = demo.get(path, token);
  const boost::json::value body = parse(r.body);
  for (const auto& item : body.at("items").as_array()) {
    if (item.at("name").as_string() == name) return item.at("id").as_int64();
  }
  ADD_FAILURE() << name << " not in " << r.body;
  return 0;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A browser for the demo's embedded emulator (its URL from the demo's output, its CA from the
// data folder); nullopt after a test failure.
inline std::optional<EntraBrowser> emulator_browser(DemoProcess& demo) {
  static const std::regex kUrl(R"(Graph emulator:\s+(https://127\.0\.0\.1:\d+))");
  std::smatch m;
  const std::string out = demo.process().output();
  if (!std::regex_search(out, m, kUrl)) {
    ADD_FAILURE() << "no emulator URL in the demo's output:\n" << out;
    return std::nullopt;
  }
  return EntraBrowser(m[1].str(), slurp(demo.data() / "emulator-ca.pem"));
}

// Polls done every 25 ms until it holds or timeout passes; its last answer.
inline bool eventually(const std::function<bool()>& done,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return done();
}

}  // namespace ccteams::testing
