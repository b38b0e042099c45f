#pragma once
// One HTTPS (or HTTP) request through the project's HttpClient, synchronously, for tests that
// need TLS with a specific trusted CA.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include "adapters/http/http_client.hpp"

namespace ccteams::testing {

inline Result<ClientResponse> client_send(ClientRequest request, const std::string& extra_ca_pem) {
  boost::asio::io_context ioc;
  ClientOptions options;
  options.extra_ca_pem = extra_ca_pem;
  options.use_system_roots = false;
  HttpClient client(ioc, options);
  std::optional<Result<ClientResponse>> out;
  boost::asio::co_spawn(
      ioc,
      [&]() -> boost::asio::awaitable<void> { out.emplace(co_await client.send(std::move(request))); },
      boost::asio::detached);
  ioc.run();
  if (!out) return make_error(Errc::internal, "request did not complete");
  return std::move(*out);
}

}  // namespace ccteams::testing
