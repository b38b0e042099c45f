#pragma once
// The presence module: the connector's sync accounts (issue 4) and presence sync (issue 6):
// the sync-account service and its routes,
// the presence-sync store (subscriptions, durable inbox), the Graph webhook routes and the
// PresenceSync service, registered as participants of the connector service.
// Beast/Asio stay in the .cpp.

#include <cstdint>
#include <memory>
#include <string>

#include "cli/config.hpp"
#include "cli/module.hpp"
#include "core/result.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace ccteams {
class AccountStore;
class AuthService;
class Clock;
class ContactCenter;
class Metrics;
class OrgActors;
class OrgOwnership;
class PresenceSync;
class Scheduler;
class SecretBox;
class SyncAccountService;
class TokenSource;
class PresenceInbox;
class Store;
namespace http {
class Router;
}  // namespace http
}  // namespace ccteams

namespace ccteams::cli {

class ConnectorWiring;

struct PresenceSyncDeps {
  const Config& config;
  boost::asio::io_context& ioc;  // the runtime's; must outlive the wiring
  Store& store;                  // every store; the wiring takes its own from it
  PresenceInbox& inbox;          // the webhook appends there (group commit)
  AccountStore& accounts;
  ContactCenter& contact_center;
  AuthService& auth;
  const SecretBox& secrets;  // seals the sync accounts' refresh tokens
  const TokenSource& tokens;
  const Clock& clock;
  Metrics& metrics;
  ConnectorWiring& connector;
  OrgActors& actors;     // the runtime's one: each org's sync runs on its strand
  Scheduler& scheduler;  // the runtime's AsioScheduler: every presence-sync wait
  const OrgOwnership& ownership;  // the organisations whose sync runs here
};

class PresenceSyncWiring final : public Module {
 public:
  // Builds everything, registers the routes and the connector participants (sync accounts
  // first: presence sync asks them for tokens). Errors: invalid configuration.
  static Result<std::unique_ptr<PresenceSyncWiring>> create(const PresenceSyncDeps& deps,
                                                           http::Router& router);
  ~PresenceSyncWiring() override;

  // After the server is bound, before the I/O threads run: fixes the public URLs when
  // server.public_url is empty (the demo), loads the webhook gate and starts the sync of every
  // Active connector.
  Result<void> start(const Listening& at) override;
  void stop() override;  // thread-safe, idempotent

  PresenceSync& presence_sync();
  SyncAccountService& sync_accounts();

 private:
  struct Impl;
  explicit PresenceSyncWiring(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccteams::cli
