#pragma once
// Which trunk an INVITE came from (issue 20, part 7): each trunk's source addresses and CIDRs
// ([[sip.trunks]] sources), matched against the packet's source address (UDP) or the
// connection's peer (TCP). An IPv4-mapped IPv6 address matches the IPv4 entries.

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace ccteams::telephony {

struct TrunkSourceList {
  std::string trunk;
  std::vector<std::string> sources;  // "192.0.2.7", "198.51.100.0/24", "2001:db8::/32"
};

class TrunkSources {
 public:
  TrunkSources() = default;
  // Errors (invalid_input): the entry that is no address or CIDR, with its trunk's name.
  static Result<TrunkSources> parse(const std::vector<TrunkSourceList>& trunks);
  // The first trunk with an entry holding `from`; nullopt: no trunk.
  std::optional<std::string> trunk_of(const boost::asio::ip::address& from) const;

 private:
  struct Entry {
    std::string trunk;
    std::variant<boost::asio::ip::network_v4, boost::asio::ip::network_v6> network;
  };
  std::vector<Entry> entries_;
};

}  // namespace ccteams::telephony
