#pragma once
// The Microsoft Graph + Entra ID emulator (DESIGN.md "emulator/"): Entra's discovery, keys,
// admin consent, authorize (sign-in and consent pages) and token endpoints; Graph's users,
// delta and presence endpoints with their permissions, errors and throttling; and a control
// API under /_emulator/ for tests and the demo.
//
// Usage: construct from options, register_routes on a router served over HTTP(S), call
// tick(now) about once a second so that presence sessions fade and expire on their own.
// Thread-safety: all handlers and tick() may run concurrently; one mutex guards the state.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adapters/http/router.hpp"
#include "emulator/graph_time.hpp"
#include "emulator/webhook_url.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace ccteams::emulator {

// Change-notification delivery (graph-protocol.md §4). Defaults are Graph's timings; tests
// scale them down.
struct NotificationOptions {
  // Graph requires https notification URLs; plain http is accepted only as this allows:
  // loopback receivers (`ccteams graph-emulator`), or any (tests, the demo's own webhook).
  HttpWebhooks http_webhooks = HttpWebhooks::refused;
  // PEM certificates trusted for https receivers in addition to the system's roots (a test
  // PKI, a developer's own CA); "" for the system's roots alone, as Graph trusts public CAs.
  std::string webhook_ca_pem;
  std::chrono::milliseconds batch_interval{100};      // items are collected this long per URL
  std::size_t max_batch = 100;                         // items per POST at most
  std::chrono::milliseconds validation_timeout{10'000};  // the handshake's deadline
  std::chrono::milliseconds receiver_timeout{3'000};     // no 2xx within it: failed, retried
  std::chrono::milliseconds retry_timeout{10'000};       // a retry's deadline (2026 text)
  std::chrono::milliseconds retry_initial{10'000};       // first back-off, doubled per failure
  std::chrono::milliseconds retry_max_delay{600'000};    // back-off cap
  std::chrono::milliseconds retry_give_up{4 * 3'600'000};  // then the batch is dropped
  // reauthorizationRequired goes out this long before a subscription expires.
  std::chrono::milliseconds reauthorization_lead{600'000};
  // Slow endpoints (§4.3, endpoint_health.hpp): a publish slower than slow_publish counts its
  // notifications as slow, a retry unanswered within retry_timeout as over the retry timeout;
  // once a URL's window (slow_stats_window of the emulator clock) holds
  // slow_endpoint_min_notifications, more than slow_delay_share slow delays every notification
  // to it by slow_endpoint_delay (emulator clock, released by tick()) and more than
  // slow_drop_share over the retry timeout drops them. Microsoft has changed these before:
  // `ccteams graph-emulator` takes each as a flag.
  std::chrono::milliseconds slow_publish{2'900};
  std::size_t slow_endpoint_min_notifications = 100;
  double slow_delay_share = 0.10;
  double slow_drop_share = 0.15;
  std::chrono::milliseconds slow_stats_window{600'000};
  std::chrono::milliseconds slow_endpoint_delay{600'000};
};

struct EmulatorOptions {
  std::uint64_t seed = 42;
  int users = 50;  // generated users besides admin@, privadmin@ and member@ (per tenant)
  std::string domain = "ccteams-demo.onmicrosoft.com";
  // Tenants hosted at once, as Entra hosts the customers of a multi-tenant app. Tenant 1 is
  // the app's home tenant (the domain above, the seed above); tenant k > 1 has its own id,
  // users and presence, seeded from seed and k, and the domain with k after its first label
  // ("ccteams-demo2.onmicrosoft.com").
  int tenants = 1;
  // The default app registration's groupMembershipClaims: "None" (Entra's default for a new
  // registration: no wids in ID tokens), "SecurityGroup", "DirectoryRole", "ApplicationGroup"
  // or "All". ID tokens carry wids only for DirectoryRole and All (graph-protocol.md §1.4).
  std::string group_membership_claims = "DirectoryRole";
  // Public base URL of this emulator ("https://127.0.0.1:9444"); used in issuers, discovery
  // documents, nextLinks and consent pages. login_base_url / graph_base_url override it for
  // the Entra and the Graph host when they differ.
  std::string base_url = "http://127.0.0.1";
  std::string login_base_url;
  std::string graph_base_url;
  std::string app_id;      // default app registration; "" -> derived from the seed
  std::string app_secret;  // "" -> derived from the seed
  std::vector<std::string> redirect_uris;  // of the default app registration
  bool allow_beta_presence_pairs = false;  // setPresence accepts the beta table's extra pairs
  std::chrono::seconds access_token_lifetime{3599};
  // RSA private key (PEM) for token signing; "" -> a fresh 2048-bit key at start.
  std::string signing_key_pem;
  // The clock; default std::chrono::system_clock. Tests pass a manual one.
  std::function<Timestamp()> clock;
  NotificationOptions notifications;
  // Background Teams activity (meetings, calls, presenting, DND, away): mean episodes started
  // per signed-in-or-not user per hour, driven by tick(). 0 turns the simulation off.
  double activity_episodes_per_user_hour = 0;
};

// One hosted tenant, as EmulatorInfo lists them.
struct EmulatorTenantInfo {
  std::string tenant_id;
  std::string domain;
  std::vector<std::string> accounts;  // UPNs of admin@, privadmin@, member@
  std::vector<std::string> sample_user_ids;  // as EmulatorInfo::sample_user_ids
};

// What the command line prints and the demo configures its connector with. The fields
// before `tenants` describe tenant 1, the app's home tenant.
struct EmulatorInfo {
  std::string tenant_id;
  std::string domain;
  std::string app_id;
  std::string app_secret;
  std::string login_base_url;  // e.g. "https://127.0.0.1:9444" (no trailing slash)
  std::string graph_base_url;  // e.g. "https://127.0.0.1:9444" (Graph paths start at /v1.0)
  std::vector<std::string> accounts;  // UPNs of admin@, privadmin@, member@
  // Ids of the generated users (at most 100,000, enabled ones, in directory order), so that
  // the demo can link its agents to Teams users.
  std::vector<std::string> sample_user_ids;
  std::vector<EmulatorTenantInfo> tenants;  // every hosted tenant, tenant 1 first
};

// The domain of tenant k (1-based): k == 1 -> domain; otherwise k follows the first label
// ("ccteams-demo.onmicrosoft.com", 2 -> "ccteams-demo2.onmicrosoft.com").
std::string tenant_domain(const std::string& domain, int k);

class GraphEmulator {
 public:
  explicit GraphEmulator(EmulatorOptions options);
  ~GraphEmulator();
  GraphEmulator(const GraphEmulator&) = delete;
  GraphEmulator& operator=(const GraphEmulator&) = delete;

  // Adds every route. The router must not outlive this emulator.
  void register_routes(http::Router& router);
  // Starts change-notification delivery (validation handshakes, webhook POSTs, retries) on
  // ioc, which must outlive this emulator (destroy the emulator first: its destructor stops
  // retries; deliveries in flight then finish their current attempt on ioc). Call once,
  // before serving. Without it, creating a subscription answers 503 and nothing is delivered.
  void attach(boost::asio::io_context& ioc);
  // Advances time-driven behaviour: presence fading and expiry, the activity simulation
  // (both notify subscribers), reauthorizationRequired before expiry and the silent deletion
  // of expired subscriptions. Safe to call from a timer on any thread.
  void tick(Timestamp now);
  EmulatorInfo info() const;

  struct State;  // internal; defined in emulator/emulator_state.hpp

 private:
  std::shared_ptr<State> state_;
};

}  // namespace ccteams::emulator
