#pragma once
// The Teams connector module (issue 4): the HTTPS client, the Graph client, the connector store and
// service, its routes and the periodic health check. Beast/Asio stay in the .cpp.

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
class AuthService;
class Clock;
class ConnectorService;
class EntraLinks;
class OrgOwnership;
class Scheduler;
class SecretBox;
class GraphClient;
class HttpClient;
class TokenSource;
class Store;
namespace http {
class Router;
}  // namespace http
}  // namespace ccteams

namespace ccteams::cli {

// The Entra client secret: microsoft.client_secret, else the variable client_secret_env, else
// the file client_secret_file. Errors (invalid_input) say where it was looked for, never a
// secret.
Result<std::string> find_client_secret(const MicrosoftConfig& m);

struct ConnectorDeps {
  const Config& config;
  boost::asio::io_context& ioc;  // the runtime's; must outlive the wiring
  Store& store;                  // the connector's store work runs on its executor
  AuthService& auth;
  const SecretBox& secrets;  // seals the sign-in's PKCE verifier
  const TokenSource& tokens;
  const Clock& clock;
  Scheduler& scheduler;  // the health check's time (the runtime's AsioScheduler)
  // A connector set up for the first time gets Show user details and Presence sync on (the
  // demo) or off until an admin turns them on (`serve`: the vendor calls them optional).
  bool optional_features_on = false;
  // The runtime's: the periodic health check looks at the organisations served here only.
  const OrgOwnership* ownership = nullptr;
};

class ConnectorWiring final : public Module {
 public:
  // Builds everything and registers the routes on router. The client secret is found in
  // config.microsoft (client_secret, client_secret_env, client_secret_file). Errors
  // (invalid_input) name the key: a client_id without a secret, an unreadable ca_file.
  // Without microsoft.client_id the routes still answer (the tab shows NotConfigured and Set up
  // says the server is not configured).
  static Result<std::unique_ptr<ConnectorWiring>> create(const ConnectorDeps& deps,
                                                         http::Router& router);
  ~ConnectorWiring() override;

  // Before the I/O threads run: fixes the redirect URI when server.public_url is empty (the
  // demo: http://host:port) and starts the health check (at once, then every
  // microsoft.health_check_seconds).
  Result<void> start(const Listening& at) override;
  // Stops the health check; thread-safe, idempotent.
  void stop() override;

  // For participants (add_participant before start) and other services.
  ConnectorService& service();
  // The Graph client (one HTTPS client, one token cache) for the connector's other services.
  GraphClient& graph();
  // Its HTTPS client (the connector's CA settings), for other Microsoft endpoints.
  HttpClient& http();
  // The sign-in and consent URLs at the configured Entra authority.
  const EntraLinks& entra_links();

 private:
  struct Impl;
  explicit ConnectorWiring(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccteams::cli
