#include "app/token_claims.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <cstdint>

namespace ccteams {
namespace {

namespace json = boost::json;

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Unpadded base64url (RFC 7515 §2); nullopt for any other character or an impossible length.
std::optional<std::string> base64url_decode(std::string_view in) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    const int v = base64url_value(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

std::string string_claim(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->as_string());
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Error unreadable() { return make_error(Errc::invalid_input, "the token is not a readable JWT"); }

}  // namespace

Result<TokenClaims> read_token_claims(std::string_view jwt) {
  const auto first = jwt.find('.');
  if (first == std::string_view::npos) return unreadable();
  const auto second = jwt.find('.', first + 1);
  if (second == std::string_view::npos || jwt.find('.', second + 1) != std::string_view::npos) {
    return unreadable();
  }
  auto payload = base64url_decode(jwt.substr(first + 1, second - first - 1));
  if (!payload) return unreadable();
  boost::system::error_code ec;
  json::value v = json::parse(*payload, ec);
  if (ec || !v.is_object()) return unreadable();
  const auto& o = v.as_object();
  TokenClaims c;
  c.oid = string_claim(o, "oid");
  c.tid = string_claim(o, "tid");
  if (const auto* aud = o.if_contains("aud"); aud != nullptr && aud->is_string()) {
    c.aud = std::string(aud->as_string());
  }
  c.upn = string_claim(o, "upn");
  if (c.upn.empty()) c.upn = string_claim(o, "preferred_username");
  if (c.upn.empty()) c.upn = string_claim(o, "unique_name");
  c.name = string_claim(o, "name");
  c.scopes = split_scopes(string_claim(o, "scp"));
  if (const auto* exp = o.if_contains("exp"); exp != nullptr && exp->is_int64()) {
    c.exp = exp->as_int64();
  }
  return c;
}

bool has_scope(const std::vector<std::string>& scopes, std::string_view want) {
  constexpr std::string_view kGraphPrefix = "https://graph.microsoft.com/";
  const std::string wanted = lower(want);
  for (const auto& s : scopes) {
    std::string_view bare = s;
    if (lower(bare.substr(0, kGraphPrefix.size())) == kGraphPrefix) {
      bare.remove_prefix(kGraphPrefix.size());
    }
    if (lower(bare) == wanted) return true;
  }
  return false;
}

std::vector<std::string> split_scopes(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const auto end = std::min(text.find(' ', i), text.size());
    if (end > i) out.emplace_back(text.substr(i, end - i));
    i = end;
  }
  return out;
}

}  // namespace ccteams
