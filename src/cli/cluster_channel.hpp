#pragma once
// [cluster]: the wiring of the internal channel (docs/postgresql.md, "Any instance serves any
// request"): the shared key, the URL this instance advertises, and the forwarder the HTTP
// server asks about requests for organisations served elsewhere.

#include <cstdint>
#include <memory>
#include <string>

#include "cli/config.hpp"
#include "core/result.hpp"

namespace boost::asio {
class io_context;
}

namespace ccteams {
class Clock;
class HttpClient;
class PgOrgLeaseStore;
namespace http {
class InternalForwarder;
}
}  // namespace ccteams

namespace ccteams::cli {

// The internal key: the variable internal_key_env, else the file internal_key_file (its first
// line; the file must be the service user's alone: no group or other permission), at least 32
// bytes. Errors (invalid_input) name the key and the fix; never the key itself.
Result<std::string> load_internal_key(const ClusterConfig& c);

// cluster.internal_url, else http(s)://server.host:port (https with server TLS). Errors
// (invalid_input): server.host is a wildcard (0.0.0.0, ::) that other instances cannot reach.
Result<std::string> advertised_url(const ClusterConfig& c, const ServerConfig& server,
                                   std::uint16_t port);

struct InternalChannel {
  std::unique_ptr<HttpClient> client;  // keep-alive pool to the owners
  std::shared_ptr<http::InternalForwarder> forwarder;
  InternalChannel();
  InternalChannel(InternalChannel&&) noexcept;
  InternalChannel& operator=(InternalChannel&&) noexcept;
  ~InternalChannel();
};

// The forwarder for ServerOptions::forwarder: owners looked up in leases (never self_owner),
// MACs dated by clock. leases and clock must outlive it. Errors: those of load_internal_key.
Result<InternalChannel> make_internal_channel(boost::asio::io_context& ioc, const ClusterConfig& c,
                                              PgOrgLeaseStore& leases, std::string self_owner,
                                              const Clock& clock);

}  // namespace ccteams::cli
