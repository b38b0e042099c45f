#pragma once
// A receiver of change notifications of the test's own (HTTPS with a test PKI, or plain HTTP)
// that answers the validation handshake and keeps what arrives.

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/http/http_server.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/server_test_support.hpp"

namespace ccteams::testing {

// A receiver of change notifications on 127.0.0.1: POST /hook answers the validation handshake
// (200, the token echoed as text/plain) and 202 to notifications, whose bodies it keeps.
// Thread-safety: the accessors may be called from any thread.
class WebhookReceiver {
 public:
  // tls: serve HTTPS with this certificate chain and key; nullopt: plain HTTP.
  explicit WebhookReceiver(std::optional<http::TlsConfig> tls = std::nullopt)
      : https_(tls.has_value()) {
    router_.add("POST", "/hook",
                [this](http::Request& req) -> boost::asio::awaitable<http::Response> {
                  std::lock_guard lock(mu_);
                  if (auto token = req.query_param("validationToken")) {
                    ++validations_;
                    co_return http::text_response(200, "text/plain", *token);
                  }
                  bodies_.push_back(req.body);
                  co_return http::empty_response(202);
                });
    http::ServerOptions options;
    options.tls = std::move(tls);
    server_ = std::make_unique<http::testing::ServerHarness>(router_, std::move(options));
  }

  std::string url() const {
    return std::string(https_ ? "https" : "http") +
           "://127.0.0.1:" + std::to_string(server_->port()) + "/hook";
  }
  int validations() const {
    std::lock_guard lock(mu_);
    return validations_;
  }
  std::vector<std::string> bodies() const {
    std::lock_guard lock(mu_);
    return bodies_;
  }

 private:
  bool https_;
  mutable std::mutex mu_;
  int validations_ = 0;              // guarded by mu_
  std::vector<std::string> bodies_;  // guarded by mu_
  http::Router router_;
  std::unique_ptr<http::testing::ServerHarness> server_;  // last: stops before the rest goes
};

}  // namespace ccteams::testing
