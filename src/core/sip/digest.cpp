#include "core/sip/digest.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "core/sip/md5.hpp"
#include "core/sip/sip_headers.hpp"
#include "core/sip/sip_message.hpp"

namespace ccteams::sip {
namespace {

using AuthParams = std::vector<std::pair<std::string, std::string>>;

std::string_view skip_space(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// "Digest a=b, c="d"": the scheme, then comma-separated name=value with token or quoted values
// (RFC 2617 §1.2). Names are lower-cased; quoted values unescaped; a repeated name is an error.
SipResult<AuthParams> parse_auth(std::string_view value, std::string_view what) {
  const auto bad = [&] { return bad_request("bad " + std::string(what)); };
  value = skip_space(value);
  const auto space = value.find_first_of(" \t");
  if (space == std::string_view::npos || !iequals(value.substr(0, space), "Digest")) return bad();
  std::string_view rest = skip_space(value.substr(space));
  AuthParams out;
  while (!rest.empty()) {
    const auto eq = rest.find('=');
    if (eq == std::string_view::npos) return bad();
    std::string_view name = rest.substr(0, eq);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (!is_token(name)) return bad();
    std::string lname(name);
    for (char& c : lname) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    rest = skip_space(rest.substr(eq + 1));
    std::string v;
    if (!rest.empty() && rest.front() == '"') {
      std::size_t i = 1;
      for (; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        v.push_back(rest[i]);
      }
      if (i >= rest.size()) return bad();
      rest.remove_prefix(i + 1);
    } else {
      const auto end = rest.find_first_of(", \t");
      v = std::string(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
      if (v.empty()) return bad();
    }
    for (const auto& param : out) {
      if (param.first == lname) return bad();
    }
    out.emplace_back(std::move(lname), std::move(v));
    rest = skip_space(rest);
    if (rest.empty()) break;
    if (rest.front() != ',') return bad();
    rest = skip_space(rest.substr(1));
  }
  return out;
}

std::optional<std::string> get(const AuthParams& params, std::string_view name) {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c != '\r' && c != '\n') out.push_back(c);
  }
  return out + "\"";
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

bool qop_list_has_auth(std::string_view list) {
  // qop="auth,auth-int": a comma-separated list of tokens.
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view item = skip_space(list.substr(0, comma));
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (iequals(item, "auth")) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::string format_challenge(const DigestChallenge& c) {
  std::string out = "Digest realm=" + quoted(c.realm) + ", nonce=" + quoted(c.nonce);
  if (!c.opaque.empty()) out += ", opaque=" + quoted(c.opaque);
  out += ", algorithm=MD5";
  if (c.qop_auth) out += ", qop=\"auth\"";
  if (c.stale) out += ", stale=TRUE";
  return out;
}

SipResult<DigestChallenge> parse_challenge(std::string_view value) {
  auto params = parse_auth(value, "digest challenge");
  if (!params) return std::move(params).error();
  DigestChallenge c;
  const auto realm = get(*params, "realm");
  const auto nonce = get(*params, "nonce");
  if (!realm || !nonce) return bad_request("digest challenge without realm or nonce");
  c.realm = *realm;
  c.nonce = *nonce;
  c.opaque = get(*params, "opaque").value_or("");
  if (const auto alg = get(*params, "algorithm"); alg && !iequals(*alg, "MD5")) {
    return bad_request("unsupported digest algorithm");
  }
  const auto qop = get(*params, "qop");
  if (qop && !qop_list_has_auth(*qop)) return bad_request("digest challenge without qop=auth");
  c.qop_auth = qop.has_value();
  c.stale = iequals(get(*params, "stale").value_or(""), "true");
  return c;
}

std::string format_credentials(const DigestCredentials& c) {
  std::string out = "Digest username=" + quoted(c.username) + ", realm=" + quoted(c.realm) +
                    ", nonce=" + quoted(c.nonce) + ", uri=" + quoted(c.uri) +
                    ", response=" + quoted(c.response) + ", algorithm=MD5";
  if (!c.opaque.empty()) out += ", opaque=" + quoted(c.opaque);
  if (!c.qop.empty()) out += ", qop=" + c.qop + ", nc=" + c.nc + ", cnonce=" + quoted(c.cnonce);
  return out;
}

SipResult<DigestCredentials> parse_credentials(std::string_view value) {
  auto params = parse_auth(value, "digest credentials");
  if (!params) return std::move(params).error();
  DigestCredentials c;
  const std::pair<const char*, std::string*> required[] = {{"username", &c.username},
                                                           {"realm", &c.realm},
                                                           {"nonce", &c.nonce},
                                                           {"uri", &c.uri},
                                                           {"response", &c.response}};
  for (const auto& [name, field] : required) {
    auto v = get(*params, name);
    if (!v) return bad_request(std::string("digest credentials without ") + name);
    *field = std::move(*v);
  }
  if (c.response.size() != 32 || !is_hex(c.response)) {
    return bad_request("bad digest response");
  }
  if (const auto alg = get(*params, "algorithm"); alg && !iequals(*alg, "MD5")) {
    return bad_request("unsupported digest algorithm");
  }
  c.opaque = get(*params, "opaque").value_or("");
  c.qop = get(*params, "qop").value_or("");
  c.cnonce = get(*params, "cnonce").value_or("");
  c.nc = get(*params, "nc").value_or("");
  if (!c.qop.empty()) {
    if (!iequals(c.qop, "auth")) return bad_request("unsupported digest qop");
    if (c.cnonce.empty() || c.nc.size() != 8 || !is_hex(c.nc)) {
      return bad_request("digest qop=auth without cnonce or nc");
    }
  }
  return c;
}

std::string digest_ha1(std::string_view username, std::string_view realm,
                       std::string_view password) {
  return md5_hex(std::string(username) + ":" + std::string(realm) + ":" + std::string(password));
}

std::string digest_response(std::string_view ha1, std::string_view nonce, std::string_view nc,
                            std::string_view cnonce, std::string_view qop, std::string_view method,
                            std::string_view uri) {
  const std::string ha2 = md5_hex(std::string(method) + ":" + std::string(uri));
  std::string text = std::string(ha1) + ":" + std::string(nonce) + ":";
  if (!qop.empty()) {
    text += std::string(nc) + ":" + std::string(cnonce) + ":" + std::string(qop) + ":";
  }
  return md5_hex(text + ha2);
}

DigestCredentials answer_challenge(const DigestChallenge& challenge, std::string_view username,
                                   std::string_view password, std::string_view method,
                                   std::string_view uri, std::string_view cnonce,
                                   std::uint32_t nc) {
  DigestCredentials c;
  c.username = std::string(username);
  c.realm = challenge.realm;
  c.nonce = challenge.nonce;
  c.uri = std::string(uri);
  c.opaque = challenge.opaque;
  if (challenge.qop_auth) {
    c.qop = "auth";
    c.cnonce = std::string(cnonce);
    constexpr char kHex[] = "0123456789abcdef";
    for (int shift = 28; shift >= 0; shift -= 4) c.nc.push_back(kHex[(nc >> shift) & 0x0F]);
  }
  c.response = digest_response(digest_ha1(username, challenge.realm, password), c.nonce, c.nc,
                               c.cnonce, c.qop, method, c.uri);
  return c;
}

bool verify_digest(const DigestCredentials& c, std::string_view ha1, std::string_view method) {
  const std::string expected = digest_response(ha1, c.nonce, c.nc, c.cnonce, c.qop, method, c.uri);
  if (expected.size() != c.response.size()) return false;
  // Constant time: a timing difference would tell an attacker how many leading digits match.
  unsigned diff = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const char got = c.response[i];
    const char lower = (got >= 'A' && got <= 'F') ? static_cast<char>(got - 'A' + 'a') : got;
    diff |= static_cast<unsigned>(expected[i] ^ lower);
  }
  return diff == 0;
}

}  // namespace ccteams::sip
