#include "adapters/http/client_address.hpp"

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <optional>

namespace ccteams::http {

namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  }
  return a;
}

// An X-Forwarded-For entry: an address, "[v6]", "[v6]:port" or "v4:port".
std::optional<ip::address> parse_entry(std::string_view entry) {
  entry = trim(entry);
  if (entry.empty()) return std::nullopt;
  if (entry.front() == '[') {
    const auto close = entry.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return parse_address(entry.substr(1, close - 1));
  }
  const auto colon = entry.find(':');
  if (colon != std::string_view::npos && entry.find(':', colon + 1) == std::string_view::npos) {
    return parse_address(entry.substr(0, colon));  // "1.2.3.4:5678"
  }
  return parse_address(entry);
}

std::array<std::uint8_t, 16> to_bytes(const ip::address& a) {
  if (a.is_v4()) return ip::make_address_v6(ip::v4_mapped, a.to_v4()).to_bytes();
  return a.to_v6().to_bytes();
}

bool prefix_matches(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
                    int prefix) {
  for (int i = 0; i < 16 && prefix > 0; ++i, prefix -= 8) {
    const int bits = std::min(prefix, 8);
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != (b[i] & mask)) return false;
  }
  return true;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& cidrs) {
  TrustedProxies t;
  for (const auto& cidr : cidrs) {
    auto bad = [&] {
      return make_error(Errc::invalid_input, "'" + cidr +
                                                 "' is not an IP address or CIDR network "
                                                 "(e.g. 10.0.0.0/8 or 2001:db8::/32)");
    };
    const auto slash = cidr.find('/');
    auto address = parse_address(std::string_view(cidr).substr(0, slash));
    if (!address) return bad();
    const int max_prefix = address->is_v4() ? 32 : 128;
    int prefix = max_prefix;
    if (slash != std::string::npos) {
      const char* first = cidr.data() + slash + 1;
      const char* last = cidr.data() + cidr.size();
      auto [end, ec] = std::from_chars(first, last, prefix);
      if (ec != std::errc{} || end != last || first == last || prefix < 0 || prefix > max_prefix) {
        return bad();
      }
    }
    t.networks_.push_back({to_bytes(*address), address->is_v4() ? prefix + 96 : prefix});
  }
  return t;
}

bool TrustedProxies::contains(std::string_view address) const {
  if (networks_.empty()) return false;
  auto a = parse_entry(address);
  if (!a) return false;
  const auto bytes = to_bytes(*a);
  for (const auto& n : networks_) {
    if (prefix_matches(bytes, n.bytes, n.prefix)) return true;
  }
  return false;
}

std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const TrustedProxies& trusted) {
  if (!trusted.contains(peer)) return std::string(peer);
  std::string hop(peer);  // the nearest address we have reason to believe
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view entry = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
    if (trim(entry).empty()) continue;  // "a, , b" or a trailing comma
    auto a = parse_entry(entry);
    if (!a) break;
    hop = a->to_string();
    if (!trusted.contains(hop)) break;
  }
  return hop;
}

std::string client_address(const Request& req, const TrustedProxies& trusted) {
  if (trusted.empty()) return req.remote_address;
  std::string forwarded;
  for (const auto& h : req.headers) {
    if (h.name != "x-forwarded-for") continue;
    if (!forwarded.empty()) forwarded += ',';
    forwarded += h.value;
  }
  return client_address(req.remote_address, forwarded, trusted);
}

std::string address_key(std::string_view address) {
  auto a = parse_address(address);
  if (!a) return std::string(address);
  if (a->is_v4()) return a->to_string();
  auto bytes = a->to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), std::uint8_t{0});
  return ip::make_address_v6(bytes).to_string() + "/64";
}

}  // namespace ccteams::http
