#include "cli/config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace ccteams::cli {
namespace {

TEST(Config, DefaultsWhenEmpty) {
  auto c = parse_config("", "t.toml");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->server.port, 8080);
  EXPECT_EQ(c->store.driver, "sqlite");
  EXPECT_EQ(c->log.format, "text");
}

TEST(Config, ReadsEveryKey) {
  auto c = parse_config(R"(
[server]
host = "0.0.0.0"
port = 9000
threads = 4
public_url = "https://cc.example.com"
[store]
path = "/var/lib/ccteams/db.sqlite"
[secrets]
key_env = "MY_KEY"
[log]
format = "json"
level = "debug"
[auth]
session_ttl_minutes = 60
lockout_failures = 3
password_hash = "moderate"
)", "t.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server.host, "0.0.0.0");
  EXPECT_EQ(c->server.port, 9000);
  EXPECT_EQ(c->server.threads, 4);
  EXPECT_EQ(c->secrets.key_env, "MY_KEY");
  EXPECT_EQ(c->log.format, "json");
  EXPECT_EQ(c->auth.lockout_failures, 3);
}

TEST(Config, FloodProtectionKeys) {
  auto defaults = parse_config("", "t.toml");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->server.max_connections, 10000u);
  EXPECT_EQ(defaults->server.max_connections_per_address, 256u);
  EXPECT_TRUE(defaults->server.trusted_proxies.empty());
  EXPECT_EQ(defaults->auth.hash_workers, 2);
  auto c = parse_config(R"(
[server]
max_connections = 500
max_connections_per_address = 20
trusted_proxies = ["10.0.0.0/8", "2001:db8::/32"]
[auth]
login_delay_max_seconds = 60
username_slowdown_failures = 40
address_lockout_failures = 30
hash_workers = 3
hash_queue = 8
)", "t.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server.max_connections, 500u);
  EXPECT_EQ(c->server.max_connections_per_address, 20u);
  EXPECT_EQ(c->server.trusted_proxies,
            (std::vector<std::string>{"10.0.0.0/8", "2001:db8::/32"}));
  EXPECT_EQ(c->auth.login_delay_max_seconds, 60);
  EXPECT_EQ(c->auth.username_slowdown_failures, 40);
  EXPECT_EQ(c->auth.address_lockout_failures, 30);
  EXPECT_EQ(c->auth.hash_workers, 3);
  EXPECT_EQ(c->auth.hash_queue, 8);
}

TEST(Config, MicrosoftSection) {
  auto c = parse_config(R"(
[server]
public_url = "https://cc.example.com"
[microsoft]
client_id = "app-id"
client_secret_file = "/etc/ccteams/ms-secret"
login_base_url = "https://login.example/"
graph_base_url = "https://graph.example/v1.0"
ca_file = "/etc/ccteams/extra-ca.pem"
health_check_seconds = 60
)", "t.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->microsoft.client_id, "app-id");
  EXPECT_EQ(c->microsoft.client_secret_file, "/etc/ccteams/ms-secret");
  EXPECT_EQ(c->microsoft.client_secret_env, "CCTEAMS_MICROSOFT_CLIENT_SECRET");
  EXPECT_EQ(c->microsoft.login_base_url, "https://login.example");  // trailing slash dropped
  EXPECT_EQ(c->microsoft.graph_base_url, "https://graph.example/v1.0");
  EXPECT_EQ(c->microsoft.ca_file, "/etc/ccteams/extra-ca.pem");
  EXPECT_EQ(c->microsoft.health_check_seconds, 60);
  auto d = parse_config("", "t.toml");
  EXPECT_EQ(d->microsoft.login_base_url, "https://login.microsoftonline.com");
  EXPECT_TRUE(d->microsoft.client_id.empty());
}

TEST(Config, PresenceSyncSection) {
  auto c = parse_config(R"(
[presence_sync]
budget_share_percent = 30
round_ms = 2000
coalesce_ms = 10
session_minutes = 60
watch_refresh_seconds = 2
subscription_seconds = 1800
renew_before_seconds = 600
key_rotation_hours = 48
)", "t.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->presence_sync.budget_share_percent, 30);
  EXPECT_EQ(c->presence_sync.round_ms, 2000);
  EXPECT_EQ(c->presence_sync.coalesce_ms, 10);
  EXPECT_EQ(c->presence_sync.session_minutes, 60);
  EXPECT_EQ(c->presence_sync.watch_refresh_seconds, 2);
  EXPECT_EQ(c->presence_sync.subscription_seconds, 1800);
  EXPECT_EQ(c->presence_sync.renew_before_seconds, 600);
  EXPECT_EQ(c->presence_sync.key_rotation_seconds, 48 * 3600);
  auto d = parse_config("", "t.toml");
  EXPECT_EQ(d->presence_sync.budget_share_percent, 50);
  EXPECT_EQ(d->presence_sync.round_ms, 1000);
  EXPECT_EQ(d->presence_sync.subscription_seconds, 3300);
  EXPECT_EQ(d->presence_sync.renew_before_seconds, 900);
  EXPECT_EQ(d->presence_sync.key_rotation_seconds, 720 * 3600);
}

TEST(Config, DirectorySection) {
  auto d = parse_config("", "t.toml");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->directory.sync_interval_seconds, 300);
  EXPECT_EQ(d->directory.presence_ttl_seconds, 5);
  EXPECT_EQ(d->directory.page_size, 999);
  EXPECT_TRUE(d->directory.default_country_code.empty());
  auto c = parse_config(R"(
[directory]
sync_interval_seconds = 900
presence_ttl_seconds = 20
page_size = 500
default_country_code = "44"
)", "t.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->directory.sync_interval_seconds, 900);
  EXPECT_EQ(c->directory.presence_ttl_seconds, 20);
  EXPECT_EQ(c->directory.page_size, 500);
  EXPECT_EQ(c->directory.default_country_code, "44");
}

TEST(Config, MediaSection) {
  auto d = parse_config("", "t.toml");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->media.greeting.empty());
  EXPECT_TRUE(d->media.music_on_hold.empty());
  EXPECT_EQ(d->media.rtp_port_min, 10000);
  EXPECT_EQ(d->media.rtp_port_max, 20000);
  auto c = parse_config(R"(
[media]
greeting = "/etc/ccteams/welcome.wav"
music_on_hold = "/etc/ccteams/hold.wav"
rtp_address = "192.0.2.10"
rtp_port_min = 30000
rtp_port_max = 30001
)", "t.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->media.greeting, "/etc/ccteams/welcome.wav");
  EXPECT_EQ(c->media.music_on_hold, "/etc/ccteams/hold.wav");
  EXPECT_EQ(c->media.rtp_address, "192.0.2.10");
  EXPECT_EQ(c->media.rtp_port_min, 30000);
  EXPECT_EQ(c->media.rtp_port_max, 30001);
}

// The documented example is a configuration serve accepts, with the defaults it documents.
TEST(Config, TheExampleFileIsAccepted) {
  auto c = load_config_file(std::string(CCTEAMS_SOURCE_DIR) + "/docs/ccteams.example.toml");
  ASSERT_TRUE(c) << c.error().message;
  const DirectoryConfig defaults;
  EXPECT_EQ(c->directory.sync_interval_seconds, defaults.sync_interval_seconds);
  EXPECT_EQ(c->directory.presence_ttl_seconds, defaults.presence_ttl_seconds);
  EXPECT_EQ(c->directory.page_size, defaults.page_size);
  EXPECT_EQ(c->directory.default_country_code, defaults.default_country_code);
}

struct BadCase {
  const char* toml;
  const char* names;  // the message must name this
};

TEST(WebOrigin, IsSchemeHostAndPortAsBrowsersSendIt) {
  EXPECT_EQ(web_origin("https://CC.Example.com/console/").value(), "https://cc.example.com");
  EXPECT_EQ(web_origin("https://cc.example.com:443").value(), "https://cc.example.com");
  EXPECT_EQ(web_origin("https://cc.example.com:8443/x?y#z").value(), "https://cc.example.com:8443");
  EXPECT_EQ(web_origin("http://127.0.0.1:8080").value(), "http://127.0.0.1:8080");
  EXPECT_EQ(web_origin("http://cc.example.com:80/").value(), "http://cc.example.com");
  EXPECT_FALSE(web_origin("ftp://cc.example.com"));
  EXPECT_FALSE(web_origin("https://"));
  EXPECT_FALSE(web_origin("https://user@cc.example.com"));
}

TEST(EventsConfig, DefaultsAndKeys) {
  auto defaults = parse_config("", "empty.toml");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->events.websockets_per_session, 8);
  EXPECT_EQ(defaults->events.replay_max_events, 200);
  auto set = parse_config("[events]\nwebsockets_per_session = 3\nreplay_max_events = 50\n", "e.toml");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->events.websockets_per_session, 3);
  EXPECT_EQ(set->events.replay_max_events, 50);
}

class ConfigErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigErrors, NameTheKey) {
  auto c = parse_config(GetParam().toml, "bad.toml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::invalid_input);
  EXPECT_NE(c.error().message.find(GetParam().names), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("bad.toml"), std::string::npos) << c.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ConfigErrors,
    ::testing::Values(BadCase{"[server]\nport = 70000\n", "server.port"},
                      BadCase{"[server]\nport = \"80\"\n", "server.port"},
                      BadCase{"[server]\nprot = 80\n", "server.prot"},
                      BadCase{"[sever]\nport = 80\n", "sever"},
                      BadCase{"[store]\ndriver = \"mysql\"\n", "store.driver"},
                      BadCase{"[log]\nformat = \"xml\"\n", "log.format"},
                      BadCase{"[server]\npublic_url = \"ftp://x\"\n", "server.public_url"},
                      BadCase{"[server]\ntls_cert_file = \"a.pem\"\n", "server.tls_cert_file"},
                      BadCase{"[auth]\nlockout_failures = 0\n", "auth.lockout_failures"},
                      BadCase{"[auth]\nhash_workers = 0\n", "auth.hash_workers"},
                      BadCase{"[server]\nmax_connections = 0\n", "server.max_connections"},
                      BadCase{"[server]\ntrusted_proxies = \"10.0.0.0/8\"\n",
                              "server.trusted_proxies"},
                      BadCase{"[server]\ntrusted_proxies = [\"10.0.0.0/33\"]\n",
                              "10.0.0.0/33"},
                      BadCase{"[microsoft]\nclient_secret_fiel = \"x\"\n",
                              "microsoft.client_secret_fiel"},
                      BadCase{"[microsoft]\nlogin_base_url = \"ftp://x\"\n",
                              "microsoft.login_base_url"},
                      BadCase{"[microsoft]\ngraph_base_url = 3\n", "microsoft.graph_base_url"},
                      BadCase{"[microsoft]\nhealth_check_seconds = 1\n",
                              "microsoft.health_check_seconds"},
                      BadCase{"[microsoft]\nclient_id = \"a\"\n", "server.public_url"},
                      BadCase{"[events]\nwebsockets_per_session = 0\n",
                              "events.websockets_per_session"},
                      BadCase{"[events]\nreplay_max_events = 5000\n",
                              "events.replay_max_events"},
                      BadCase{"[presence_sync]\nbudget_share_percent = 0\n",
                              "presence_sync.budget_share_percent"},
                      BadCase{"[presence_sync]\nsession_minutes = 300\n",
                              "presence_sync.session_minutes"},
                      BadCase{"[presence_sync]\nround = 5\n", "presence_sync.round"},
                      BadCase{"[presence_sync]\nsubscription_seconds = 3601\n",
                              "presence_sync.subscription_seconds"},
                      BadCase{"[presence_sync]\nsubscription_seconds = 600\n"
                              "renew_before_seconds = 600\n",
                              "presence_sync.renew_before_seconds"},
                      BadCase{"[presence_sync]\nkey_rotation_hours = 0\n",
                              "presence_sync.key_rotation_hours"},
                      BadCase{"[directory]\nsync_interval_seconds = 10\n",
                              "directory.sync_interval_seconds"},
                      BadCase{"[directory]\npresence_ttl_seconds = 0\n",
                              "directory.presence_ttl_seconds"},
                      BadCase{"[directory]\npage_size = 1000\n", "directory.page_size"},
                      BadCase{"[directory]\ndefault_country_code = \"+44\"\n",
                              "directory.default_country_code"},
                      BadCase{"[directory]\ndefault_country_code = 44\n",
                              "directory.default_country_code"},
                      BadCase{"[directory]\nsync_interval = 300\n", "directory.sync_interval"},
                      BadCase{"[server\n", "bad.toml:1"}));

TEST(Config, PostgresqlKeysAreChecked) {
  auto no_dsn = parse_config("[store]\ndriver = \"postgresql\"\n", "t.toml");
  ASSERT_FALSE(no_dsn);
  EXPECT_NE(no_dsn.error().message.find("store.dsn"), std::string::npos);
  auto both = parse_config(
      "[store]\ndriver = \"postgresql\"\ndsn = \"host=db\"\npassword_env = \"P\"\n"
      "password_file = \"/p\"\n",
      "t.toml");
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().message.find("store.password_file"), std::string::npos);
  auto complete = parse_config(
      "[store]\ndriver = \"postgresql\"\ndsn = \"host=db dbname=ccteams\"\n"
      "password_env = \"CCTEAMS_DB_PASSWORD\"\nconnections = 8\n",
      "t.toml");
  ASSERT_TRUE(complete) << complete.error().message;
  EXPECT_EQ(complete->store.driver, "postgresql");
  EXPECT_EQ(complete->store.dsn, "host=db dbname=ccteams");
  EXPECT_EQ(complete->store.password_env, "CCTEAMS_DB_PASSWORD");
  EXPECT_EQ(complete->store.connections, 8);
  auto sqlite = parse_config("[store]\ndsn = \"ignored\"\nconnections = 2\n", "t.toml");
  ASSERT_TRUE(sqlite) << sqlite.error().message;
  EXPECT_EQ(sqlite->store.connections, 2);
  EXPECT_FALSE(parse_config("[store]\nconnections = 0\n", "t.toml"));
}

TEST(Config, ClusterSectionNeedsPostgresqlAndTimingsThatKeepTheLease) {
  const std::string pg = "[store]\ndriver = \"postgresql\"\ndsn = \"host=db\"\n";
  const std::string key = "internal_key_file = \"/etc/ccteams/internal.key\"\n";
  auto defaults = parse_config(pg + "[cluster]\nenabled = true\n" + key, "t.toml");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_TRUE(defaults->cluster.enabled);
  EXPECT_EQ(defaults->cluster.lease_ttl_ms, 6000);
  EXPECT_EQ(defaults->cluster.renew_every_ms, 2000);
  EXPECT_EQ(defaults->cluster.scan_every_ms, 1000);
  EXPECT_EQ(defaults->cluster.margin_ms, 1000);
  EXPECT_EQ(defaults->cluster.internal_url, "");  // derived from the listener at start
  EXPECT_EQ(defaults->cluster.internal_key_file, "/etc/ccteams/internal.key");
  auto tuned = parse_config(pg + "[cluster]\nenabled = true\nlease_ttl_ms = 9000\n"
                                 "renew_every_ms = 3000\nscan_every_ms = 500\nmargin_ms = 2000\n"
                                 "internal_key_env = \"CCTEAMS_INTERNAL_KEY\"\n"
                                 "internal_url = \"https://10.0.0.5:8443\"\n",
                            "t.toml");
  ASSERT_TRUE(tuned) << tuned.error().message;
  EXPECT_EQ(tuned->cluster.lease_ttl_ms, 9000);
  EXPECT_EQ(tuned->cluster.internal_url, "https://10.0.0.5:8443");
  EXPECT_EQ(tuned->cluster.internal_key_env, "CCTEAMS_INTERNAL_KEY");
  struct Bad {
    std::string toml;
    const char* names;
  };
  const Bad bad[] = {
      {"[cluster]\nenabled = true\n", "store.driver"},
      {pg + "[cluster]\nenabled = \"yes\"\n", "cluster.enabled"},
      {pg + "[cluster]\nenabled = true\nrenew_every_ms = 3000\n" + key, "renew_every"},
      {pg + "[cluster]\nenabled = true\nmargin_ms = 6000\n" + key, "margin"},
      // No internal key, or two places for it.
      {pg + "[cluster]\nenabled = true\n", "cluster.internal_key_file"},
      {pg + "[cluster]\nenabled = true\ninternal_key_env = \"K\"\n" + key,
       "cluster.internal_key_file"},
      {pg + "[cluster]\nenabled = true\ninternal_url = \"10.0.0.5:8080\"\n" + key,
       "cluster.internal_url"},
      {pg + "[cluster]\nenabled = true\ninternal_url = \"http://10.0.0.5:8080/api\"\n" + key,
       "cluster.internal_url"},
      {pg + "[cluster]\nlease_ttl_ms = 10\n", "cluster.lease_ttl_ms"},
      {pg + "[cluster]\nttl = 10\n", "cluster.ttl"},
  };
  for (const Bad& b : bad) {
    auto r = parse_config(b.toml, "t.toml");
    ASSERT_FALSE(r) << b.toml;
    EXPECT_EQ(r.error().code, Errc::invalid_input);
    EXPECT_NE(r.error().message.find(b.names), std::string::npos) << r.error().message;
  }
}

TEST(Config, StorePasswordComesFromTheEnvironmentOrAFile) {
  StoreConfig c;
  EXPECT_EQ(read_store_password(c).value(), "");
  c.password_env = "CCTEAMS_TEST_STORE_PASSWORD_UNSET";
  ::unsetenv(c.password_env.c_str());
  auto unset = read_store_password(c);
  ASSERT_FALSE(unset);
  EXPECT_NE(unset.error().message.find("store.password_env"), std::string::npos);
  ::setenv(c.password_env.c_str(), "s3cret", 1);
  EXPECT_EQ(read_store_password(c).value(), "s3cret");
  ::unsetenv(c.password_env.c_str());
  c.password_env.clear();
  const std::string file = ::testing::TempDir() + "ccteams-store-password";
  {
    std::ofstream out(file);
    out << "from-file\r\nsecond line\n";
  }
  c.password_file = file;
  EXPECT_EQ(read_store_password(c).value(), "from-file");
  std::remove(file.c_str());
  EXPECT_FALSE(read_store_password(c));
}

}  // namespace
}  // namespace ccteams::cli

namespace ccteams::cli {
namespace {

TEST(Config, MetricsSection) {
  auto c = parse_config(R"(
[metrics]
bearer_token_file = "/etc/ccteams/metrics.token"
listen = "[::1]:9100"
)",
                        "t.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->metrics.bearer_token_file, "/etc/ccteams/metrics.token");
  EXPECT_EQ(c->metrics.bearer_token_env, "CCTEAMS_METRICS_TOKEN");
  EXPECT_EQ(c->metrics.listen, "[::1]:9100");
  for (const char* bad : {"9100", "localhost", "::1:9100", "127.0.0.1:99999", "127.0.0.1:"}) {
    auto r = parse_config(std::string("[metrics]\nlisten = \"") + bad + "\"\n", "t.toml");
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("metrics.listen"), std::string::npos) << r.error().message;
  }
}

// The settings the wiring used to fix: defaults unchanged, each settable, a bad value named.
TEST(Config, TimeoutsPacesAndRetentionAreSettable) {
  auto d = parse_config("", "t.toml");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->server.header_timeout_seconds, 10);
  EXPECT_EQ(d->server.body_timeout_seconds, 30);
  EXPECT_EQ(d->server.write_timeout_seconds, 30);
  EXPECT_EQ(d->server.idle_timeout_seconds, 60);
  EXPECT_EQ(d->server.ws_ping_interval_seconds, 20);
  EXPECT_EQ(d->server.shutdown_grace_seconds, 10);
  EXPECT_EQ(d->presence_sync.subscription_check_seconds, 60);
  EXPECT_EQ(d->presence_sync.subscription_probe_seconds, 180);
  EXPECT_EQ(d->presence_sync.max_reads_in_flight, 4);
  EXPECT_EQ(d->presence_sync.max_writes_in_flight, 8);
  EXPECT_EQ(d->metrics.gauges_interval_seconds, 5);
  EXPECT_EQ(d->events.retention_hours, 24);
  EXPECT_EQ(d->events.ticket_ttl_seconds, 30);
  EXPECT_EQ(d->store.max_jobs_per_commit, 64);
  auto c = parse_config(R"(
[store]
max_jobs_per_commit = 1
[server]
header_timeout_seconds = 5
body_timeout_seconds = 60
write_timeout_seconds = 45
idle_timeout_seconds = 120
ws_ping_interval_seconds = 30
shutdown_grace_seconds = 0
[presence_sync]
subscription_check_seconds = 30
subscription_probe_seconds = 0
max_reads_in_flight = 2
max_writes_in_flight = 16
[metrics]
gauges_interval_seconds = 15
[events]
retention_hours = 72
ticket_ttl_seconds = 10
)",
                        "t.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server.header_timeout_seconds, 5);
  EXPECT_EQ(c->server.body_timeout_seconds, 60);
  EXPECT_EQ(c->server.write_timeout_seconds, 45);
  EXPECT_EQ(c->server.idle_timeout_seconds, 120);
  EXPECT_EQ(c->server.ws_ping_interval_seconds, 30);
  EXPECT_EQ(c->server.shutdown_grace_seconds, 0);
  EXPECT_EQ(c->presence_sync.subscription_check_seconds, 30);
  EXPECT_EQ(c->presence_sync.subscription_probe_seconds, 0);  // never
  EXPECT_EQ(c->presence_sync.max_reads_in_flight, 2);
  EXPECT_EQ(c->presence_sync.max_writes_in_flight, 16);
  EXPECT_EQ(c->metrics.gauges_interval_seconds, 15);
  EXPECT_EQ(c->events.retention_hours, 72);
  EXPECT_EQ(c->events.ticket_ttl_seconds, 10);
  EXPECT_EQ(c->store.max_jobs_per_commit, 1);
  for (const char* bad :
       {"[server]\nheader_timeout_seconds = 0\n", "[server]\nbody_timeout_seconds = 3601\n",
        "[server]\nwrite_timeout_seconds = -1\n", "[server]\nidle_timeout_seconds = \"60\"\n",
        "[server]\nws_ping_interval_seconds = 1\n", "[server]\nshutdown_grace_seconds = 301\n",
        "[presence_sync]\nsubscription_check_seconds = 1\n",
        "[presence_sync]\nsubscription_probe_seconds = 3601\n",
        "[presence_sync]\nmax_reads_in_flight = 0\n",
        "[presence_sync]\nmax_writes_in_flight = 65\n", "[metrics]\ngauges_interval_seconds = 0\n",
        "[events]\nretention_hours = 0\n", "[events]\nticket_ttl_seconds = 1\n",
        "[store]\nmax_jobs_per_commit = 0\n", "[store]\nmax_jobs_per_commit = 1025\n"}) {
    auto r = parse_config(bad, "bad.toml");
    ASSERT_FALSE(r) << bad;
    const std::string text(bad);
    const std::string key = text.substr(1, text.find(']') - 1) + "." +
                            text.substr(text.find('\n') + 1, text.find(" =") - text.find('\n') - 1);
    EXPECT_NE(r.error().message.find(key), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("bad.toml"), std::string::npos) << r.error().message;
  }
}

TEST(Config, HostPort) {
  auto v4 = parse_host_port("127.0.0.1:9100");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 9100);
  auto v6 = parse_host_port("[::1]:0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  EXPECT_FALSE(parse_host_port("[]:1"));
  EXPECT_FALSE(parse_host_port(":1"));
  EXPECT_FALSE(parse_host_port("a:b"));
}

}  // namespace
}  // namespace ccteams::cli
