#pragma once
// The accounts module: sessions and users. The password workers, the events WebSockets per
// session (closed when a session ends or a user loses rights), the sign-in service with its
// clean-up schedule, the user service, and the routes of the foundation: ops (/healthz,
// /readyz), /metrics, sign-in and users.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "cli/module.hpp"

namespace ccteams {
class AuthService;
class BoundedWorkerPool;
class SessionSockets;
class UserService;
namespace http {
struct ApiContext;
}  // namespace http
}  // namespace ccteams

namespace ccteams::cli {

struct AccountsDeps {
  const SharedServices& shared;
  const std::atomic<bool>& shutting_down;  // /readyz answers 503 once set
  http::Router& metrics_router;            // [metrics] listen: /metrics goes there instead
};

class AccountsModule final : public Module {
 public:
  // Errors (invalid_input): server.trusted_proxies, an unreadable metrics.bearer_token_file.
  static Result<std::unique_ptr<AccountsModule>> create(const AccountsDeps& deps);
  ~AccountsModule() override;

  // Starts the clean-up of expired sessions and old sign-in failures.
  Result<void> start(const Listening& at) override;
  void stop() override;

  AuthService& auth();
  UserService& users();
  // The REST handlers' context (the runtime adds the cluster's health to /readyz).
  http::ApiContext& api();
  SessionSockets& sockets();

 private:
  AccountsModule();
  // Destroyed after the services that use them.
  std::unique_ptr<BoundedWorkerPool> password_workers_;
  std::unique_ptr<SessionSockets> sockets_;
  std::unique_ptr<AuthService> auth_;
  std::unique_ptr<UserService> users_;
  std::unique_ptr<http::ApiContext> api_;
  boost::asio::any_io_executor executor_;  // the clean-up schedule's
  Scheduler* scheduler_ = nullptr;
};

}  // namespace ccteams::cli
