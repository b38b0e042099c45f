#include "emulator/webhook_url.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>

namespace ccteams::emulator {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

// An empty port or one of up to five digits: ":65536" is left to the HTTP client to refuse.
bool port_ok(std::string_view rest) {
  if (rest.empty()) return true;
  return rest.front() == ':' && rest.size() <= 6 && all_digits(rest.substr(1));
}

bool loopback_ipv4(const std::string& host) {
  in_addr a{};
  // inet_pton takes only the dotted quad: "127.1" and "0x7f.0.0.1" are not addresses here.
  if (inet_pton(AF_INET, host.c_str(), &a) != 1) return false;
  return (ntohl(a.s_addr) >> 24) == 127;
}

bool loopback_ipv6(const std::string& host) {
  in6_addr a{};
  if (inet_pton(AF_INET6, host.c_str(), &a) != 1) return false;
  return IN6_IS_ADDR_LOOPBACK(&a);
}

}  // namespace

bool is_loopback_http_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  // The scheme exactly as the https check reads it: lower case.
  if (!url.starts_with(kScheme)) return false;
  std::string_view authority = url.substr(kScheme.size());
  authority = authority.substr(0, authority.find_first_of("/?#"));
  // Userinfo hides the real host after '@' (and a receiver never needs credentials here).
  if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos || !port_ok(authority.substr(close + 1))) return false;
    return loopback_ipv6(std::string(authority.substr(1, close - 1)));
  }
  const auto colon = authority.find(':');
  const std::string host(authority.substr(0, colon));
  if (colon != std::string_view::npos && !port_ok(authority.substr(colon))) return false;
  return iequals(host, "localhost") || loopback_ipv4(host);
}

GraphResult<Done> check_webhook_url(std::string_view name, const std::string& url,
                                    HttpWebhooks rule) {
  const bool https = url.starts_with("https://") && url.size() > 8;
  const bool http = url.starts_with("http://") && url.size() > 7;
  if (https) return Done{};
  if (http && rule == HttpWebhooks::any) return Done{};
  if (rule == HttpWebhooks::loopback && is_loopback_http_url(url)) return Done{};
  return graph_error(400, "InvalidRequest",
                     "Subscription " + std::string(name) + " must be an https URL.");
}

}  // namespace ccteams::emulator
