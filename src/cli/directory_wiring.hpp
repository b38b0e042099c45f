#pragma once
// The Teams directory module (issue 7): the mirror's store, the directory service (a
// participant of the connector), its routes, and the sync schedule (run by the service on the
// Scheduler's time). The contact center's consult/transfer resolve Teams users through
// service(). Beast/Asio stay in the .cpp.

#include <memory>

#include "cli/module.hpp"
#include "core/result.hpp"

namespace ccteams {
class AuthService;
class Clock;
class DirectoryService;
class OrgActors;
class OrgOwnership;
class Scheduler;
class Store;
namespace http {
class Router;
}  // namespace http
}  // namespace ccteams

namespace ccteams::cli {

class ConnectorWiring;
struct DirectoryConfig;

// Every reference must outlive the wiring.
struct DirectoryDeps {
  const DirectoryConfig& config;  // the configuration file's [directory]
  OrgActors& actors;              // the runtime's: each organisation's mirror runs on its strand
  Store& store;                   // the mirror is kept there (Store::run)
  AuthService& auth;
  const Clock& clock;
  Scheduler& scheduler;        // the sync schedule's time (the runtime's AsioScheduler)
  ConnectorWiring& connector;  // the service becomes one of its participants
  const OrgOwnership& ownership;  // only the owner keeps an organisation's mirror (runtime's)
};

class DirectoryWiring final : public Module {
 public:
  // Builds everything, registers the routes and the participant. Call before serving.
  static Result<std::unique_ptr<DirectoryWiring>> create(const DirectoryDeps& deps,
                                                         http::Router& router);
  ~DirectoryWiring() override;

  // Before the I/O threads run: resumes every Active org's mirror (store, then a delta sync)
  // and starts the schedule (every [directory] sync_interval_seconds).
  Result<void> start(const Listening& at) override;
  // Stops the schedule; thread-safe, idempotent.
  void stop() override;

  DirectoryService& service();

 private:
  struct Impl;
  explicit DirectoryWiring(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccteams::cli
