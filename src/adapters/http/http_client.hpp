#pragma once
// The outgoing HTTP/1.1 client (HTTPS for Microsoft Graph and Entra, plain HTTP for tests), with
// keep-alive connection reuse. Beast and Asio stay in the .cpp: only the awaitable type is needed
// here.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/http_types.hpp"
#include "core/result.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace ccteams {

struct ClientRequest {
  std::string method = "GET";
  std::string url;  // absolute http:// or https:// URL; the fragment is ignored
  // Sent as given, in order. Host, User-Agent and Connection given here replace the client's
  // own; Content-Length and Transfer-Encoding are always computed from body and never taken.
  std::vector<http::Header> headers;
  std::string body;
  std::chrono::milliseconds timeout{15'000};  // deadline for the whole exchange
};

struct ClientResponse {
  int status = 0;
  std::vector<http::Header> headers;  // as received, in order
  std::string body;                   // de-chunked
  // The first header named name (case-insensitive), or "" when absent.
  std::string_view header(std::string_view name) const;
};

struct ClientOptions {
  std::string extra_ca_pem;  // PEM certificates trusted in addition to the system store
                             // (e.g. the emulator's CA); empty for none
  bool use_system_roots = true;
  std::size_t max_idle_per_origin = 8;         // idle keep-alive connections kept per origin
  std::chrono::milliseconds idle_ttl{60'000};  // an idle connection older than this is closed
  std::size_t max_response_body = 32u << 20;
  std::string user_agent = "ccteams";
};

class HttpClient {
 public:
  // Keeps a reference to ioc, which must outlive the client. Certificate problems in options
  // (extra_ca_pem without a valid certificate) do not throw: status() reports them and every
  // send() fails with the same error.
  HttpClient(boost::asio::io_context& ioc, ClientOptions options);
  // Closes the idle connections. Every send() must have completed before.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // ok() when the client is usable; else the configuration error every send() returns.
  Result<void> status() const;

  // Sends one request (http:// or https://) and reads the whole response. The timeout is a
  // deadline for the whole exchange (resolve, connect, TLS handshake, write, read).
  // HTTP error statuses are NOT errors: a 404 or 503 comes back as a response.
  // Errors: invalid_input for a bad URL, method or header (CR/LF in a header, an unsupported
  // scheme, credentials in the URL); unavailable when the peer cannot be reached or the exchange
  // fails: DNS, connect, timeout, TLS (the message says which and names host and port, e.g.
  // "certificate verify failed for host 127.0.0.1: IP address mismatch"), a malformed response,
  // or a body over max_response_body; internal for a configuration error (see status()).
  // HTTPS verifies the peer's chain (system roots and/or extra_ca_pem) and its name (DNS name
  // or IP address in subjectAltName), sends SNI for DNS names, and uses TLS 1.2 or newer.
  // Connections are reused per origin (scheme, host, port) while the server keeps them alive;
  // idle ones are checked before reuse; those idle longer than idle_ttl are closed
  // (swept whenever a connection returns to the pool). A reused connection that the
  // peer closed before sending any response byte (the server's idle timeout raced this request)
  // is retried once on a fresh connection, for every method: a server that closes without a
  // byte of answer has, by HTTP/1.1 keep-alive convention, not processed the request. Fresh
  // connections are never retried; retrying on 5xx or throttling is the caller's policy.
  // Thread-safety: may be called concurrently from any thread and any executor; the pool is
  // shared. Completes on the calling coroutine's executor.
  boost::asio::awaitable<Result<ClientResponse>> send(ClientRequest request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccteams
