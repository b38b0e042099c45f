#pragma once
// What the REST handlers need, gathered once by the wiring (cli/runtime).

#include <atomic>
#include <functional>

#include "adapters/http/client_address.hpp"
#include "app/auth_service.hpp"
#include "app/metrics.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/password_workers.hpp"
#include "app/ports/store.hpp"
#include "app/user_service.hpp"

namespace ccteams::http {

struct ApiContext {
  AuthService& auth;
  UserService& users;
  Store& store;
  Metrics& metrics;
  const Clock& clock;
  // True once shutdown began: /readyz answers 503 so load balancers drain us first.
  const std::atomic<bool>& shutting_down;
  bool secure_cookies = false;  // Secure attribute on cookies (HTTPS deployments)
  // Where sign-in checks passwords, off the I/O threads (the server always sets it; null only
  // in tests that do not care, which then check on the I/O thread).
  PasswordWorkers* password_workers = nullptr;
  // Whose X-Forwarded-For names the client (server.trusted_proxies); empty: nobody's.
  TrustedProxies trusted_proxies;
};

class Router;
void register_auth_routes(Router& router, ApiContext& ctx);
void register_user_routes(Router& router, ApiContext& ctx);
void register_ops_routes(Router& router, ApiContext& ctx);

}  // namespace ccteams::http
