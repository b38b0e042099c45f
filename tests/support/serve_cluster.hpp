#pragma once
// Several `ccteams serve` instances with [cluster] on one PostgreSQL database, shared by the
// three-instance tests (tests/cluster_three_test.cpp) and bench/cluster_bench.cpp. No GoogleTest
// here: setup() says what went wrong in error().
//
// The world: optionally `ccteams graph-emulator` as its own process; the instances on fixed
// loopback ports chosen at setup (a restarted instance gets its port back, and its public_url,
// which Graph's subscriptions and the consent redirects name, stays true). Organisation
// "Contoso" (admin "admin", agents agent1..N) and organisations Extra1..K, each with an admin
// of its own, so that organisations spread over the instances. With the emulator, setup() sets
// Contoso's Teams connector up through the owner (as the admin would in the emulator's pages),
// signs the sync account in, turns presence sync on and links the agents to Teams users of
// their own, all logged in and Available.
//
// Thread-safety: setup(), start(), kill() and stop() from one thread; the request helpers
// (send, as_admin, owner, ...) from any thread once setup() returned.

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "adapters/pg/pg_db.hpp"
#include "support/entra_consent.hpp"
#include "support/graph_emulator_process.hpp"
#include "support/process.hpp"
#include "support/raw_http.hpp"
#include "support/run_helpers.hpp"

namespace ccteams::testing {

struct ServeClusterOptions {
  std::string binary;    // the ccteams binary
  std::string conninfo;  // the database (empty, the instances migrate it)
  std::filesystem::path work_dir;
  int instances = 3;
  int agents = 3;       // of Contoso
  int extra_orgs = 0;   // organisations Extra1..K besides Contoso
  bool teams = true;    // the emulator and Contoso's Teams connector with presence sync
  std::chrono::milliseconds lease_ttl{3000};
  std::chrono::milliseconds renew_every{1000};
  std::chrono::milliseconds scan_every{500};
  std::chrono::milliseconds margin{500};
  int store_connections = 2;
};

class ServeCluster {
 public:
  struct Agent {
    std::string name;
    std::int64_t id = 0;
    std::string token;
    std::string teams_user;
  };

  explicit ServeCluster(ServeClusterOptions o) : o_(std::move(o)) {
    instances_.resize(static_cast<std::size_t>(o_.instances));
  }
  ~ServeCluster() {
    for (auto& i : instances_) i.process.reset();  // SIGKILL: nothing of ours outlives the run
    emulator_.reset();
  }
  ServeCluster(const ServeCluster&) = delete;
  ServeCluster& operator=(const ServeCluster&) = delete;

  // ---- the processes --------------------------------------------------------------------

  bool setup() {
    std::filesystem::create_directories(o_.work_dir);
    if (o_.teams && !start_emulator()) return false;
    if (!write_key()) return false;
    for (int i = 1; i <= o_.agents; ++i) agents_.push_back({"agent" + std::to_string(i)});
    if (!add_user("Contoso", "admin", {"admin"})) return false;
    for (const auto& a : agents_) {
      if (!add_user("Contoso", a.name, {"agent"})) return false;
    }
    for (int k = 1; k <= o_.extra_orgs; ++k) {
      if (!add_user("Extra" + std::to_string(k), "admin" + std::to_string(k), {"admin"})) {
        return false;
      }
    }
    for (std::size_t i = 0; i < instances_.size(); ++i) {
      instances_[i].port = free_loopback_port();
      write_config(i);
    }
    for (std::size_t i = 0; i < instances_.size(); ++i) {
      if (!start(i)) return false;
    }
    if (!wait_spread(std::chrono::seconds(30))) return fail("organisations never spread");
    admin_ = login("admin");
    if (admin_.empty()) return false;
    for (auto& a : agents_) {
      a.token = login(a.name);
      if (a.token.empty()) return false;
    }
    return o_.teams ? set_up_teams() : true;
  }

  // Starts (or restarts) instance i on its port; true once it serves.
  bool start(std::size_t i) {
    auto& in = instances_[i];
    in.process = std::make_unique<ChildProcess>(std::vector<std::string>{
        o_.binary, "serve", "--config", in.config.string()});
    if (!in.process->wait_for_output("serving on", std::chrono::seconds(60))) {
      return fail("instance " + std::to_string(i) + " did not start: " + in.process->output());
    }
    in.alive = true;
    return true;
  }
  // kill -9, and waits for it to be gone.
  void kill(std::size_t i) {
    auto& p = instances_[i].process;
    if (!p) return;
    instances_[i].alive = false;
    p->signal(SIGKILL);
    (void)p->wait_exit(std::chrono::seconds(10));
  }
  // SIGTERM; its exit status (nullopt: it did not end within 30 s).
  std::optional<int> stop(std::size_t i) {
    auto& p = instances_[i].process;
    if (!p) return 0;
    instances_[i].alive = false;
    p->signal(SIGTERM);
    return p->wait_exit(std::chrono::seconds(30));
  }
  // Started and neither killed nor stopped since.
  bool running(std::size_t i) const { return instances_[i].alive; }
  ChildProcess& process(std::size_t i) { return *instances_[i].process; }
  std::uint16_t port(std::size_t i) const { return instances_[i].port; }
  std::size_t size() const { return instances_.size(); }

  // ---- requests ---------------------------------------------------------------------------

  std::optional<RawResponse> send(std::size_t i, const std::string& method,
                                  const std::string& target, const std::string& body,
                                  const std::string& token) const {
    try {
      std::vector<std::pair<std::string, std::string>> headers;
      if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
      return http_request(instances_[i].port, method, target, body, headers);
    } catch (const std::exception&) {
      return std::nullopt;  // the instance is dead or not up yet
    }
  }
  std::optional<RawResponse> as_admin(std::size_t i, const std::string& method,
                                      const std::string& target,
                                      const std::string& body = "") const {
    return send(i, method, target, body, admin_);
  }

  // How many organisations instance i owns (/readyz), or -1.
  int owned(std::size_t i) const {
    auto ready = send(i, "GET", "/readyz", "", "");
    if (!ready || ready->status != 200) return -1;
    const auto body = boost::json::parse(ready->body);
    const auto* cluster = body.as_object().if_contains("cluster");
    if (cluster == nullptr) return -1;
    return static_cast<int>(cluster->at("organisationsOwned").as_int64());
  }
  // The instance serving Contoso's live state, or nullopt: the holder of Contoso's live lease
  // (the database says whose), running and answering its agent states. Any instance answers
  // them (a non-owner forwards), so the answer alone does not say who owns the organisation.
  std::optional<std::size_t> owner() const {
    const std::string holder = contoso_lease_holder();
    if (holder.empty()) return std::nullopt;
    for (std::size_t i = 0; i < instances_.size(); ++i) {
      if (!running(i) || instance_id(i) != holder) continue;
      auto r = as_admin(i, "GET", "/api/v1/agents/states");
      if (r && r->status == 200) return i;
    }
    return std::nullopt;
  }
  // Instance i's owner id in the leases (/readyz cluster.owner), or empty.
  std::string instance_id(std::size_t i) const {
    auto ready = send(i, "GET", "/readyz", "", "");
    if (!ready || ready->status != 200) return {};
    const auto body = boost::json::parse(ready->body);
    const auto* cluster = body.as_object().if_contains("cluster");
    if (cluster == nullptr) return {};
    return std::string(cluster->at("owner").as_string());
  }
  // Who holds Contoso's lease now, from the database; empty when nobody does or the database
  // does not answer.
  std::string contoso_lease_holder() const {
    auto db = store::PgDb::open(o_.conninfo);
    if (!db) return {};
    auto conn = (*db)->lock();
    auto rows = conn.query(
        "SELECT l.owner FROM org_leases l JOIN organisations o ON o.id = l.org_id "
        "WHERE o.name = 'Contoso' AND l.expires_at > now()");
    if (!rows || rows->empty()) return {};
    return rows->text(0, 0);
  }
  std::optional<std::size_t> wait_owner(std::chrono::milliseconds timeout) const {
    std::optional<std::size_t> found;
    poll_until(timeout, [&] { return (found = owner()).has_value(); });
    return found;
  }
  // Every organisation owned by a running instance, each owning its fair share: at most
  // ceil(organisations / running instances), and some when there are enough to go round.
  bool spread() const {
    std::vector<int> counts;
    for (std::size_t i = 0; i < instances_.size(); ++i) {
      if (!running(i)) continue;
      const int n = owned(i);
      if (n < 0) return false;
      counts.push_back(n);
    }
    if (counts.empty()) return false;
    const int running_count = static_cast<int>(counts.size());
    const int share = (organisations() + running_count - 1) / running_count;
    int total = 0;
    for (const int n : counts) {
      if (n > share || (n == 0 && organisations() >= running_count)) return false;
      total += n;
    }
    return total == organisations();
  }
  bool wait_spread(std::chrono::milliseconds timeout) const {
    return poll_until(timeout, [&] { return spread(); });
  }
  int organisations() const { return 1 + o_.extra_orgs; }

  // Contoso's agent states by agent id (state object), asked of instance i; empty unless 200.
  std::map<std::int64_t, boost::json::object> agent_states(std::size_t i) const {
    std::map<std::int64_t, boost::json::object> out;
    auto r = as_admin(i, "GET", "/api/v1/agents/states");
    if (!r || r->status != 200) return out;
    const auto states = boost::json::parse(r->body);
    if (!states.is_object() || !states.as_object().contains("items")) return out;
    for (const auto& a : states.at("items").as_array()) {
      out[a.at("agentId").as_int64()] = a.at("state").as_object();
    }
    return out;
  }

  // ---- Teams --------------------------------------------------------------------------------

  // Sets the Teams client presence of agent a in the emulator.
  bool set_presence(const Agent& a, const std::string& availability,
                    const std::string& activity) {
    auto r = emulator_->call("POST", "/_emulator/users/" + a.teams_user + "/presence",
                             boost::json::serialize(boost::json::object{
                                 {"availability", availability}, {"activity", activity}}));
    return r && r->status == 200;
  }
  // The emulator delivers none of its own notifications (dropNotificationRate 1): what reaches
  // the instances is what the caller posts, to the instance it chooses.
  bool silence_emulator_deliveries() {
    auto r = emulator_->call("POST", "/_emulator/faults",
                             boost::json::serialize(boost::json::object{{"dropNotificationRate", 1}}));
    return r && r->status == 200;
  }
  // A basic presence change notification collection for these Teams users, as Graph would post
  // it for the subscription presence sync holds (its id and clientState read from the
  // emulator); "" when there is no such subscription.
  std::string notification(const std::vector<std::string>& teams_users) {
    const auto sub = webhook_subscription();
    if (!sub) return {};
    boost::json::array items;
    for (const auto& user : teams_users) {
      const std::string resource = "communications/presences/" + user;
      items.push_back(boost::json::object{
          {"subscriptionId", sub->first},
          {"clientState", sub->second},
          {"changeType", "updated"},
          {"resource", resource},
          {"subscriptionExpirationDateTime", "2099-12-31T00:00:00Z"},
          {"tenantId", emulator_->tenant()},
          {"resourceData",
           boost::json::object{{"@odata.type", "#Microsoft.Graph.presence"},
                               {"@odata.id", resource},
                               {"id", user}}}});
    }
    return boost::json::serialize(boost::json::object{{"value", std::move(items)}});
  }
  // The id and clientState of the emulator's subscription that delivers to our webhook.
  std::optional<std::pair<std::string, std::string>> webhook_subscription() const {
    for (auto& s : webhook_subscriptions(*emulator_)) {
      if (!s.client_state.empty()) return std::pair{std::move(s.id), std::move(s.client_state)};
    }
    return std::nullopt;
  }

  static bool poll_until(std::chrono::milliseconds timeout, const std::function<bool()>& done) {
    return testing::poll_until(timeout, done);
  }

  const std::string& error() const { return error_; }
  const std::string& admin() const { return admin_; }
  std::vector<Agent>& agents() { return agents_; }
  std::int64_t queue() const { return queue_; }
  GraphEmulatorProcess& emulator() { return *emulator_; }
  const ServeClusterOptions& options() const { return o_; }

 private:
  struct Instance {
    std::uint16_t port = 0;
    std::filesystem::path config;
    std::unique_ptr<ChildProcess> process;  // kept after it ended: its output tells why
    bool alive = false;
  };

  bool start_emulator() {
    const std::string ca_path = (o_.work_dir / "emulator-ca.pem").string();
    emulator_ = std::make_unique<GraphEmulatorProcess>(
        o_.binary,
        std::vector<std::string>{"--users", "5", "--activity", "0", "--ca-out", ca_path,
                                 "--redirect-uri",
                                 "http://127.0.0.1/api/v1/connectors/msteams/callback",
                                 "--redirect-uri",
                                 "http://127.0.0.1/api/v1/connectors/msteams/sync-accounts/callback"});
    if (!emulator_->ok()) return fail("the emulator did not start: " + emulator_->process().output());
    std::ifstream in(ca_path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    emulator_->ca = s.str();
    return true;
  }

  bool write_key() {
    ChildProcess gen({o_.binary, "secret", "generate"});
    if (gen.wait_exit(std::chrono::seconds(30)) != 0) return fail("secret: " + gen.output());
    key_ = o_.work_dir / "secret.key";
    std::ofstream(key_) << gen.output();
    std::filesystem::permissions(key_, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
    // The internal channel's key ([cluster] internal_key_file), the same for every instance.
    ChildProcess internal({o_.binary, "secret", "generate"});
    if (internal.wait_exit(std::chrono::seconds(30)) != 0) {
      return fail("secret: " + internal.output());
    }
    internal_key_ = o_.work_dir / "internal.key";
    std::ofstream(internal_key_) << internal.output();
    std::filesystem::permissions(internal_key_, std::filesystem::perms::owner_read |
                                                    std::filesystem::perms::owner_write);
    // `user add` reads the same store settings as `serve`: the first instance's file.
    instances_[0].config = o_.work_dir / "instance0.toml";
    write_config(0);
    return true;
  }

  void write_config(std::size_t i) {
    auto& in = instances_[i];
    in.config = o_.work_dir / ("instance" + std::to_string(i) + ".toml");
    std::ofstream f(in.config);
    const std::string url = "http://127.0.0.1:" + std::to_string(in.port);
    f << "[server]\nhost = \"127.0.0.1\"\nport = " << in.port << "\npublic_url = \"" << url
      << "\"\n[store]\ndriver = \"postgresql\"\ndsn = \"" << o_.conninfo
      << "\"\nconnections = " << o_.store_connections << "\n[secrets]\nkey_file = \""
      << key_.string() << "\"\n[auth]\npassword_hash = \"minimum\"\n[log]\nlevel = \"info\"\n"
      << "[cluster]\nenabled = true\nlease_ttl_ms = " << o_.lease_ttl.count()
      << "\nrenew_every_ms = " << o_.renew_every.count()
      << "\nscan_every_ms = " << o_.scan_every.count() << "\nmargin_ms = " << o_.margin.count()
      << "\ninternal_key_file = \"" << internal_key_.string() << "\"\n";
    if (emulator_) {
      f << "[microsoft]\nclient_id = \"" << emulator_->app_id() << "\"\nclient_secret = \""
        << emulator_->app_secret() << "\"\nlogin_base_url = \"" << emulator_->base()
        << "\"\ngraph_base_url = \"" << emulator_->base() << "/v1.0\"\nca_file = \""
        << (o_.work_dir / "emulator-ca.pem").string() << "\"\n"
        // Bulk reads rarely (a minute): an agent's state follows a notification, not a round.
        << "[presence_sync]\nround_ms = 60000\nwatch_refresh_seconds = 1\n";
    }
  }

  bool add_user(const std::string& org, const std::string& name,
                const std::vector<std::string>& roles) {
    std::vector<std::string> args{o_.binary, "user", "add", "--config",
                                  instances_[0].config.string(), "--org", org, "--username", name,
                                  "--password-stdin"};
    for (const auto& r : roles) {
      args.push_back("--role");
      args.push_back(r);
    }
    ChildProcess add(args, "a-long-password\n");
    if (add.wait_exit(std::chrono::seconds(60)) != 0) return fail("user add: " + add.output());
    return true;
  }

  std::string login(const std::string& username) {
    for (std::size_t i = 0; i < instances_.size(); ++i) {
      auto r = send(i, "POST", "/api/v1/auth/login",
                    boost::json::serialize(boost::json::object{{"username", username},
                                                               {"password", "a-long-password"}}),
                    "");
      if (r && r->status == 200) {
        return std::string(boost::json::parse(r->body).at("token").as_string());
      }
    }
    fail("login " + username);
    return {};
  }

  // The connector, the sync account, presence sync on, a Teams profile and queue, the agents
  // linked and logged in; then waits for the first sync and the subscription.
  bool set_up_teams() {
    const auto at = wait_owner(std::chrono::seconds(20));
    if (!at) return fail("nobody serves Contoso");
    const std::size_t o = *at;
    auto start = as_admin(o, "POST", "/api/v1/connectors/msteams/authorize");
    if (!start || start->status != 200) return fail("authorize: " + body_of(start));
    auto open_ours = [&](const std::string& loc) -> std::pair<int, std::string> {
      auto r = send(o, "GET", target_of(loc), "", "");
      if (!r) return {0, "no answer"};
      return {r->status, r->status == 302 ? r->header("location") : r->body};
    };
    auto location = entra_set_up(emulator_->base(), emulator_->ca,
                                 url_field(start->body, "authorizationUrl"), admin_upn(), open_ours);
    if (!location) return fail("connector set up: " + location.error().message);
    auto page = send(o, "GET", target_of(*location), "", "");
    if (!page || page->status != 200) return fail("consent callback: " + body_of(page));

    auto sign_in = as_admin(o, "POST", "/api/v1/connectors/msteams/sync-accounts/sign-in");
    if (!sign_in || sign_in->status != 200) return fail("sync account: " + body_of(sign_in));
    auto signed_in = entra_consent(emulator_->base(), emulator_->ca,
                                   url_field(sign_in->body, "authorizationUrl"), admin_upn(),
                                   "accept");
    if (!signed_in) return fail("sync account sign-in: " + signed_in.error().message);
    auto back = send(o, "GET", target_of(*signed_in), "", "");
    if (!back || back->status != 200) return fail("sync account callback: " + body_of(back));

    auto on = as_admin(o, "PATCH", "/api/v1/connectors/msteams", R"({"presenceSync":true})");
    if (!on || on->status != 200) return fail("presenceSync on: " + body_of(on));
    auto profile = as_admin(o, "POST", "/api/v1/desktop-profiles",
                            R"({"name":"Teams agents","microsoftTeams":true})");
    if (!profile || profile->status != 201) return fail("profile: " + body_of(profile));
    const auto profile_id = boost::json::parse(profile->body).at("id").as_int64();
    auto queue = as_admin(o, "POST", "/api/v1/queues", R"({"name":"Sales"})");
    if (!queue || queue->status != 201) return fail("queue: " + body_of(queue));
    queue_ = boost::json::parse(queue->body).at("id").as_int64();
    auto list = as_admin(o, "GET", "/api/v1/agents");
    if (!list || list->status != 200) return fail("agents: " + body_of(list));
    const auto listed = boost::json::parse(list->body);
    for (auto& a : agents_) {
      for (const auto& item : listed.at("items").as_array()) {
        if (item.at("username") == boost::json::value(a.name)) a.id = item.at("userId").as_int64();
      }
      auto user = emulator_->call(
          "POST", "/_emulator/users",
          boost::json::serialize(boost::json::object{
              {"userPrincipalName", "cluster-" + a.name + "@" + emulator_->domain()},
              {"displayName", "Cluster " + a.name}}));
      if (!user || user->status != 201) return fail("Teams user: " + (user ? user->body : ""));
      a.teams_user = std::string(boost::json::parse(user->body).at("id").as_string());
      auto link = as_admin(o, "PATCH", "/api/v1/agents/" + std::to_string(a.id),
                           boost::json::serialize(boost::json::object{
                               {"teamsUserId", a.teams_user},
                               {"desktopProfileId", profile_id},
                               {"queueIds", boost::json::array{queue_}}}));
      if (!link || link->status != 200) return fail("link " + a.name + ": " + body_of(link));
      if (!set_presence(a, "Available", "Available")) return fail("Teams presence");
      auto session = send(o, "POST", "/api/v1/me/session", "", a.token);
      if (!session || session->status != 200) return fail("log in: " + body_of(session));
    }
    const bool ready = poll_until(std::chrono::seconds(40), [&] {
      auto s = as_admin(o, "GET", "/api/v1/connectors/msteams/presence-sync");
      if (!s || s->status != 200) return false;
      const auto v = boost::json::parse(s->body);
      if (!v.at("running").as_bool() || v.at("firstSync").at("completedAt").is_null() ||
          v.at("firstSync").at("pending").as_int64() != 0 ||
          v.at("watchedUsers").as_int64() < static_cast<std::int64_t>(agents_.size())) {
        return false;
      }
      return webhook_subscription().has_value();
    });
    if (!ready) {
      return fail("presence sync never got ready: " +
                  body_of(as_admin(o, "GET", "/api/v1/connectors/msteams/presence-sync")));
    }
    return true;
  }

  std::string admin_upn() const { return "admin@" + emulator_->domain(); }
  static std::string url_field(const std::string& body, const char* key) {
    return std::string(boost::json::parse(body).at(key).as_string());
  }
  static std::string body_of(const std::optional<RawResponse>& r) {
    return r ? std::to_string(r->status) + " " + r->body : "no answer";
  }
  bool fail(const std::string& what) {
    if (error_.empty()) error_ = what;
    return false;
  }

  ServeClusterOptions o_;
  std::vector<Instance> instances_;
  std::unique_ptr<GraphEmulatorProcess> emulator_;
  std::filesystem::path key_;
  std::filesystem::path internal_key_;
  std::string admin_;
  std::vector<Agent> agents_;
  std::int64_t queue_ = 0;
  std::string error_;
};

}  // namespace ccteams::testing
