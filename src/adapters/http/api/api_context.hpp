#pragma once
// What the REST handlers need, gathered once by the wiring (cli/runtime).

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "adapters/http/client_address.hpp"
#include "app/auth_service.hpp"
#include "app/metrics.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/password_workers.hpp"
#include "app/ports/store.hpp"
#include "app/user_service.hpp"

namespace ccteams::http {

// [cluster] enabled: what /readyz shows of this instance's organisation leases.
struct ClusterHealth {
  std::string owner;  // this process's lease owner id
  std::size_t organisations_owned = 0;
  std::uint64_t renew_failures = 0;  // since start
  // Live instances the last scan saw, and the most organisations each takes (ceil(orgs / live));
  // 0 before the first scan.
  std::size_t live_instances = 0;
  std::size_t fair_share = 0;
  bool inbox_listener_connected = false;  // LISTENing for the inbox's wake-ups
  std::uint64_t inbox_wakes = 0;          // wake-ups heard for organisations owned here
};

struct ApiContext {
  AuthService& auth;
  UserService& users;
  Store& store;
  Metrics& metrics;
  const Clock& clock;
  // True once shutdown began: /readyz answers 503 so load balancers drain us first.
  const std::atomic<bool>& shutting_down;
  bool secure_cookies = false;  // Secure attribute on cookies (HTTPS deployments)
  // Where sign-in checks passwords and user changes hash them, off the I/O threads.
  PasswordWorkers& password_workers;
  // Whose X-Forwarded-For names the client (server.trusted_proxies); empty: nobody's.
  TrustedProxies trusted_proxies;
  // Set by the wiring with [cluster] enabled; unset: one instance, nothing to show.
  std::function<std::optional<ClusterHealth>()> cluster = {};
};

// Who may read GET /metrics (checked in this order).
struct MetricsAccess {
  bool open_to_loopback = false;  // demo: callers on a loopback address need nothing
  std::string bearer_token;       // set: "Authorization: Bearer <token>" or 401
  bool open = false;              // no token: everyone (a private listener), else 403
};

class Router;
void register_auth_routes(Router& router, ApiContext& ctx);
void register_user_routes(Router& router, ApiContext& ctx);
// GET /healthz and /readyz.
void register_ops_routes(Router& router, ApiContext& ctx);
// GET /metrics; metrics must outlive the router.
void register_metrics_route(Router& router, Metrics& metrics, MetricsAccess access);

}  // namespace ccteams::http
