#include "adapters/graph/token_claims.hpp"

#include <algorithm>
#include <boost/json/value.hpp>

#include "adapters/crypto/jwt.hpp"
#include "adapters/http/http_types.hpp"

namespace ccteams::graph {
namespace {

namespace json = boost::json;

std::string string_claim(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  const auto* s = v != nullptr ? v->if_string() : nullptr;
  return s != nullptr ? std::string(*s) : std::string();
}

}  // namespace

Result<TokenClaims> read_token_claims(std::string_view jwt) {
  auto payload = read_jwt_payload_unverified(jwt);
  if (!payload) return make_error(Errc::invalid_input, "the token is not a readable JWT");
  const json::object& o = *payload;
  TokenClaims c;
  c.oid = string_claim(o, "oid");
  c.tid = string_claim(o, "tid");
  c.aud = string_claim(o, "aud");
  c.upn = string_claim(o, "upn");
  if (c.upn.empty()) c.upn = string_claim(o, "preferred_username");
  if (c.upn.empty()) c.upn = string_claim(o, "unique_name");
  c.name = string_claim(o, "name");
  c.scopes = split_scopes(string_claim(o, "scp"));
  if (const auto* roles = o.if_contains("roles"); roles != nullptr && roles->is_array()) {
    for (const auto& r : roles->as_array()) {
      if (r.is_string()) c.roles.emplace_back(r.as_string());
    }
  }
  if (const auto* exp = o.if_contains("exp"); exp != nullptr && exp->is_int64()) {
    c.exp = exp->as_int64();
  }
  return c;
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

std::string bare_scope(std::string_view scope) {
  constexpr std::string_view kGraphPrefix = "https://graph.microsoft.com/";
  if (http::iequals(scope.substr(0, kGraphPrefix.size()), kGraphPrefix)) {
    scope.remove_prefix(kGraphPrefix.size());
  }
  return std::string(scope);
}

void read_reply_claims(TokenResponse& reply) {
  if (auto c = read_token_claims(reply.access_token)) reply.access_token_claims = std::move(*c);
  if (reply.id_token) {
    if (auto c = read_token_claims(*reply.id_token)) reply.id_token_claims = std::move(*c);
  }
  // scp of the access token is what Graph will check; the reply's `scope` when it is opaque.
  const auto& claims = reply.access_token_claims;
  const auto scopes =
      claims && !claims->scopes.empty() ? claims->scopes : split_scopes(reply.scope.value_or(""));
  reply.granted_scopes.clear();
  for (const auto& s : scopes) reply.granted_scopes.push_back(bare_scope(s));
}

}  // namespace ccteams::graph
