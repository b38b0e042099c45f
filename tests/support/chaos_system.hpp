#pragma once
// Issue 17's running system, shared by the kill-chaos run (chaos_harness.hpp) and the Graph
// fault storms (fault_storms.hpp). No GoogleTest here: what goes wrong is collected in
// failures().
//
// The world: `ccteams graph-emulator` as its own process (Teams presence, consent, the sync
// account's tokens, subscriptions, delivery and request counts live there), and `ccteams demo
// --graph-emulator <it>` on a fixed port and data folder (start_demo() starts it again after a
// kill). setup(): the admin sets the Teams connector up in the emulator's pages, signs a sync
// account in (so Graph sends change notifications to the demo's webhook), turns presence sync
// on and links the agents to Teams users of their own, all logged in.
//
// Workers a run may start (each until stop is set): agent_loop (accept, end, wrap up, back to
// Available after an idle not made by sync), caller_loop (a contact every contact_every) and
// presence_loop (a Teams presence change every presence_every).

#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/entra_consent.hpp"
#include "support/graph_emulator_process.hpp"
#include "support/process.hpp"
#include "support/raw_http.hpp"
#include "support/run_helpers.hpp"

namespace ccteams::testing {

struct ChaosSystemOptions {
  std::string binary;  // the ccteams binary
  int agents = 5;
  int sync_round_ms = 60000;  // the demo's bulk-read round
  std::chrono::milliseconds presence_every{100};  // presence_loop: one change this often
  std::chrono::milliseconds contact_every{60};    // caller_loop: one contact this often
  std::vector<std::string> emulator_args;         // more flags of `ccteams graph-emulator`
  std::vector<std::string> demo_args;             // more flags of `ccteams demo`
  std::filesystem::path work_dir;                 // data and emulator CA live under it
};

// Teams presences the runs set: mapped ones idle an Available agent (rule 1), unmapped ones
// return an agent idled by sync (rule 2). Busy / In a call right after a contact is our own
// session's echo (rule 5), so final changes never pick it.
inline constexpr std::pair<const char*, const char*> kMappedPresences[] = {
    {"DoNotDisturb", "DoNotDisturb"}, {"DoNotDisturb", "Presenting"}, {"Busy", "InACall"}};
inline constexpr std::pair<const char*, const char*> kUnmappedPresences[] = {
    {"Available", "Available"},
    {"Away", "Away"},
    {"BeRightBack", "BeRightBack"},
    {"Busy", "Busy"}};

class ChaosSystem {
 public:
  using Json = boost::json::value;

  struct Agent {
    std::string name;
    std::int64_t id = 0;
    std::string token;
    std::string teams_user;
  };

  explicit ChaosSystem(ChaosSystemOptions o) : o_(std::move(o)) {}
  ~ChaosSystem() {
    stop = true;
    demo_.reset();
    emulator_.reset();
  }

  // ---- the processes --------------------------------------------------------------------

  bool start_demo() {
    std::vector<std::string> args{o_.binary,
                                 "demo",
                                 "--port",
                                 std::to_string(port_),
                                 "--password",
                                 "pw",
                                 "--password-hash",
                                 "minimum",
                                 "--simulation",
                                 "off",
                                 "--data",
                                 data_.string(),
                                 "--agents",
                                 std::to_string(o_.agents),
                                 "--sync-round-ms",
                                 std::to_string(o_.sync_round_ms),
                                 "--log-level",
                                 "warn",
                                 "--graph-emulator",
                                 emulator_->base(),
                                 "--graph-emulator-ca",
                                 (o_.work_dir / "emulator-ca.pem").string(),
                                 "--graph-app-id",
                                 emulator_->app_id(),
                                 "--graph-app-secret",
                                 emulator_->app_secret()};
    args.insert(args.end(), o_.demo_args.begin(), o_.demo_args.end());
    demo_ = std::make_unique<ChildProcess>(std::move(args));
    if (!demo_->wait_for_output("Password:", std::chrono::seconds(60))) {
      fail("the demo did not start: " + demo_->output());
      return false;
    }
    admin_ = login("admin");
    for (auto& a : agents_) a.token = login(a.name);
    return !admin_.empty();
  }

  bool setup() {
    std::filesystem::create_directories(o_.work_dir);
    data_ = o_.work_dir / "data";
    const std::string ca_path = (o_.work_dir / "emulator-ca.pem").string();
    std::vector<std::string> args{
        "--users", "5", "--activity", "0", "--ca-out", ca_path, "--redirect-uri",
        "http://127.0.0.1/api/v1/connectors/msteams/callback", "--redirect-uri",
        "http://127.0.0.1/api/v1/connectors/msteams/sync-accounts/callback"};
    args.insert(args.end(), o_.emulator_args.begin(), o_.emulator_args.end());
    emulator_ = std::make_unique<GraphEmulatorProcess>(o_.binary, args);
    if (!emulator_->ok())
      return fail("the emulator did not start: " + emulator_->process().output());
    emulator_->ca = slurp_file(ca_path);
    port_ = free_loopback_port();
    for (int i = 1; i <= o_.agents; ++i) agents_.push_back({"agent" + std::to_string(i)});
    if (!start_demo()) return false;

    // The connector, set up by admin@ in the emulator's pages, and a sync account.
    if (!set_up_connector() || !sign_in_sync_account()) return false;
    auto on = send("PATCH", "/api/v1/connectors/msteams", R"({"presenceSync":true})", admin_);
    if (!on || on->status != 200) return fail("presenceSync on: " + body_of(on));

    // Agents in the Sales queue, linked to Teams users of their own; RONA at its minimum.
    const auto sales = named_id("/api/v1/queues", "Sales");
    const auto profile = named_id("/api/v1/desktop-profiles", "Demo agents");
    auto patched =
        send("PATCH", "/api/v1/desktop-profiles/" + std::to_string(profile),
             R"({"ronaTimeoutSeconds":5,"wrapUpSeconds":2,"microsoftTeams":true})", admin_);
    if (!patched || patched->status != 200) return fail("profile: " + body_of(patched));
    queue_ = sales;
    auto list = send("GET", "/api/v1/agents", "", admin_);
    if (!list || list->status != 200) return fail("agents: " + body_of(list));
    for (auto& a : agents_) {
      const auto agents = boost::json::parse(list->body);
      for (const auto& item : agents.at("items").as_array()) {
        if (item.at("username") == Json(a.name)) a.id = item.at("userId").as_int64();
      }
      auto user =
          emulator_->call("POST", "/_emulator/users",
                          boost::json::serialize(boost::json::object{
                              {"userPrincipalName", "chaos-" + a.name + "@" + emulator_->domain()},
                              {"displayName", "Chaos " + a.name}}));
      if (!user || user->status != 201) return fail("Teams user: " + (user ? user->body : ""));
      a.teams_user = std::string(boost::json::parse(user->body).at("id").as_string());
      auto link = send("PATCH", "/api/v1/agents/" + std::to_string(a.id),
                       boost::json::serialize(boost::json::object{
                           {"teamsUserId", a.teams_user}, {"queueIds", boost::json::array{sales}}}),
                       admin_);
      if (!link || link->status != 200) return fail("link " + a.name + ": " + body_of(link));
      set_presence(a, "Available", "Available");
      auto session = send("POST", "/api/v1/me/session", "", a.token);
      if (!session || session->status != 200) return fail("log in: " + body_of(session));
    }
    if (!wait_sync_ready()) return false;
    return true;
  }

  // Set up (or re-authorise) the Teams connector as admin@ in the emulator's pages.
  bool set_up_connector() {
    const auto start = send("POST", "/api/v1/connectors/msteams/authorize", "", admin_);
    if (!start || start->status != 200) return fail("authorize: " + body_of(start));
    auto location =
        entra_set_up(emulator_->base(), emulator_->ca, url_field(start->body, "authorizationUrl"),
                     admin_upn(), [&](const std::string& loc) -> std::pair<int, std::string> {
                       auto r = send("GET", target_of(loc), "", "");
                       if (!r) return {0, "no answer"};
                       return {r->status, r->status == 302 ? r->header("location") : r->body};
                     });
    if (!location) return fail("connector set up: " + location.error().message);
    auto page = send("GET", target_of(*location), "", "");
    if (!page || page->status != 200) return fail("consent callback: " + body_of(page));
    return true;
  }

  // Sign admin@ in as the sync account (again: the same account keeps its id).
  bool sign_in_sync_account() {
    auto sign_in = send("POST", "/api/v1/connectors/msteams/sync-accounts/sign-in", "", admin_);
    if (!sign_in || sign_in->status != 200) return fail("sync account: " + body_of(sign_in));
    auto signed_in = entra_consent(emulator_->base(), emulator_->ca,
                                   url_field(sign_in->body, "authorizationUrl"), admin_upn(),
                                   "accept");
    if (!signed_in) return fail("sync account sign-in: " + signed_in.error().message);
    auto page = send("GET", target_of(*signed_in), "", "");
    if (!page || page->status != 200) return fail("sync account callback: " + body_of(page));
    return true;
  }

  std::string admin_upn() const { return "admin@" + emulator_->domain(); }

  // The first sync is through for every agent, and a subscription delivers to the webhook.
  bool wait_sync_ready(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    const bool ready = poll_until(timeout, [&] {
      auto s = send("GET", "/api/v1/connectors/msteams/presence-sync", "", admin_);
      if (!s || s->status != 200) return false;
      const auto v = boost::json::parse(s->body);
      if (!v.at("running").as_bool() || v.at("firstSync").at("completedAt").is_null() ||
          v.at("firstSync").at("pending").as_int64() != 0 ||
          v.at("watchedUsers").as_int64() < o_.agents) {
        return false;
      }
      return !webhook_subscriptions().empty();
    });
    if (!ready) {
      auto s = send("GET", "/api/v1/connectors/msteams/presence-sync", "", admin_);
      return fail("presence sync never got ready: " + body_of(s));
    }
    return true;
  }

  // Ids of the emulator's subscriptions that deliver to the demo's webhook.
  std::vector<std::string> webhook_subscriptions() {
    std::vector<std::string> out;
    for (auto& s : testing::webhook_subscriptions(*emulator_)) out.push_back(std::move(s.id));
    return out;
  }

  // ---- workers ----------------------------------------------------------------------------

  void agent_loop(std::size_t i, unsigned seed) {
    std::mt19937 rng(seed);
    const Agent& a = agents_[i];
    while (!stop) {
      auto me = send("GET", "/api/v1/me", "", a.token);
      if (!me || me->status != 200) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      const auto s = boost::json::parse(me->body).at("state").as_object();
      const std::string state(s.at("state").as_string());
      if (state == "LoggedOut") {
        send("POST", "/api/v1/me/session", "", a.token);
      } else if (state == "Idle" && s.at("origin") != "presence_sync") {
        send("PUT", "/api/v1/me/state", R"({"state":"Available"})", a.token);
      } else if (state == "Reserved") {
        std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 300));
        send("POST", contact_path(s.at("contactId").as_int64()) + "/accept", "", a.token);
      } else if (state == "Engaged") {
        std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 300));
        send("POST", contact_path(s.at("contactId").as_int64()) + "/end", "", a.token);
      } else if (state == "WrapUp") {
        send("POST", contact_path(s.at("contactId").as_int64()) + "/wrapup", R"({"code":"done"})",
             a.token);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  }

  void caller_loop() {
    const std::string body =
        R"({"queueId":)" + std::to_string(queue_) + R"(,"caller":"+15550100"})";
    while (!stop) {
      auto r = send("POST", "/api/v1/demo/contacts", body, admin_);
      if (r && r->status == 201) {
        const auto id = boost::json::parse(r->body).at("contact").at("id").as_int64();
        std::lock_guard lock(mu);
        acknowledged.insert(id);
        max_id = std::max(max_id, id);
        ++contacts_acknowledged;
      }
      std::this_thread::sleep_for(o_.contact_every);
    }
  }

  void presence_loop(unsigned seed) {
    std::mt19937 rng(seed);
    while (!stop) {
      random_presence(agents_[rng() % agents_.size()], rng);
      std::this_thread::sleep_for(o_.presence_every);
    }
  }

  // ---- API helpers ------------------------------------------------------------------------

  void set_presence(const Agent& a, const std::string& availability, const std::string& activity) {
    auto r = emulator_->call("POST", "/_emulator/users/" + a.teams_user + "/presence",
                             boost::json::serialize(boost::json::object{
                                 {"availability", availability}, {"activity", activity}}));
    if (!r || r->status != 200) {
      fail("Teams presence: " + (r ? r->body : r.error().message));
      return;
    }
    std::lock_guard lock(mu);
    ++presence_changes;
    last_presence[a.id] = {availability, activity};
  }

  template <class Rng>
  void random_presence(const Agent& a, Rng& rng) {
    const bool mapped = rng() % 2 == 0;
    const auto& p = mapped ? kMappedPresences[rng() % std::size(kMappedPresences)]
                           : kUnmappedPresences[rng() % std::size(kUnmappedPresences)];
    set_presence(a, p.first, p.second);
  }

  std::map<std::int64_t, boost::json::object> agent_states() {
    std::map<std::int64_t, boost::json::object> out;
    auto r = send("GET", "/api/v1/agents/states", "", admin_);
    if (!r || r->status != 200) return out;
    const auto states = boost::json::parse(r->body);
    for (const auto& a : states.at("items").as_array()) {
      out[a.at("agentId").as_int64()] = a.at("state").as_object();
    }
    return out;
  }

  std::optional<RawResponse> send(const std::string& method, const std::string& target,
                                  const std::string& body, const std::string& token) {
    try {
      std::vector<std::pair<std::string, std::string>> headers;
      if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
      return http_request(port_, method, target, body, headers);
    } catch (const std::exception&) {
      return std::nullopt;  // the demo is dead or not up yet
    }
  }

  std::string login(const std::string& username) {
    auto r = send(
        "POST", "/api/v1/auth/login",
        boost::json::serialize(boost::json::object{{"username", username}, {"password", "pw"}}),
        "");
    if (!r || r->status != 200) {
      fail("login " + username + ": " + body_of(r));
      return {};
    }
    return std::string(boost::json::parse(r->body).at("token").as_string());
  }

  std::int64_t named_id(const std::string& path, const std::string& name) {
    auto r = send("GET", path, "", admin_);
    if (r && r->status == 200) {
      const auto list = boost::json::parse(r->body);
      for (const auto& item : list.at("items").as_array()) {
        if (item.at("name") == Json(name)) return item.at("id").as_int64();
      }
    }
    fail(name + " not in " + path);
    return 0;
  }

  // Rows of the demo's presence inbox (read from its database file); -1 when unreadable.
  std::int64_t inbox_rows() {
    sqlite3* db = nullptr;
    const auto path = (data_ / "ccteams.db").string();
    std::int64_t n = -1;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT count(*) FROM presence_inbox", -1, &st, nullptr) ==
              SQLITE_OK &&
          sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
  }

  static std::string url_field(const std::string& body, const char* key) {
    return std::string(boost::json::parse(body).at(key).as_string());
  }
  static std::string body_of(const std::optional<RawResponse>& r) {
    return r ? std::to_string(r->status) + " " + r->body : "no answer";
  }
  static std::string contact_path(std::int64_t id) {
    return "/api/v1/contacts/" + std::to_string(id);
  }
  static std::string slurp_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static bool poll_until(std::chrono::milliseconds timeout, const std::function<bool()>& done) {
    return testing::poll_until(timeout, done);
  }
  bool fail(const std::string& what) {
    std::lock_guard lock(mu);
    failures.push_back(what);
    return false;
  }
  std::size_t failure_count() {
    std::lock_guard lock(mu);
    return failures.size();
  }

  const ChaosSystemOptions& options() const { return o_; }
  GraphEmulatorProcess& emulator() { return *emulator_; }
  ChildProcess& demo() { return *demo_; }
  const std::filesystem::path& data_dir() const { return data_; }
  const std::string& admin() const { return admin_; }
  std::vector<Agent>& agents() { return agents_; }

  // Shared with the runs; guarded by mu while workers run.
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> failures;  // what went wrong, in words
  std::uint64_t presence_changes = 0;
  std::uint64_t contacts_acknowledged = 0;
  std::set<std::int64_t> acknowledged;  // contacts answered 201, not seen Ended yet
  std::set<std::int64_t> ended;         // answered 201, seen Ended
  std::int64_t max_id = 0;              // the largest contact id seen
  // The last Teams presence set per agent (availability, activity).
  std::map<std::int64_t, std::pair<std::string, std::string>> last_presence;

 private:

  ChaosSystemOptions o_;
  std::unique_ptr<GraphEmulatorProcess> emulator_;
  std::unique_ptr<ChildProcess> demo_;
  std::filesystem::path data_;
  std::uint16_t port_ = 0;
  std::string admin_;
  std::vector<Agent> agents_;
  std::int64_t queue_ = 0;
};

}  // namespace ccteams::testing
