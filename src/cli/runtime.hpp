#pragma once
// The running service: store, services, HTTP server and the threads that drive them.
// Built by `ccteams serve` and `ccteams demo` (and in-process by the integration tests).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/config.hpp"
#include "core/result.hpp"

namespace ccteams {
class UserService;
class Store;
class PasswordHasher;
}  // namespace ccteams

namespace ccteams::http {
struct RouteInfo;
}  // namespace ccteams::http

namespace ccteams::cli {

struct RuntimeOptions {
  Config config;
  std::string secret_key_generate_path;  // demo: create the key file here when missing
  std::size_t min_password_length = 8;   // demo accepts short demo passwords
  // `ccteams demo`: demo telephony (POST /api/v1/demo/contacts) and the demo contact-center
  // configuration (queues, profile, idle codes) seeded at start().
  bool demo = false;
  // `ccteams demo --simulation on|off`: simulated callers arrive in the demo queues.
  bool simulation = false;
  // Demo: Teams user ids to link the demo agents to (agent1 to the first, ...), for those not
  // linked yet; the embedded emulator's generated users.
  std::vector<std::string> demo_teams_users;
  // `ccteams demo --tenants N`: the other demo organisations (demo_org_name(2)…) with the
  // Teams users of their own emulated tenant, seeded like the first (no simulated callers).
  struct DemoOrg {
    std::string name;
    std::vector<std::string> teams_users;
  };
  std::vector<DemoOrg> more_demo_orgs;
  // Demo: GET /metrics answers loopback callers without a token (see MetricsConfig).
  bool metrics_open_to_loopback = false;
};

class Runtime {
 public:
  // Opens the store (applying migrations) and builds every service; nothing listens yet.
  static Result<std::unique_ptr<Runtime>> create(RuntimeOptions options);
  ~Runtime();

  // Binds config.server.host:port (0 = ephemeral) and starts serving on config.server.threads
  // threads. Returns the bound port.
  Result<std::uint16_t> start();
  // Graceful stop: /readyz turns 503, in-flight requests finish (up to grace), then threads end.
  // Thread-safe; idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // Blocks until SIGINT or SIGTERM, then stop(). Returns when everything has ended.
  void run_until_signal();
  // Blocks until stop() has completed.
  void wait();

  // The port of the [metrics] listen listener once start() has bound it; 0 without one.
  std::uint16_t metrics_port() const;
  // Every route of the public listener (the authorization matrix test compares it with its
  // table).
  std::vector<http::RouteInfo> routes() const;

  // For the demo bootstrap, the CLI and tests.
  UserService& users();
  Store& store();

 private:
  struct Impl;
  explicit Runtime(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccteams::cli
