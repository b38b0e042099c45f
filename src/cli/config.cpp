#include "cli/config.hpp"

#include <toml++/toml.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "adapters/http/client_address.hpp"
#include "app/cluster/lease_timings.hpp"
#include "cli/sip_config.hpp"
#include "core/e164.hpp"

namespace ccteams::cli {

namespace {

class Reader {
 public:
  Reader(const toml::table& root, std::string source) : root_(root), source_(std::move(source)) {}

  Result<void> check_known(const std::set<std::string>& sections,
                           const std::map<std::string, std::set<std::string>>& keys) const {
    for (const auto& [k, node] : root_) {
      const std::string section(k.str());
      if (!sections.contains(section)) {
        return fail(section,
                    "is not a known section (known: server, store, secrets, log, auth, "
                    "microsoft, presence_sync, metrics, events, directory, cluster, media, sip)");
      }
      if (!node.is_table()) return fail(section, "must be a table ([" + section + "])");
      for (const auto& [sub, _] : *node.as_table()) {
        if (!keys.at(section).contains(std::string(sub.str()))) {
          return fail(section + "." + std::string(sub.str()), "is not a known key");
        }
      }
    }
    return ok();
  }

  Result<void> str(const char* section, const char* key, std::string& out) const {
    const auto* node = find(section, key);
    if (!node) return ok();
    if (!node->is_string()) return fail(name(section, key), "must be a string");
    out = node->as_string()->get();
    return ok();
  }

  Result<void> integer(const char* section, const char* key, std::int64_t lo, std::int64_t hi,
                       std::int64_t& out) const {
    const auto* node = find(section, key);
    if (!node) return ok();
    if (!node->is_integer() || node->as_integer()->get() < lo || node->as_integer()->get() > hi) {
      return fail(name(section, key),
                  "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    out = node->as_integer()->get();
    return ok();
  }

  Result<void> boolean(const char* section, const char* key, bool& out) const {
    const auto* node = find(section, key);
    if (!node) return ok();
    if (!node->is_boolean()) return fail(name(section, key), "must be true or false");
    out = node->as_boolean()->get();
    return ok();
  }

  Result<void> strings(const char* section, const char* key,
                       std::vector<std::string>& out) const {
    const auto* node = find(section, key);
    if (!node) return ok();
    const auto* array = node->as_array();
    if (array == nullptr) return fail(name(section, key), "must be an array of strings");
    std::vector<std::string> values;
    for (const auto& item : *array) {
      if (!item.is_string()) return fail(name(section, key), "must be an array of strings");
      values.push_back(item.as_string()->get());
    }
    out = std::move(values);
    return ok();
  }

  Error fail(const std::string& key, const std::string& what) const {
    return make_error(Errc::invalid_input, source_ + ": " + key + " " + what);
  }

 private:
  static std::string name(const char* section, const char* key) {
    return std::string(section) + "." + key;
  }
  const toml::node* find(const char* section, const char* key) const {
    const auto* sec = root_.get(section);
    if (!sec || !sec->is_table()) return nullptr;
    return sec->as_table()->get(key);
  }

  const toml::table& root_;
  std::string source_;
};

template <class T>
Result<void> narrow(const Reader& r, const char* section, const char* key, std::int64_t lo,
                    std::int64_t hi, T& out) {
  std::int64_t v = static_cast<std::int64_t>(out);
  if (auto res = r.integer(section, key, lo, hi, v); !res) return res;
  out = static_cast<T>(v);
  return ok();
}

// store.driver = "postgresql": a DSN, and the password from at most one place (an environment
// variable or a file, read at start by read_store_password; never inline, never logged).
Result<void> check_postgresql(const Reader& r, const StoreConfig& c) {
  if (c.driver != "postgresql") return ok();
  if (c.dsn.empty()) return r.fail("store.dsn", "must be set for store.driver = \"postgresql\"");
  if (!c.password_env.empty() && !c.password_file.empty()) {
    return r.fail("store.password_file", "set either store.password_env or store.password_file");
  }
  return ok();
}

// [cluster] enabled: several instances on one PostgreSQL database, with organisation leases.
Result<void> check_cluster(const Reader& r, const Config& c) {
  if (!c.cluster.enabled) return ok();
  if (c.store.driver != "postgresql") {
    return r.fail("cluster.enabled",
                  "needs store.driver = \"postgresql\" (instances share organisations through "
                  "leases in PostgreSQL; SQLite serves one instance)");
  }
  if (auto why = invalid_lease_timings(lease_timings(c.cluster))) {
    return r.fail("cluster", "timings: " + *why + " (lease_ttl_ms, renew_every_ms, margin_ms)");
  }
  if (c.cluster.internal_key_env.empty() == c.cluster.internal_key_file.empty()) {
    return r.fail("cluster.internal_key_file",
                  "or cluster.internal_key_env must be set (one of them): the key instances "
                  "sign forwarded requests with, the same on every instance; create one with: "
                  "(umask 077; ccteams secret generate > /etc/ccteams/internal.key)");
  }
  if (!c.cluster.internal_url.empty()) {
    auto origin = web_origin(c.cluster.internal_url);
    if (!origin || c.cluster.internal_url.find('?') != std::string::npos ||
        c.cluster.internal_url.find('/', c.cluster.internal_url.find("//") + 2) !=
            std::string::npos) {
      return r.fail("cluster.internal_url",
                    "must be http://host:port or https://host:port (no path), an address the "
                    "other instances reach this one at");
    }
  }
  return ok();
}

Result<void> one_of(const Reader& r, const std::string& key, const std::string& value,
                    const std::set<std::string>& allowed) {
  if (allowed.contains(value)) return ok();
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return r.fail(key, "must be one of: " + list + " (got '" + value + "')");
}

}  // namespace

Result<Config> parse_config(std::string_view toml_text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source_name << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    return make_error(Errc::invalid_input, msg.str());
  }
  Reader r(root, source_name);
  const std::map<std::string, std::set<std::string>> keys = {
      {"server",
       {"host", "port", "threads", "public_url", "body_limit_bytes", "tls_cert_file",
        "tls_key_file", "max_connections", "max_connections_per_address", "trusted_proxies",
        "header_timeout_seconds", "body_timeout_seconds", "write_timeout_seconds",
        "idle_timeout_seconds", "ws_ping_interval_seconds", "shutdown_grace_seconds"}},
      {"store",
       {"driver", "path", "max_jobs_per_commit", "dsn", "password_env", "password_file",
        "connections"}},
      {"secrets", {"key", "key_env", "key_file"}},
      {"log", {"format", "level"}},
      {"auth",
       {"session_ttl_minutes", "lockout_failures", "lockout_minutes", "password_hash",
        "login_delay_max_seconds", "username_slowdown_failures", "address_lockout_failures",
        "hash_workers", "hash_queue"}},
      {"microsoft",
       {"client_id", "client_secret", "client_secret_env", "client_secret_file", "login_base_url",
        "graph_base_url", "ca_file", "health_check_seconds"}},
      {"presence_sync",
       {"budget_share_percent", "round_ms", "coalesce_ms", "session_minutes",
        "watch_refresh_seconds", "subscription_seconds", "renew_before_seconds",
        "key_rotation_hours", "subscription_check_seconds", "subscription_probe_seconds",
        "max_reads_in_flight", "max_writes_in_flight"}},
      {"metrics",
       {"bearer_token", "bearer_token_env", "bearer_token_file", "listen",
        "gauges_interval_seconds"}},
      {"events",
       {"websockets_per_session", "replay_max_events", "retention_hours", "ticket_ttl_seconds"}},
      {"directory",
       {"sync_interval_seconds", "presence_ttl_seconds", "page_size", "default_country_code"}},
      {"cluster", {"enabled", "lease_ttl_ms", "renew_every_ms", "scan_every_ms", "margin_ms",
                   "internal_url", "internal_key_env", "internal_key_file"}},
      {"media", {"greeting", "music_on_hold", "rtp_address", "rtp_port_min", "rtp_port_max"}},
      {"sip", {"listen", "advertise", "trunks", "numbers"}}};
  if (auto res = r.check_known({"server", "store", "secrets", "log", "auth", "microsoft",
                                "presence_sync", "metrics", "events", "directory", "cluster", "media",
                                "sip"},
          keys);
      !res) {
    return std::move(res).error();
  }
  Config c;
  int key_rotation_hours = static_cast<int>(c.presence_sync.key_rotation_seconds / 3600);
  for (auto res :
       {r.str("server", "host", c.server.host),
        narrow(r, "server", "port", 0, 65535, c.server.port),
        narrow(r, "server", "threads", 1, 64, c.server.threads),
        r.str("server", "public_url", c.server.public_url),
        narrow(r, "server", "body_limit_bytes", 1024, 64 << 20, c.server.body_limit_bytes),
        r.str("server", "tls_cert_file", c.server.tls_cert_file),
        r.str("server", "tls_key_file", c.server.tls_key_file),
        narrow(r, "server", "max_connections", 1, 1'000'000, c.server.max_connections),
        narrow(r, "server", "max_connections_per_address", 1, 1'000'000,
               c.server.max_connections_per_address),
        r.strings("server", "trusted_proxies", c.server.trusted_proxies),
        narrow(r, "server", "header_timeout_seconds", 1, 300, c.server.header_timeout_seconds),
        narrow(r, "server", "body_timeout_seconds", 1, 3600, c.server.body_timeout_seconds),
        narrow(r, "server", "write_timeout_seconds", 1, 3600, c.server.write_timeout_seconds),
        narrow(r, "server", "idle_timeout_seconds", 1, 3600, c.server.idle_timeout_seconds),
        narrow(r, "server", "ws_ping_interval_seconds", 5, 300, c.server.ws_ping_interval_seconds),
        narrow(r, "server", "shutdown_grace_seconds", 0, 300, c.server.shutdown_grace_seconds),
        r.str("store", "driver", c.store.driver),
        r.str("store", "path", c.store.path),
        narrow(r, "store", "max_jobs_per_commit", 1, 1024, c.store.max_jobs_per_commit),
        r.str("store", "dsn", c.store.dsn),
        r.str("store", "password_env", c.store.password_env),
        r.str("store", "password_file", c.store.password_file),
        narrow(r, "store", "connections", 1, 64, c.store.connections),
        r.str("secrets", "key", c.secrets.key),
        r.str("secrets", "key_env", c.secrets.key_env),
        r.str("secrets", "key_file", c.secrets.key_file),
        r.str("log", "format", c.log.format),
        r.str("log", "level", c.log.level),
        narrow(r, "auth", "session_ttl_minutes", 5, 60 * 24 * 30, c.auth.session_ttl_minutes),
        narrow(r, "auth", "lockout_failures", 1, 1000, c.auth.lockout_failures),
        narrow(r, "auth", "lockout_minutes", 1, 24 * 60, c.auth.lockout_minutes),
        r.str("auth", "password_hash", c.auth.password_hash),
        narrow(r, "auth", "login_delay_max_seconds", 1, 3600, c.auth.login_delay_max_seconds),
        narrow(r, "auth", "username_slowdown_failures", 1, 1'000'000,
               c.auth.username_slowdown_failures),
        narrow(r, "auth", "address_lockout_failures", 1, 1'000'000,
               c.auth.address_lockout_failures),
        narrow(r, "auth", "hash_workers", 1, 64, c.auth.hash_workers),
        narrow(r, "auth", "hash_queue", 0, 100'000, c.auth.hash_queue),
        r.str("microsoft", "client_id", c.microsoft.client_id),
        r.str("microsoft", "client_secret", c.microsoft.client_secret),
        r.str("microsoft", "client_secret_env", c.microsoft.client_secret_env),
        r.str("microsoft", "client_secret_file", c.microsoft.client_secret_file),
        r.str("microsoft", "login_base_url", c.microsoft.login_base_url),
        r.str("microsoft", "graph_base_url", c.microsoft.graph_base_url),
        r.str("microsoft", "ca_file", c.microsoft.ca_file),
        narrow(r, "microsoft", "health_check_seconds", 10, 24 * 3600,
               c.microsoft.health_check_seconds),
        narrow(r, "presence_sync", "budget_share_percent", 1, 100,
               c.presence_sync.budget_share_percent),
        narrow(r, "presence_sync", "round_ms", 200, 60'000, c.presence_sync.round_ms),
        narrow(r, "presence_sync", "coalesce_ms", 0, 5'000, c.presence_sync.coalesce_ms),
        narrow(r, "presence_sync", "session_minutes", 5, 240, c.presence_sync.session_minutes),
        narrow(r, "presence_sync", "watch_refresh_seconds", 1, 300,
               c.presence_sync.watch_refresh_seconds),
        narrow(r, "presence_sync", "subscription_seconds", 60, 3600,
               c.presence_sync.subscription_seconds),
        narrow(r, "presence_sync", "renew_before_seconds", 10, 3590,
               c.presence_sync.renew_before_seconds),
        narrow(r, "presence_sync", "key_rotation_hours", 1, 24 * 365, key_rotation_hours),
        narrow(r, "presence_sync", "subscription_check_seconds", 10, 3600,
               c.presence_sync.subscription_check_seconds),
        narrow(r, "presence_sync", "subscription_probe_seconds", 0, 3600,
               c.presence_sync.subscription_probe_seconds),
        narrow(r, "presence_sync", "max_reads_in_flight", 1, 64,
               c.presence_sync.max_reads_in_flight),
        narrow(r, "presence_sync", "max_writes_in_flight", 1, 64,
               c.presence_sync.max_writes_in_flight),
        r.str("metrics", "bearer_token", c.metrics.bearer_token),
        r.str("metrics", "bearer_token_env", c.metrics.bearer_token_env),
        r.str("metrics", "bearer_token_file", c.metrics.bearer_token_file),
        r.str("metrics", "listen", c.metrics.listen),
        narrow(r, "metrics", "gauges_interval_seconds", 1, 3600, c.metrics.gauges_interval_seconds),
        narrow(r, "events", "websockets_per_session", 1, 100, c.events.websockets_per_session),
        narrow(r, "events", "replay_max_events", 1, 240, c.events.replay_max_events),
        narrow(r, "events", "retention_hours", 1, 24 * 365, c.events.retention_hours),
        narrow(r, "events", "ticket_ttl_seconds", 5, 300, c.events.ticket_ttl_seconds),
        narrow(r, "directory", "sync_interval_seconds", 60, 24 * 3600,
               c.directory.sync_interval_seconds),
        narrow(r, "directory", "presence_ttl_seconds", 1, 300, c.directory.presence_ttl_seconds),
        narrow(r, "directory", "page_size", 1, 999, c.directory.page_size),
        r.str("directory", "default_country_code", c.directory.default_country_code),
        r.boolean("cluster", "enabled", c.cluster.enabled),
        narrow(r, "cluster", "lease_ttl_ms", 1000, 600'000, c.cluster.lease_ttl_ms),
        narrow(r, "cluster", "renew_every_ms", 100, 300'000, c.cluster.renew_every_ms),
        narrow(r, "cluster", "scan_every_ms", 100, 300'000, c.cluster.scan_every_ms),
        narrow(r, "cluster", "margin_ms", 0, 300'000, c.cluster.margin_ms),
        r.str("cluster", "internal_url", c.cluster.internal_url),
        r.str("cluster", "internal_key_env", c.cluster.internal_key_env),
        r.str("cluster", "internal_key_file", c.cluster.internal_key_file),
        r.str("media", "greeting", c.media.greeting),
        r.str("media", "music_on_hold", c.media.music_on_hold),
        r.str("media", "rtp_address", c.media.rtp_address),
        narrow(r, "media", "rtp_port_min", 1024, 65534, c.media.rtp_port_min),
        narrow(r, "media", "rtp_port_max", 1025, 65535, c.media.rtp_port_max)}) {
    if (!res) return std::move(res).error();
  }
  c.presence_sync.key_rotation_seconds = static_cast<std::int64_t>(key_rotation_hours) * 3600;
  if (c.presence_sync.renew_before_seconds >= c.presence_sync.subscription_seconds) {
    return r.fail("presence_sync.renew_before_seconds",
                  "must be less than presence_sync.subscription_seconds (" +
                      std::to_string(c.presence_sync.subscription_seconds) + ")");
  }
  for (auto res : {one_of(r, "store.driver", c.store.driver, {"sqlite", "postgresql"}),
                   one_of(r, "log.format", c.log.format, {"text", "json"}),
                   one_of(r, "log.level", c.log.level, {"trace", "debug", "info", "warn", "error"}),
                   one_of(r, "auth.password_hash", c.auth.password_hash,
                          {"interactive", "moderate", "minimum"})}) {
    if (!res) return std::move(res).error();
  }
  if (c.server.host.empty()) return r.fail("server.host", "must not be empty");
  if (c.store.path.empty()) return r.fail("store.path", "must not be empty");
  if (auto res = check_postgresql(r, c.store); !res) return std::move(res).error();
  if (auto res = check_cluster(r, c); !res) return std::move(res).error();
  if (!c.server.public_url.empty() && !web_origin(c.server.public_url)) {
    return r.fail("server.public_url", "must start with https:// (or http:// for tests)");
  }
  for (auto [key, url] : {std::pair{"microsoft.login_base_url", &c.microsoft.login_base_url},
                          std::pair{"microsoft.graph_base_url", &c.microsoft.graph_base_url}}) {
    while (!url->empty() && url->back() == '/') url->pop_back();
    if (url->rfind("https://", 0) != 0 && url->rfind("http://", 0) != 0) {
      return r.fail(key, "must start with https:// (or http:// for tests)");
    }
  }
  if (!c.microsoft.client_id.empty() && c.server.public_url.empty()) {
    return r.fail("server.public_url",
                  "must be set when microsoft.client_id is (the consent redirect URI is built "
                  "from it)");
  }
  if (!c.metrics.listen.empty() && !parse_host_port(c.metrics.listen)) {
    return r.fail("metrics.listen",
                  "must be host:port, e.g. \"127.0.0.1:9100\" or \"[::1]:9100\" (got '" +
                      c.metrics.listen + "')");
  }
  if (auto proxies = http::TrustedProxies::parse(c.server.trusted_proxies); !proxies) {
    return r.fail("server.trusted_proxies", "holds " + proxies.error().message);
  }
  if (const auto& cc = c.directory.default_country_code; !cc.empty() && !valid_country_code(cc)) {
    return r.fail("directory.default_country_code",
                  "must be a country calling code of 1 to 3 digits without '+' (e.g. \"1\", "
                  "\"44\"), or empty (got '" + cc + "')");
  }
  // At least one even port, for one call leg.
  if (c.media.rtp_port_max < c.media.rtp_port_min + (c.media.rtp_port_min & 1)) {
    return r.fail("media.rtp_port_max",
                  "must be at least media.rtp_port_min (" + std::to_string(c.media.rtp_port_min) +
                      ") rounded up to an even port");
  }
  if (c.media.rtp_address.empty()) return r.fail("media.rtp_address", "must not be empty");
  if (auto sip = parse_sip_config(root, source_name, c.sip); !sip) return std::move(sip).error();
  if (c.server.tls_cert_file.empty() != c.server.tls_key_file.empty()) {
    return r.fail("server.tls_cert_file", "and server.tls_key_file must be set together");
  }
  return c;
}

std::optional<HostPort> parse_host_port(std::string_view text) {
  HostPort out;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos || close == 1) return std::nullopt;
    out.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    out.host = std::string(text.substr(0, colon));
    if (out.host.find(':') != std::string::npos) return std::nullopt;  // IPv6 needs brackets
    port = text.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char ch : port) {
    if (ch < '0' || ch > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(ch - '0');
  }
  if (value > 65535) return std::nullopt;
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

Result<std::string> web_origin(std::string_view url) {
  std::string scheme;
  if (url.rfind("https://", 0) == 0) {
    scheme = "https";
  } else if (url.rfind("http://", 0) == 0) {
    scheme = "http";
  } else {
    return make_error(Errc::invalid_input, "not an http(s) URL: " + std::string(url));
  }
  auto authority = url.substr(scheme.size() + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return make_error(Errc::invalid_input, "no host (or a user name) in " + std::string(url));
  }
  std::string out = scheme + "://";
  for (char ch : authority) out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  // Browsers leave the scheme's default port out of Origin.
  const std::string default_port = scheme == "https" ? ":443" : ":80";
  if (out.size() > default_port.size() &&
      out.compare(out.size() - default_port.size(), default_port.size(), default_port) == 0) {
    out.resize(out.size() - default_port.size());
  }
  return out;
}

LeaseTimings lease_timings(const ClusterConfig& c) {
  return LeaseTimings{Millis{c.lease_ttl_ms}, Millis{c.renew_every_ms}, Millis{c.scan_every_ms},
                      Millis{c.margin_ms}};
}

Result<std::string> read_store_password(const StoreConfig& c) {
  if (!c.password_env.empty()) {
    const char* v = std::getenv(c.password_env.c_str());
    if (v == nullptr || *v == '\0') {
      return make_error(Errc::invalid_input, "store.password_env: the environment variable " +
                                                 c.password_env + " is not set");
    }
    return std::string(v);
  }
  if (c.password_file.empty()) return std::string();
  std::ifstream in(c.password_file, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return make_error(Errc::invalid_input, "store.password_file: cannot read " + c.password_file);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Result<Config> load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::invalid_input, path + ": cannot read the configuration file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

}  // namespace ccteams::cli
