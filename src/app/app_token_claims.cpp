#include "app/app_token_claims.hpp"

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace ccteams {
namespace {

// Unpadded base64url (RFC 4648 §5), as JWT segments are written. nullopt on any other byte.
std::optional<std::string> base64url_decode(std::string_view in) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<int, 256> value{};
  value.fill(-1);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    value[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
  }
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : in) {
    const int v = value[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  if (count >= 6) return std::nullopt;  // a single leftover character is not valid base64
  return out;
}

}  // namespace

std::optional<AppTokenClaims> read_app_token_claims(std::string_view jwt) {
  const auto first = jwt.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = jwt.find('.', first + 1);
  if (second == std::string_view::npos || jwt.find('.', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  auto payload = base64url_decode(jwt.substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  boost::system::error_code ec;
  const auto doc = boost::json::parse(*payload, ec);
  if (ec || !doc.is_object()) return std::nullopt;
  AppTokenClaims claims;
  const auto& o = doc.as_object();
  if (const auto* tid = o.if_contains("tid"); tid && tid->is_string()) {
    claims.tid = std::string(tid->as_string());
  }
  if (const auto* roles = o.if_contains("roles"); roles && roles->is_array()) {
    for (const auto& r : roles->as_array()) {
      if (r.is_string()) claims.roles.emplace_back(r.as_string());
    }
  }
  return claims;
}

}  // namespace ccteams
