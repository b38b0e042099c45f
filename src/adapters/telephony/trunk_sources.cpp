#include "adapters/telephony/trunk_sources.hpp"

namespace ccteams::telephony {

namespace net = boost::asio::ip;

Result<TrunkSources> TrunkSources::parse(const std::vector<TrunkSourceList>& trunks) {
  TrunkSources out;
  for (const auto& t : trunks) {
    for (const auto& text : t.sources) {
      boost::system::error_code ec;
      const bool cidr = text.find('/') != std::string::npos;
      if (text.find(':') == std::string::npos) {
        auto n = cidr ? net::make_network_v4(text, ec)
                      : net::network_v4(net::make_address_v4(text, ec), 32);
        if (!ec) {
          out.entries_.push_back({t.trunk, n.canonical()});
          continue;
        }
      } else {
        auto n = cidr ? net::make_network_v6(text, ec)
                      : net::network_v6(net::make_address_v6(text, ec), 128);
        if (!ec) {
          out.entries_.push_back({t.trunk, n.canonical()});
          continue;
        }
      }
      return make_error(Errc::invalid_input, "trunk '" + t.trunk + "': source '" + text +
                                                 "' is not an IP address or CIDR (e.g. "
                                                 "\"192.0.2.7\", \"198.51.100.0/24\")");
    }
  }
  return out;
}

std::optional<std::string> TrunkSources::trunk_of(const net::address& from) const {
  net::address a = from;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    a = net::make_address_v4(net::v4_mapped, a.to_v6());
  }
  for (const auto& e : entries_) {
    if (const auto* v4 = std::get_if<net::network_v4>(&e.network)) {
      if (a.is_v4() && net::network_v4(a.to_v4(), v4->prefix_length()).canonical() == *v4) {
        return e.trunk;
      }
    } else {
      const auto& v6 = std::get<net::network_v6>(e.network);
      if (a.is_v6() && net::network_v6(a.to_v6(), v6.prefix_length()).canonical() == v6) {
        return e.trunk;
      }
    }
  }
  return std::nullopt;
}

}  // namespace ccteams::telephony
