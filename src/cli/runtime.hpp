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

#include "cli/runtime_options.hpp"
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

class TelephonyModule;

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
  // SIP and calls ([sip] listen, demo --sip-port); null without them.
  TelephonyModule* telephony();

 private:
  struct Impl;
  explicit Runtime(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccteams::cli
