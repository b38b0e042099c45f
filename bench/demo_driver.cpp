#include "demo_driver.hpp"

#include <boost/json.hpp>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include "support/entra_consent.hpp"
#include "support/process.hpp"

namespace ccteams::bench {

namespace json = boost::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::mutex g_mu;
std::string g_program = "bench";
testing::ChildProcess* g_running = nullptr;  // the demo whose output die() prints

std::string required(const std::string& text, const std::regex& pattern, const char* what) {
  std::smatch m;
  if (!std::regex_search(text, m, pattern)) die(std::string("demo printed no ") + what);
  return m[1].str();
}

}  // namespace

void set_program_name(std::string name) {
  std::lock_guard lock(g_mu);
  g_program = std::move(name);
}

void die(const std::string& what) {
  {
    std::lock_guard lock(g_mu);
    if (g_running != nullptr) {
      const std::string out = g_running->output();
      const std::size_t keep = 6000;
      std::fprintf(stderr, "---- demo output (end) ----\n%s\n",
                   out.substr(out.size() > keep ? out.size() - keep : 0).c_str());
    }
    std::fprintf(stderr, "%s: %s\n", g_program.c_str(), what.c_str());
  }
  std::fflush(stdout);
  std::_Exit(1);  // the demo's reader thread and ours are not joined: exit without unwinding
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

DemoProcess::DemoProcess(const DemoOptions& o) : password_(o.password) {
  static std::atomic<int> serial{0};
  data_ = fs::temp_directory_path() /
          ("ccteams-bench-" + std::to_string(::getpid()) + "-" + std::to_string(serial++));
  fs::create_directories(data_);
  std::vector<std::string> argv = {o.binary,       "demo",          "--port",   "0",
                                   "--password",   o.password,      "--password-hash",
                                   "minimum",      "--agents",      std::to_string(o.agents),
                                   "--simulation", o.simulation ? "on" : "off",
                                   "--log-level",  "warn",          "--data",   data_.string()};
  if (o.emulator_users > 0) {
    argv.insert(argv.end(), {"--emulator-users", std::to_string(o.emulator_users)});
  }
  process_ = std::make_unique<testing::ChildProcess>(argv);
  {
    std::lock_guard lock(g_mu);
    g_running = process_.get();
  }
  if (!process_->wait_for_output("Password:", std::chrono::seconds(900))) {
    die("demo did not start");
  }
  const std::string out = process_->output();
  port_ = static_cast<std::uint16_t>(
      std::stoi(required(out, std::regex(R"(Console:\s+http://127\.0\.0\.1:(\d+)/)"), "console")));
  emulator_ = required(out, std::regex(R"(Graph emulator:\s+(https://127\.0\.0\.1:\d+))"),
                       "emulator address");
  std::ifstream ca_in(data_ / "emulator-ca.pem");
  std::stringstream ca;
  ca << ca_in.rdbuf();
  ca_ = ca.str();
}

DemoProcess::~DemoProcess() {
  process_->signal(SIGTERM);
  (void)process_->wait_exit(std::chrono::seconds(20));
  {
    std::lock_guard lock(g_mu);
    if (g_running == process_.get()) g_running = nullptr;
  }
  std::error_code ec;
  fs::remove_all(data_, ec);
}

pid_t DemoProcess::pid() const { return process_->pid(); }

testing::RawResponse DemoProcess::call(const std::string& method, const std::string& target,
                                       const std::string& token, const std::string& body) const {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return testing::http_request(port_, method, target, body, headers);
}

std::string DemoProcess::login(const std::string& user) const {
  auto r = call("POST", "/api/v1/auth/login", {},
                json::serialize(json::object{{"username", user}, {"password", password_}}));
  if (r.status != 200) die("login " + user + ": " + r.body);
  return std::string(json::parse(r.body).at("token").as_string());
}

Result<ClientResponse> DemoProcess::emulator(const std::string& method, const std::string& path,
                                             const std::string& body) const {
  ClientRequest req{method, emulator_ + path, {}, body, std::chrono::seconds(10)};
  if (!body.empty()) req.headers = {{"Content-Type", "application/json"}};
  return testing::client_send(req, ca_);
}

void DemoProcess::teams_client(const std::string& user, const char* availability,
                               const char* activity) const {
  auto r = emulator("POST", "/_emulator/users/" + user + "/presence",
                    json::serialize(json::object{{"availability", availability},
                                                 {"activity", activity}}));
  if (!r || r->status != 200) die("emulator presence: " + (r ? r->body : r.error().message));
}

void DemoProcess::open_callback(const Result<std::string>& location,
                                const std::string& upn) const {
  if (!location) die("consent as " + upn + ": " + location.error().message);
  auto page = call("GET", testing::target_of(*location), {});
  if (page.status != 200) die("callback for " + upn + ": " + page.body);
}

std::string DemoProcess::connect_teams(const std::string& admin) const {
  auto tenant = emulator("GET", "/_emulator/tenant");
  if (!tenant || tenant->status != 200) die("emulator tenant");
  const std::string domain(json::parse(tenant->body).at("domain").as_string());
  auto start = call("POST", "/api/v1/connectors/msteams/authorize", admin);
  if (start.status != 200) die("authorize: " + start.body);
  const std::string url(json::parse(start.body).at("authorizationUrl").as_string());
  const std::string upn = "admin@" + domain;
  open_callback(testing::entra_set_up(emulator_, ca_, url, upn,
                                      [&](const std::string& loc) {
                                        auto r = call("GET", testing::target_of(loc), {});
                                        return std::pair<int, std::string>(
                                            r.status,
                                            r.status == 302 ? r.header("location") : r.body);
                                      }),
                upn);
  return domain;
}

void DemoProcess::sign_in_sync_account(const std::string& admin, const std::string& upn) const {
  auto created = emulator("POST", "/_emulator/users",
                          json::serialize(json::object{{"userPrincipalName", upn},
                                                       {"displayName", "Sync " + upn}}));
  if (!created || created->status != 201) {
    die("emulator user: " + (created ? created->body : created.error().message));
  }
  auto sign_in = call("POST", "/api/v1/connectors/msteams/sync-accounts/sign-in", admin);
  if (sign_in.status != 200) die("sync account sign-in: " + sign_in.body);
  const std::string url(json::parse(sign_in.body).at("authorizationUrl").as_string());
  open_callback(testing::entra_consent(emulator_, ca_, url, upn), upn);
}

std::vector<std::string> DemoProcess::agent_teams_users(const std::string& admin,
                                                        int agents) const {
  std::vector<std::string> users(static_cast<std::size_t>(agents));
  auto list = json::parse(call("GET", "/api/v1/agents", admin).body).at("items").as_array();
  for (const auto& a : list) {
    const std::string name(a.at("username").as_string());
    if (name.rfind("agent", 0) != 0 || !a.at("teamsUserId").is_string()) continue;
    const int n = std::atoi(name.c_str() + 5);
    if (n >= 1 && n <= agents) {
      users[static_cast<std::size_t>(n - 1)] = a.at("teamsUserId").as_string();
    }
  }
  for (std::size_t i = 0; i < users.size(); ++i) {
    if (users[i].empty()) die("agent" + std::to_string(i + 1) + " has no Teams user");
  }
  return users;
}

json::object DemoProcess::sync_status(const std::string& admin) const {
  return json::parse(call("GET", "/api/v1/connectors/msteams/presence-sync", admin).body)
      .as_object();
}

std::string DemoProcess::metrics(const std::string& admin) const {
  return call("GET", "/metrics", admin).body;
}

Rss rss_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  Rss r;
  for (std::string line; std::getline(in, line);) {  // "VmRSS:\t  123456 kB"
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = line.substr(0, colon);
    if (key != "VmRSS" && key != "VmHWM") continue;
    const double mib = std::atof(line.c_str() + colon + 1) / 1024;
    (key == "VmRSS" ? r.now_mib : r.peak_mib) = mib;
  }
  return r;
}

std::size_t open_fds(pid_t pid) {
  std::error_code ec;
  std::size_t n = 0;
  for (fs::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end;
       !ec && it != end; it.increment(ec)) {
    ++n;
  }
  return n;
}

double counter_value(const std::string& metrics, const std::string& line_prefix) {
  const auto at = metrics.find("\n" + line_prefix);  // a sample line, not its # HELP
  if (at == std::string::npos) return 0;
  return std::stod(metrics.substr(at + 1 + line_prefix.size()));
}

}  // namespace ccteams::bench
