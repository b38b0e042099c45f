#pragma once
// Which address a request comes from, for per-address limits (sign-in lockout, connection
// caps). Behind a reverse proxy every peer is the proxy, so the client is read from
// X-Forwarded-For, but only when the peer is a configured trusted proxy: anyone else could
// write any address there and so escape every per-address limit.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/http_types.hpp"
#include "core/result.hpp"

namespace ccteams::http {

// A set of CIDR networks ("10.0.0.0/8", "2001:db8::/32", or a single address).
// Thread-safety: immutable after parse; const calls from any thread.
class TrustedProxies {
 public:
  TrustedProxies() = default;  // trusts nobody
  // Errors: invalid_input naming the entry that is not an address or CIDR network.
  static Result<TrustedProxies> parse(const std::vector<std::string>& cidrs);
  // False for anything that is not an IP address.
  bool contains(std::string_view address) const;
  bool empty() const { return networks_.empty(); }

 private:
  struct Network {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    int prefix = 0;                        // of the 128 bits
  };
  std::vector<Network> networks_;
};

// The client's address: peer itself unless peer is a trusted proxy; then the right-most entry
// of X-Forwarded-For (every X-Forwarded-For header, in order, comma-joined: forwarded_for)
// that is not a trusted proxy, or the left-most when all are. An entry that is not an address
// stops the walk and the last trusted hop is the answer (a proxy we trust wrote nonsense: we
// cannot tell who is behind it). Entries may carry a port ("1.2.3.4:5", "[::1]:5").
std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const TrustedProxies& trusted);
// The same, reading the X-Forwarded-For headers and the peer address of req.
std::string client_address(const Request& req, const TrustedProxies& trusted);

// The key per-address limits count by: an IPv4 address as such (also when written as
// IPv4-mapped IPv6), an IPv6 address by its /64 ("2001:db8:1:2::/64"), since one subscriber
// usually holds a whole /64. Anything else is returned unchanged.
std::string address_key(std::string_view address);

}  // namespace ccteams::http
