#pragma once
// The composition root's contract (docs/architecture.md, "Composition"): the service is a few
// feature modules (accounts, connector, directory, contact center, presence, ops gauges, web
// console). Each is built from its dependencies, complete: its constructor (or a static
// create() returning Result<std::unique_ptr<...>>) receives every collaborator and registers
// its routes; nothing is set on it afterwards. Runtime::create builds them in dependency order,
// Runtime::start starts them in that order once the public listener is bound, and
// Runtime::stop stops them in reverse; they are destroyed in reverse too.

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <string>

#include "cli/runtime_options.hpp"
#include "core/result.hpp"

namespace ccteams {
class Clock;
class Metrics;
class OrgActors;
class OrgOwnership;
class PasswordHasher;
class Scheduler;
class SecretBox;
class Store;
class TokenSource;
namespace http {
class Router;
}  // namespace http
}  // namespace ccteams

namespace ccteams::cli {

// Where the public listener was bound (port 0 in the configuration: the ephemeral port).
struct Listening {
  std::string host;
  std::uint16_t port = 0;
};

class Module {
 public:
  virtual ~Module() = default;
  // After the public listener is bound, before the I/O threads run: work that needs the bound
  // address, loops and schedules. An error stops start-up (the runtime then stops every module).
  virtual Result<void> start(const Listening& at) = 0;
  // Ends what start() began. Thread-safe, idempotent, and safe without start().
  virtual void stop() = 0;
};

// What the runtime builds before any module, shared by all of them. Every reference outlives
// the modules.
struct SharedServices {
  const RuntimeOptions& options;
  boost::asio::io_context& ioc;  // the I/O threads' context
  Store& store;                  // every store, on its own executor (SQLite or PostgreSQL)
  const SecretBox& secrets;      // seals secrets at rest
  const Clock& clock;
  const TokenSource& tokens;
  const PasswordHasher& hasher;
  Metrics& metrics;
  OrgActors& actors;     // one strand per organisation
  // Which organisations this instance serves now: every one, or with [cluster] those whose
  // lease it holds (the runtime answers from the lease keeper).
  const OrgOwnership& ownership;
  Scheduler& scheduler;  // every timer (the AsioScheduler on ioc)
  http::Router& router;  // the public listener's routes
};

}  // namespace ccteams::cli
