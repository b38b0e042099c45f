#pragma once
// ccteams.toml: the production configuration. Unknown keys and bad values are errors that name
// the key, so a typo never silently falls back to a default.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace ccteams {
struct LeaseTimings;  // app/cluster/lease_timings.hpp
}  // namespace ccteams

namespace ccteams::cli {

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 2;
  std::string public_url;             // e.g. https://cc.example.com (webhooks, OAuth redirects)
  std::size_t body_limit_bytes = 1 << 20;
  std::string tls_cert_file;          // serve HTTPS directly when both are set
  std::string tls_key_file;
  // Connections beyond either cap are closed at once (http_connections_refused_total).
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_address = 256;  // per client address (an IPv6 /64 as one)
  // Reverse proxies whose X-Forwarded-For names the client (CIDR networks, e.g. "10.0.0.0/8").
  // Empty: the peer address is the client, whatever the header says.
  std::vector<std::string> trusted_proxies;
  // A new connection must send its request header (and finish the TLS handshake) within
  // header_timeout_seconds; a body must arrive within body_timeout_seconds; each response and
  // WebSocket message must be written within write_timeout_seconds; a kept-alive connection may
  // sit idle idle_timeout_seconds between requests.
  int header_timeout_seconds = 10;
  int body_timeout_seconds = 30;
  int write_timeout_seconds = 30;
  int idle_timeout_seconds = 60;
  int ws_ping_interval_seconds = 20;  // a silent WebSocket is pinged; as long again: closed
  int shutdown_grace_seconds = 10;    // SIGTERM/SIGINT: in-flight requests get this long
};

struct StoreConfig {
  // "sqlite", or "postgresql" (docs/postgresql.md; one ccteams serve per database for now).
  std::string driver = "sqlite";
  std::string path = "ccteams.db";  // sqlite
  // Store jobs queued together that share one transaction and one disk sync (1: none share).
  int max_jobs_per_commit = 64;
  // postgresql: a libpq connection string or URI without the password, which comes from the
  // environment variable password_env or the file password_file (never logged).
  std::string dsn;
  std::string password_env;
  std::string password_file;
  int connections = 4;  // worker threads, one connection each
};

struct SecretsConfig {
  std::string key;                    // base64 of 32 bytes; prefer key_env or key_file
  std::string key_env = "CCTEAMS_SECRET_KEY";
  std::string key_file;               // read (never generated) in serve
};

struct LogConfig {
  std::string format = "text";        // "text" or "json"
  std::string level = "info";         // trace, debug, info, warn, error
};

struct AuthConfig {
  int session_ttl_minutes = 720;
  // Failed sign-ins for one username from one address before each further attempt must wait
  // (1 s, doubling, up to login_delay_max_seconds): a slowdown, never a lockout.
  int lockout_failures = 5;
  int login_delay_max_seconds = 30;
  // Failures for one username over all addresses before every address is slowed down from
  // its first failure for it.
  int username_slowdown_failures = 100;
  // Failures from one address (any usernames) before it is locked out for lockout_minutes.
  int address_lockout_failures = 50;
  int lockout_minutes = 15;                   // also the window failures are counted in
  std::string password_hash = "interactive";  // interactive, moderate, minimum
  // Password hashing runs on its own threads; sign-ins beyond the queue get 429 at once.
  int hash_workers = 2;
  int hash_queue = 32;
};

// The Microsoft Teams connector's Entra app registration and endpoints (issue 4). The client
// secret is found like secrets.key: client_secret, else the variable client_secret_env, else
// the file client_secret_file. The consent redirect URI is
// {server.public_url}/api/v1/connectors/msteams/callback. No client_id: the connector is off.
struct MicrosoftConfig {
  std::string client_id;
  std::string client_secret;  // prefer client_secret_env or client_secret_file
  std::string client_secret_env = "CCTEAMS_MICROSOFT_CLIENT_SECRET";
  std::string client_secret_file;
  std::string login_base_url = "https://login.microsoftonline.com";  // no trailing slash
  std::string graph_base_url = "https://graph.microsoft.com/v1.0";   // no trailing slash
  std::string ca_file;  // extra CA certificates (PEM) trusted by the HTTPS client
  int health_check_seconds = 300;  // how often Active connectors confirm their app token
};

// Presence sync (issue 6): the share of Graph's presence budget and the channels' pace.
struct PresenceSyncConfig {
  int budget_share_percent = 50;  // of Graph's 1,500 presence requests / 30 s per app and tenant
  int round_ms = 1000;            // bulk reads: aim to read every watched user this often
  int coalesce_ms = 25;           // notifications: ids gathered this long into one bulk read
  int session_minutes = 30;       // setPresence expirationDuration (renewed at 80 %)
  int watch_refresh_seconds = 5;  // agents, profiles and links are re-read this often
  int subscription_check_seconds = 60;  // subscriptions due for renewal are looked for this often
  // Each subscription is read back from Graph this often, recreated when gone (0: never).
  int subscription_probe_seconds = 180;
  int max_reads_in_flight = 4;          // bulk presence reads at once, per organisation
  int max_writes_in_flight = 8;         // setPresence writes at once, per organisation
  // Subscriptions: the lifetime asked for (Graph's presence maximum is 3,600 s; 3,300 leaves
  // room for clock skew) and how long before expiry they are renewed by PATCH.
  int subscription_seconds = 3300;
  int renew_before_seconds = 900;
  // The rich-notification key pair is rotated this often (subscriptions PATCHed with the new
  // certificate). Config takes hours (key_rotation_hours); the demo sets seconds for tests.
  std::int64_t key_rotation_seconds = 720LL * 3600;
};

// Who may read GET /metrics (issue 23). The token is found like secrets.key: bearer_token,
// else the variable bearer_token_env, else the file bearer_token_file; it is never logged.
//  * listen set ("127.0.0.1:9100", "[::1]:9100"): /metrics is served there (with the token
//    when one is set) and not on the public listener (404 there);
//  * else a token: /metrics on the public listener needs "Authorization: Bearer <token>" (401);
//  * else `serve` refuses /metrics on the public listener (403, and a warning at start-up).
// The demo keeps it open to loopback callers.
struct MetricsConfig {
  std::string bearer_token;  // prefer bearer_token_env or bearer_token_file
  std::string bearer_token_env = "CCTEAMS_METRICS_TOKEN";
  std::string bearer_token_file;
  std::string listen;  // "host:port"; empty: the public listener
  int gauges_interval_seconds = 5;  // connectors by status, contacts waiting: sampled this often
};

// The events WebSocket (GET /api/v1/events): its limits per session and on resume.
struct EventsConfig {
  int websockets_per_session = 8;  // the next upgrade of that session gets 429
  // A resume (?after=) replays at most this many events; further behind, the client reloads.
  // Below the WebSocket outbox (256 messages), or a full replay would evict the client.
  int replay_max_events = 200;
  int retention_hours = 24;     // the event log (resume, audit of the day) keeps this much
  int ticket_ttl_seconds = 30;  // a ?ticket= from POST /api/v1/events/ticket is valid this long
};

// The Teams directory mirror (issue 7): how often it follows Graph's users delta, how long a
// presence shown beside a search result is reused, and how business phones are dialled.
struct DirectoryConfig {
  int sync_interval_seconds = 300;  // every Active organisation's mirror is delta-synced this often
  int presence_ttl_seconds = 5;     // a presence read for a search is shown this long, then re-read
  int page_size = 999;              // $top of GET /users in a full sync (Graph allows 1..999)
  // Put in front of business phones written without an international prefix: "1", "44" (1-3
  // digits, no '+'). Empty: only numbers with a prefix are dialable.
  std::string default_country_code;
};

// Several `ccteams serve` instances on one PostgreSQL database (docs/postgresql.md, "Leases and
// fencing"): each organisation is owned by one instance at a time through a lease.
struct ClusterConfig {
  bool enabled = false;        // false: one instance per database (a session lock refuses more)
  int lease_ttl_ms = 6000;     // a crashed owner's organisations are taken over after this
  int renew_every_ms = 2000;   // at most (ttl - margin) / 2
  int scan_every_ms = 1000;    // how often free and lapsed leases are looked for
  int margin_ms = 1000;        // an owner stops acting this long before its lease could lapse
  // Where the other instances send this one the requests of the organisations it owns
  // (docs/postgresql.md, "Any instance serves any request"): "http://10.0.0.5:8080". Empty:
  // derived from server.host and the bound port (refused at start when the host is a wildcard).
  std::string internal_url;
  // The key every instance signs and checks forwarded requests with (at least 32 bytes; e.g.
  // what `ccteams secret generate` prints): the variable internal_key_env, else the file
  // internal_key_file (mode 0600 or 0400). Required with enabled; never logged.
  std::string internal_key_env;
  std::string internal_key_file;
};

// Call media (issue 20, docs/telephony.md "What exists (part 5, media)"): the queue audio a
// waiting caller hears, and the UDP ports RTP sessions take. The WAV files must be 8000 Hz mono,
// 16-bit PCM, u-law or A-law; empty: the shipped ones (assets/audio, /usr/share/ccteams/audio in
// the package). The port range is even-aligned (RTP on even ports, RFC 3550 §11): two ports per
// call leg pair with a relay, so 10000-20000 holds about 2,500 bridged calls.
struct MediaConfig {
  std::string greeting;       // played once to a caller entering a queue
  std::string music_on_hold;  // then looped, and on hold
  std::string rtp_address = "127.0.0.1";
  int rtp_port_min = 10000;
  int rtp_port_max = 20000;
};

// SIP (issue 20, part 7, docs/telephony.md): where SipServer listens (UDP and TCP on one port),
// the carrier trunks allowed to send calls, and which dialled number goes to which queue. Empty
// listen: no SIP at all.
struct SipTrunkConfig {
  std::string name;
  std::vector<std::string> sources;  // addresses or CIDRs its INVITEs come from
  std::string address;               // host:port for outgoing calls through it
};
struct SipNumberConfig {
  std::string number;  // dialled number, E.164 (normalised when read)
  std::int64_t org = 0;    // the organisation's id
  std::int64_t queue = 0;  // the queue's id (GET /api/v1/orgs/{org}/queues)
};
struct SipConfig {
  std::string listen;     // "127.0.0.1:5060"; empty: SIP off
  std::string advertise;  // the address in Contact and SDP when listen is 0.0.0.0
  std::vector<SipTrunkConfig> trunks;
  std::vector<SipNumberConfig> numbers;
};

struct Config {
  ServerConfig server;
  StoreConfig store;
  SecretsConfig secrets;
  LogConfig log;
  AuthConfig auth;
  MicrosoftConfig microsoft;
  PresenceSyncConfig presence_sync;
  MetricsConfig metrics;
  EventsConfig events;
  DirectoryConfig directory;
  ClusterConfig cluster;
  MediaConfig media;
  SipConfig sip;
};

// "host:port" (an IPv6 literal in brackets: "[::1]:9100") split; nullopt when malformed.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
std::optional<HostPort> parse_host_port(std::string_view text);

// The origin (scheme://host[:port], lower case, default port omitted) of an http(s) URL, as a
// browser sends it in Origin. Errors: invalid_input when url is not an http(s) URL.
Result<std::string> web_origin(std::string_view url);

// Errors (invalid_input): the message names the file, the key and what is expected, e.g.
// "ccteams.toml: server.port must be an integer from 0 to 65535".
Result<Config> load_config_file(const std::string& path);
// The PostgreSQL password of c: the value of password_env or the first line of password_file
// ("" when neither is set). Errors: invalid_input naming the key when the variable is unset or
// empty, or the file cannot be read.
Result<std::string> read_store_password(const StoreConfig& c);
// The lease keeper's timings of [cluster] (validated with the configuration).
LeaseTimings lease_timings(const ClusterConfig& c);
Result<Config> parse_config(std::string_view toml_text, const std::string& source_name);

}  // namespace ccteams::cli
