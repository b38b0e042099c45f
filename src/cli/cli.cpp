#include "cli/cli.hpp"

#include <algorithm>
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <iostream>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "adapters/crypto/secret_box.hpp"
#include "adapters/graph/graph_decode.hpp"
#include "app/ports/store.hpp"
#include "app/user_service.hpp"
#include "cli/run_now.hpp"
#include "cli/config.hpp"
#include "cli/demo.hpp"
#include "cli/doctor.hpp"
#include "cli/emulator_host.hpp"
#include "cli/logging.hpp"
#include "cli/runtime.hpp"
#include "cli/telephony_module.hpp"

namespace ccteams::cli {

namespace fs = std::filesystem;

namespace {

int fail(const std::string& message) {
  std::cerr << "ccteams: " << message << "\n";
  return 1;
}

struct DemoArgs {
  std::uint16_t port = 8080;
  std::string host = "127.0.0.1";
  std::string data = "ccteams-data";
  std::string password;
  int agents = 5;
  std::string password_hash = "interactive";
  std::string log_format = "text";
  int emulator_port = -1;  // -1: the demo port + 1 (or 0 when the demo port is 0)
  int emulator_users = 200;
  int tenants = 1;  // organisations, each with its own emulated Microsoft 365 tenant
  std::string simulation = "on";
  int sip_port = -1;  // -1: no SIP; 0: any free port on 127.0.0.1
  int sync_round_ms = 1000;  // presence sync's bulk-read round (presence_sync.round_ms)
  int sync_subscription_seconds = 3300;  // presence_sync.subscription_seconds (tests: short)
  int sync_key_rotation_seconds = 0;     // 0: presence_sync's default (30 days)
  int sync_probe_seconds = 180;          // presence_sync.subscription_probe_seconds
  std::string log_level = "info";
  // An emulator running on its own (`ccteams graph-emulator`, which outlives a killed demo in
  // the chaos harness) instead of the embedded one: its URL, CA file and app registration.
  std::string graph_emulator;
  std::string graph_emulator_ca;
  std::string graph_app_id;
  std::string graph_app_secret;
};

// The extra lines of the banner for organisations 2..N and their tenants: which ccteams
// accounts and which Entra accounts belong together (and which do not: the cross-tenant
// attack of issue 23 can be tried by hand with them).
void print_more_orgs(const DemoArgs& a, const emulator::EmulatorInfo& info) {
  for (std::size_t i = 0; i < info.tenants.size(); ++i) {
    const auto& t = info.tenants[i];
    const int k = static_cast<int>(i) + 1;
    const auto names = demo_usernames(k, a.agents);
    std::cout << "  Organisation " << k << ": " << demo_org_name(k) << "  (accounts " << names[0]
              << ", " << names[1];
    if (names.size() > 2) std::cout << ", " << names[2] << ".." << names.back();
    std::cout << ")\n"
              << "    Microsoft 365 tenant " << k << ": " << t.tenant_id << " (" << t.domain
              << "): admin@" << t.domain << " (Global Administrator), privadmin@" << t.domain
              << " (Privileged Role Administrator), member@" << t.domain << "\n";
  }
}

// The demo's embedded emulator: on the demo port + 1 unless told, its CA in the data folder.
Result<std::unique_ptr<EmulatorHost>> start_embedded_emulator(const DemoArgs& a) {
  EmulatorHostOptions eo;
  eo.host = a.host;
  eo.port = static_cast<std::uint16_t>(
      a.emulator_port >= 0 ? a.emulator_port : (a.port == 0 ? 0 : (a.port + 1) % 65536));
  eo.ca_out_path = (fs::path(a.data) / "emulator-ca.pem").string();
  eo.emulator.users = a.emulator_users;
  eo.emulator.tenants = a.tenants;
  // The emulated Teams users live their day (meetings, calls, presenting) unless the demo is
  // asked to keep still.
  eo.emulator.activity_episodes_per_user_hour = a.simulation == "on" ? 3.0 : 0.0;
  // Presence notifications go to the demo's plain-HTTP loopback webhook (real Graph: https).
  eo.emulator.notifications.http_webhooks = emulator::HttpWebhooks::any;
  // Loopback redirect URIs match on any port (as in Entra), so the demo port need not be known
  // yet; with a fixed port it is written out.
  const std::string demo_origin =
      "http://" + a.host + (a.port == 0 ? std::string() : ":" + std::to_string(a.port));
  eo.emulator.redirect_uris = {demo_origin + "/api/v1/connectors/msteams/callback",
                               demo_origin + "/api/v1/connectors/msteams/sync-accounts/callback"};
  return EmulatorHost::start(std::move(eo));
}

int run_demo(const DemoArgs& a) {
  setup_logging(a.log_format, a.log_level);
  std::error_code ec;
  const bool created = fs::create_directories(a.data, ec);
  if (ec) return fail("--data " + a.data + ": cannot create the folder: " + ec.message());
  // It holds the database and the secret key: private when we make it. A folder the user
  // named that already exists (even ".") keeps its mode; the files in it are private anyway.
  if (created) {
    fs::permissions(a.data, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) return fail("--data " + a.data + ": cannot make the folder private: " + ec.message());
  }

  // The Microsoft side of the demo: Entra ID and Graph, emulated in this process over HTTPS
  // (or by an emulator of its own, given by URL). Started first: the connector is configured
  // with its URLs, app registration and CA.
  std::unique_ptr<EmulatorHost> embedded;
  emulator::EmulatorInfo info;
  std::string emulator_url = a.graph_emulator;
  std::string emulator_ca = a.graph_emulator_ca;
  if (!a.graph_emulator.empty()) {
    if (a.graph_app_id.empty() || a.graph_app_secret.empty()) {
      return fail("--graph-emulator needs --graph-app-id and --graph-app-secret");
    }
    info.app_id = a.graph_app_id;
    info.app_secret = a.graph_app_secret;
    info.login_base_url = info.graph_base_url = a.graph_emulator;
  } else {
    auto emulator = start_embedded_emulator(a);
    if (!emulator) return fail("--emulator-port: " + emulator.error().message);
    embedded = std::move(*emulator);
    info = embedded->info();
    emulator_url = embedded->base_url();
    emulator_ca = (fs::path(a.data) / "emulator-ca.pem").string();
  }

  RuntimeOptions options;
  options.config.server.host = a.host;
  options.config.server.port = a.port;
  options.config.store.path = (fs::path(a.data) / "ccteams.db").string();
  options.config.secrets.key_env = "";  // the demo keeps its own key in the data folder
  options.config.auth.password_hash = a.password_hash;
  options.secret_key_generate_path = (fs::path(a.data) / "secret.key").string();
  options.min_password_length = 1;
  options.demo = true;
  options.metrics_open_to_loopback = true;
  options.simulation = a.simulation == "on";
  options.demo_teams_users = info.sample_user_ids;
  for (std::size_t i = 1; i < info.tenants.size(); ++i) {
    options.more_demo_orgs.push_back(
        {demo_org_name(static_cast<int>(i) + 1), info.tenants[i].sample_user_ids});
  }
  options.config.presence_sync.round_ms = a.sync_round_ms;
  options.config.presence_sync.subscription_seconds = a.sync_subscription_seconds;
  options.config.presence_sync.subscription_probe_seconds = a.sync_probe_seconds;
  // Renewed when a quarter of the life is left, at most 15 minutes before expiry.
  options.config.presence_sync.renew_before_seconds =
      std::min(900, a.sync_subscription_seconds * 3 / 4);
  if (a.sync_key_rotation_seconds > 0) {
    options.config.presence_sync.key_rotation_seconds = a.sync_key_rotation_seconds;
  }
  // The Teams connector talks to the emulator (public_url stays empty: the runtime derives the
  // redirect URI from the bound port).
  options.config.microsoft.client_id = info.app_id;
  options.config.microsoft.client_secret = info.app_secret;
  options.config.microsoft.client_secret_env = "";
  options.config.microsoft.login_base_url = info.login_base_url;
  options.config.microsoft.graph_base_url = info.graph_base_url + "/v1.0";
  options.config.microsoft.ca_file = emulator_ca;
  const bool generated = a.password.empty();
  const std::string password = generated ? random_demo_password() : a.password;
  if (a.sip_port >= 0) {
    options.demo_sip_port = static_cast<std::uint16_t>(a.sip_port);
    options.demo_sip_password = password;
    options.demo_agents = a.agents;
  }
  auto runtime = Runtime::create(std::move(options));
  if (!runtime) return fail(runtime.error().message);
  for (int k = 1; k <= a.tenants; ++k) {
    auto accounts = run_now(seed_demo_accounts((*runtime)->users(), password, a.agents, k));
    if (!accounts) return fail("demo accounts: " + accounts.error().message);
  }

  auto port = (*runtime)->start();
  if (!port) return fail(port.error().message);

  const std::string url = "http://" + a.host + ":" + std::to_string(*port) + "/";
  std::cout << "ccteams demo is running (Ctrl+C to stop)\n"
            << "  Console:   " << url << "\n"
            << "  Data:      " << fs::absolute(a.data).string() << "\n"
            << "  Graph emulator: " << emulator_url;
  if (embedded) {
    std::cout << "  (tenant " << info.domain << ", CA certificate " << emulator_ca << ")\n"
              << "  Microsoft 365 accounts: admin@" << info.domain
              << " (Global Administrator), privadmin@" << info.domain << ", member@" << info.domain
              << "\n";
  } else {
    std::cout << "  (its own process: its banner names the tenant; CA certificate " << emulator_ca
              << ")\n";
  }
  std::cout << "  Accounts:  admin, supervisor, agent1.."
            << "agent" << a.agents << "\n";
  // Several organisations: each with its tenant, none bound yet (Set up binds them).
  if (a.tenants > 1) print_more_orgs(a, info);
  if (const auto* sip = (*runtime)->telephony()) {
    const auto& t = sip->info();
    std::cout << "  SIP:       " << t.host << ":" << t.port
              << " (UDP and TCP; extensions agent1..agent" << a.agents
              << " with the password below)\n";
    for (const auto& n : t.numbers) {
      std::cout << "  Dial:      sip:" << n.number << "@" << t.host << ":" << t.port << "  -> "
                << n.queue << "\n";
    }
  }
  std::cout << "  Password:  " << password << (generated ? "   (generated; pass --password to choose)" : "")
            << "\n"
            << std::flush;
  (*runtime)->run_until_signal();
  embedded.reset();
  std::cout << "ccteams demo stopped\n";
  return 0;
}

int run_serve(const std::string& config_path) {
  auto config = load_config_file(config_path);
  if (!config) return fail(config.error().message);
  setup_logging(config->log.format, config->log.level);
  RuntimeOptions options;
  options.config = *config;
  auto runtime = Runtime::create(std::move(options));
  if (!runtime) return fail(runtime.error().message);
  auto port = (*runtime)->start();
  if (!port) return fail(port.error().message);
  spdlog::info("ccteams {} serving on {}:{}", CCTEAMS_VERSION, config->server.host, *port);
  (*runtime)->run_until_signal();
  spdlog::info("ccteams stopped");
  return 0;
}

struct UserAddArgs {
  std::string config;
  std::string org;
  std::string username;
  std::string display_name;
  std::vector<std::string> roles{"admin"};
  bool password_stdin = false;
};

int run_user_add(const UserAddArgs& a) {
  auto config = load_config_file(a.config);
  if (!config) return fail(config.error().message);
  setup_logging(config->log.format, "warn");
  RoleSet roles;
  for (const auto& name : a.roles) {
    auto r = parse_role(name);
    if (!r) return fail("--role " + name + ": must be admin, supervisor or agent");
    roles.add(*r);
  }
  std::string password;
  if (a.password_stdin || !isatty(STDIN_FILENO)) {
    std::getline(std::cin, password);
  } else {
    std::cerr << "Password for " << a.username << ": " << std::flush;
    std::getline(std::cin, password);
  }
  RuntimeOptions options;
  options.config = *config;
  auto runtime = Runtime::create(std::move(options));
  if (!runtime) return fail(runtime.error().message);
  auto org = run_now((*runtime)->users().ensure_org(a.org));
  if (!org) return fail("--org: " + org.error().message);
  auto user = run_now(
      (*runtime)->users().create(org->id, NewUser{a.username, password, a.display_name, roles}));
  if (!user) return fail(user.error().message);
  std::cout << "created user '" << user->username << "' (id " << user->id.value << ") in '"
            << org->name << "'\n";
  return 0;
}

struct GraphEmulatorArgs {
  EmulatorHostOptions host;
  bool plain_http = false;
  std::string log_format = "text";
  // Graph's delivery rules (graph-protocol.md §4.3), in milliseconds of the emulator's clock.
  std::int64_t delivery_timeout_ms = 3'000;
  std::int64_t retry_timeout_ms = 10'000;
  std::int64_t slow_answer_ms = 2'900;
  std::int64_t slow_window_ms = 600'000;
  std::int64_t slow_penalty_ms = 600'000;
};

// Graph's delivery rules from the flags; an error names the flag that does not fit.
Result<void> apply_delivery_rules(const GraphEmulatorArgs& a, emulator::NotificationOptions& n) {
  if (a.slow_answer_ms >= a.delivery_timeout_ms) {
    return make_error(Errc::invalid_input,
                      "--slow-answer-ms must be below --delivery-timeout-ms (a slow answer is "
                      "one that still arrives in time)");
  }
  if (n.slow_delay_share > n.slow_drop_share) {
    return make_error(Errc::invalid_input,
                      "--slow-delay-share must not exceed --slow-drop-share (Graph delays a "
                      "slow endpoint before it drops its notifications)");
  }
  n.receiver_timeout = std::chrono::milliseconds(a.delivery_timeout_ms);
  n.retry_timeout = std::chrono::milliseconds(a.retry_timeout_ms);
  n.slow_publish = std::chrono::milliseconds(a.slow_answer_ms);
  n.slow_stats_window = std::chrono::milliseconds(a.slow_window_ms);
  n.slow_endpoint_delay = std::chrono::milliseconds(a.slow_penalty_ms);
  return {};
}

int run_graph_emulator(GraphEmulatorArgs a) {
  setup_logging(a.log_format, "info");
  a.host.https = !a.plain_http;
  // A developer's own receiver: https (system roots plus --webhook-ca), or plain http on this
  // machine only; any other http URL gets Graph's own refusal.
  a.host.emulator.notifications.http_webhooks = emulator::HttpWebhooks::loopback;
  if (auto rules = apply_delivery_rules(a, a.host.emulator.notifications); !rules) {
    return fail(rules.error().message);
  }
  if (a.host.cert_file.empty() != a.host.key_file.empty()) {
    return fail("--cert and --key must be given together");
  }
  const std::string ca_out = a.host.ca_out_path;
  const std::string webhook_ca = a.host.webhook_ca_file;
  block_stop_signals();
  auto host = EmulatorHost::start(std::move(a.host));
  if (!host) return fail(host.error().message);
  const auto info = (*host)->info();
  std::cout << "Graph + Entra ID emulator (Ctrl+C to stop)\n"
            << "  URL:        " << (*host)->base_url() << "   (Entra: /{tenant}/oauth2/v2.0/..., Graph: /v1.0/...)\n"
            << "  Tenant:     " << info.tenant_id << "  (" << info.domain << ")\n"
            << "  App:        client id " << info.app_id << ", secret " << info.app_secret << "\n"
            << "  Accounts:   admin@" << info.domain << " (Global Administrator), privadmin@"
            << info.domain << " (Privileged Role Administrator), member@" << info.domain << "\n";
  // Tenants 2..N: customers of the multi-tenant app (tenant 1 is its home tenant).
  for (std::size_t i = 1; i < info.tenants.size(); ++i) {
    const auto& t = info.tenants[i];
    std::cout << "  Tenant " << i + 1 << ":   " << t.tenant_id << "  (" << t.domain << "; admin@"
              << t.domain << ", privadmin@" << t.domain << ", member@" << t.domain << ")\n";
  }
  if (!(*host)->ca_pem().empty() && !ca_out.empty()) {
    std::cout << "  CA:         " << ca_out << "  (trust it to call the emulator over HTTPS)\n";
  }
  std::cout << "  Webhooks:   https (system CAs" << (webhook_ca.empty() ? "" : " + " + webhook_ca)
            << "), or http on loopback (127.0.0.0/8, [::1], localhost)\n";
  std::cout << std::flush;
  (*host)->run_until_signal();
  return 0;
}

struct GraphDecodeArgs {
  std::string kind;
  std::string file;
  int http_status = 0;
};

// Reads FILE ("-" is standard input) through the service's own Graph decoders.
int run_graph_decode(const GraphDecodeArgs& a) {
  std::string text;
  if (a.file == "-") {
    std::ostringstream s;
    s << std::cin.rdbuf();
    text = s.str();
  } else {
    std::ifstream in(a.file, std::ios::binary);
    if (!in) return fail(a.file + ": cannot read the file");
    std::ostringstream s;
    s << in.rdbuf();
    text = s.str();
  }
  auto decoded = graph::graph_decode(
      a.kind, text, a.http_status > 0 ? std::optional<int>(a.http_status) : std::nullopt);
  if (!decoded) return fail(a.file + ": " + decoded.error().message);
  std::cout << *decoded;
  return 0;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"ccteams: a contact center whose agents follow their Microsoft Teams presence"};
  app.set_version_flag("--version", std::string("ccteams ") + CCTEAMS_VERSION);
  app.require_subcommand(1);

  DemoArgs demo;
  auto* demo_cmd = app.add_subcommand(
      "demo", "Run a self-contained demo: embedded database, demo organisation and accounts");
  demo_cmd->add_option("--port", demo.port, "HTTP port (0 picks a free one)")->capture_default_str();
  demo_cmd->add_option("--host", demo.host, "Address to listen on")->capture_default_str();
  demo_cmd->add_option("--data", demo.data, "Data folder (database, secret key)")->capture_default_str();
  demo_cmd->add_option("--password", demo.password,
                       "Password of every demo account (random and printed when absent)");
  demo_cmd->add_option("--agents", demo.agents, "Number of demo agents (load tests: up to 50,000)")
      ->check(CLI::Range(1, 50000))
      ->capture_default_str();
  demo_cmd->add_option("--password-hash", demo.password_hash,
                       "Cost of password hashing (minimum is for tests only)")
      ->check(CLI::IsMember({"interactive", "moderate", "minimum"}))
      ->capture_default_str();
  demo_cmd->add_option("--log-format", demo.log_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  demo_cmd->add_option("--emulator-port", demo.emulator_port,
                       "Port of the Graph emulator (default: the demo port + 1)");
  demo_cmd->add_option("--simulation", demo.simulation,
                       "on: simulated callers arrive in the demo queues; off: a still organisation")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  demo_cmd->add_option("--sip-port", demo.sip_port,
                       "Listen for SIP calls on 127.0.0.1 (UDP and TCP; 0: any free port); each "
                       "demo queue gets a number (printed)")
      ->check(CLI::Range(0, 65535));
  demo_cmd->add_option("--log-level", demo.log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  demo_cmd->add_option("--sync-round-ms", demo.sync_round_ms,
                       "Presence sync: read every watched Teams user this often (bulk reads)")
      ->check(CLI::Range(200, 60000))
      ->capture_default_str();
  demo_cmd->add_option("--sync-subscription-seconds", demo.sync_subscription_seconds,
                       "Presence sync: subscription lifetime asked of Graph (renewed by PATCH)")
      ->check(CLI::Range(60, 3600))
      ->capture_default_str();
  demo_cmd->add_option("--sync-probe-seconds", demo.sync_probe_seconds,
                       "Presence sync: read each subscription back from Graph this often and "
                       "recreate it when gone (0: never)")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  demo_cmd->add_option("--sync-key-rotation-seconds", demo.sync_key_rotation_seconds,
                       "Presence sync: rotate the notification key this often (0: 30 days)")
      ->check(CLI::Range(0, 31536000))
      ->capture_default_str();
  demo_cmd->add_option("--tenants", demo.tenants,
                       "Organisations, each with its own emulated Microsoft 365 tenant")
      ->check(CLI::Range(1, 9))
      ->capture_default_str();
  demo_cmd->add_option("--emulator-users", demo.emulator_users,
                       "Generated users in the emulated Microsoft 365 tenant")
      ->check(CLI::Range(0, 200000))
      ->capture_default_str();

  demo_cmd->add_option("--graph-emulator", demo.graph_emulator,
                       "URL of a `ccteams graph-emulator` to use instead of the embedded one "
                       "(with --graph-emulator-ca, --graph-app-id, --graph-app-secret)");
  demo_cmd->add_option("--graph-emulator-ca", demo.graph_emulator_ca,
                       "CA certificate (PEM) of that emulator (its --ca-out)");
  demo_cmd->add_option("--graph-app-id", demo.graph_app_id, "Its app registration's client id");
  demo_cmd->add_option("--graph-app-secret", demo.graph_app_secret, "Its client secret");

  GraphEmulatorArgs ge;
  ge.host.port = 9444;
  ge.host.ca_out_path = "emulator-ca.pem";
  auto* ge_cmd = app.add_subcommand(
      "graph-emulator", "Run the Microsoft Graph + Entra ID emulator on its own (tests, load tests)");
  ge_cmd->add_option("--port", ge.host.port, "Port (0 picks a free one)")->capture_default_str();
  ge_cmd->add_option("--host", ge.host.host, "Address to listen on")->capture_default_str();
  ge_cmd->add_option("--users", ge.host.emulator.users, "Generated users")
      ->check(CLI::Range(0, 200000))
      ->capture_default_str();
  ge_cmd->add_option("--seed", ge.host.emulator.seed, "Seed of the generated organisation")
      ->capture_default_str();
  ge_cmd->add_option("--domain", ge.host.emulator.domain, "Tenant domain")->capture_default_str();
  ge_cmd->add_option("--tenants", ge.host.emulator.tenants,
                     "Tenants hosted at once (tenant k > 1: the domain with k after its first label)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  ge_cmd->add_option("--group-membership-claims", ge.host.emulator.group_membership_claims,
                     "The app registration's groupMembershipClaims (None: no wids in ID tokens)")
      ->check(CLI::IsMember({"None", "SecurityGroup", "DirectoryRole", "ApplicationGroup", "All"}))
      ->capture_default_str();
  ge_cmd->add_option("--app-id", ge.host.emulator.app_id, "Client id of the default app registration");
  ge_cmd->add_option("--app-secret", ge.host.emulator.app_secret, "Its client secret");
  ge_cmd->add_option("--redirect-uri", ge.host.emulator.redirect_uris,
                     "Redirect URI of the default app registration (repeatable)");
  ge_cmd->add_option("--cert", ge.host.cert_file, "TLS certificate chain (PEM) instead of a generated one");
  ge_cmd->add_option("--key", ge.host.key_file, "Its private key (PEM)");
  ge_cmd->add_option("--ca-out", ge.host.ca_out_path, "Where to write the generated CA certificate")
      ->capture_default_str();
  ge_cmd->add_flag("--http", ge.plain_http, "Serve plain HTTP instead of HTTPS");
  ge_cmd
      ->add_option("--webhook-ca", ge.host.webhook_ca_file,
                   "PEM bundle trusted for https notificationUrls, in addition to the system's "
                   "CAs (plain http notificationUrls are accepted on loopback only)")
      ->check(CLI::ExistingFile);
  ge_cmd->add_option("--activity", ge.host.emulator.activity_episodes_per_user_hour,
                     "Simulated Teams activity episodes per user per hour (0: still)")
      ->check(CLI::Range(0.0, 60.0))
      ->capture_default_str();
  ge_cmd->add_option("--log-format", ge.log_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  // Graph's rules for slow webhooks (Microsoft's text of 2026; they have changed before).
  auto& delivery = ge.host.emulator.notifications;
  ge_cmd->add_option("--delivery-timeout-ms", ge.delivery_timeout_ms,
                     "A delivery not answered 2xx within this fails and is retried")
      ->check(CLI::Range(100, 60'000))
      ->capture_default_str();
  ge_cmd->add_option("--retry-timeout-ms", ge.retry_timeout_ms,
                     "The same for a retry (Graph retries for up to 4 hours with back-off)")
      ->check(CLI::Range(100, 60'000))
      ->capture_default_str();
  ge_cmd->add_option("--slow-answer-ms", ge.slow_answer_ms,
                     "An answer slower than this counts its notifications as slow")
      ->check(CLI::Range(1, 59'999))
      ->capture_default_str();
  ge_cmd->add_option("--slow-window-ms", ge.slow_window_ms,
                     "Window of the slow-answer statistics per notification URL")
      ->check(CLI::Range(1'000, 86'400'000))
      ->capture_default_str();
  ge_cmd->add_option("--slow-penalty-ms", ge.slow_penalty_ms,
                     "How long a slow URL's notifications are delayed")
      ->check(CLI::Range(0, 86'400'000))
      ->capture_default_str();
  ge_cmd->add_option("--slow-min-notifications", delivery.slow_endpoint_min_notifications,
                     "Notifications a window needs before a URL can be judged slow")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  ge_cmd->add_option("--slow-delay-share", delivery.slow_delay_share,
                     "Share of slow notifications in a window that delays the URL's")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  ge_cmd->add_option("--slow-drop-share", delivery.slow_drop_share,
                     "Share of notifications in a window whose retry went unanswered within "
                     "--retry-timeout-ms that drops the URL's")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();

  std::string config_path;
  auto* serve_cmd = app.add_subcommand("serve", "Run the service from a configuration file");
  serve_cmd->add_option("--config", config_path, "Path to ccteams.toml")->required();

  DoctorOptions doctor;
  auto* doctor_cmd = app.add_subcommand(
      "doctor", "Check the configuration, key, database, public URL and the Microsoft side");
  doctor_cmd->add_option("--config", doctor.config_path, "Path to ccteams.toml")->required();
  doctor_cmd->add_option("--ca-file", doctor.public_url_ca_file,
                         "Extra CA certificates (PEM) trusted for server.public_url (a private "
                         "PKI; Graph trusts public CAs only)");

  auto* user_cmd = app.add_subcommand("user", "Manage user accounts");
  user_cmd->require_subcommand(1);
  UserAddArgs user_add;
  auto* user_add_cmd = user_cmd->add_subcommand(
      "add", "Create an account (e.g. the first admin); the password is read from standard input");
  user_add_cmd->add_option("--config", user_add.config, "Path to ccteams.toml")->required();
  user_add_cmd->add_option("--org", user_add.org, "Organisation name (created when missing)")
      ->required();
  user_add_cmd->add_option("--username", user_add.username, "Sign-in name")->required();
  user_add_cmd->add_option("--display-name", user_add.display_name, "Name shown in the UI");
  user_add_cmd->add_option("--role", user_add.roles, "admin, supervisor or agent (repeatable)")
      ->capture_default_str();
  user_add_cmd->add_flag("--password-stdin", user_add.password_stdin,
                         "Read the password from standard input without prompting");

  auto* secret_cmd = app.add_subcommand("secret", "Secrets at rest");
  secret_cmd->require_subcommand(1);
  auto* secret_gen = secret_cmd->add_subcommand(
      "generate", "Print a new secret key for secrets.key / CCTEAMS_SECRET_KEY");

  auto* graph_cmd = app.add_subcommand("graph", "Microsoft Graph tools for operators");
  graph_cmd->require_subcommand(1);
  GraphDecodeArgs decode;
  auto* decode_cmd = graph_cmd->add_subcommand(
      "decode", "Read a Graph or Entra payload with the service's decoders and print what it says");
  std::vector<std::string> kinds;
  for (auto k : graph::graph_decode_kinds()) kinds.emplace_back(k);
  decode_cmd->add_option("--as", decode.kind, "Payload kind")
      ->required()
      ->check(CLI::IsMember(kinds));
  decode_cmd->add_option("--status", decode.http_status,
                         "HTTP status the payload came with (classifies error payloads)");
  decode_cmd->add_option("FILE", decode.file, "File to read (- for standard input)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*demo_cmd) return run_demo(demo);
  if (*ge_cmd) return run_graph_emulator(std::move(ge));
  if (*serve_cmd) return run_serve(config_path);
  if (*doctor_cmd) {
    setup_logging("text", "error");  // the report is the output; the client's logs are noise
    return run_doctor(doctor, std::cout);
  }
  if (*user_add_cmd) return run_user_add(user_add);
  if (*decode_cmd) return run_graph_decode(decode);
  if (*secret_gen) {
    std::cout << SecretBox::generate_key_text() << "\n";
    return 0;
  }
  return 0;
}

}  // namespace ccteams::cli
