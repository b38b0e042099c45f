#include "adapters/graph/jwks_id_token_verifier.hpp"

#include <boost/json/value.hpp>
#include <cctype>

namespace ccteams::graph {

namespace json = boost::json;

namespace {

Error refuse(std::string_view check) {
  return make_error(Errc::unauthenticated,
                    "The Microsoft Entra ID token was refused: " + std::string(check));
}

std::string string_claim(const json::object& claims, std::string_view key) {
  const auto* v = claims.if_contains(key);
  const auto* s = v != nullptr ? v->if_string() : nullptr;
  return s != nullptr ? std::string(*s) : std::string();
}

// A tenant id as Entra writes it in tid: a GUID. Anything else must not reach an issuer
// comparison or a URL.
bool is_guid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<VerifiedIdToken> JwksIdTokenVerifier::check(std::string_view id_token, const JwkSet& keys,
                                                   const IdTokenExpectations& expect) const {
  auto verified = verify_jwt_rs256(id_token, keys);
  if (!verified) {
    if (verified.error().code == Errc::not_found) return std::move(verified).error();
    return refuse("signature (" + verified.error().message + ")");
  }
  const auto& claims = verified->claims;
  switch (check_jwt_time(claims, expect.now, clock_skew_)) {
    case JwtTimeCheck::valid:
      break;
    case JwtTimeCheck::not_yet_valid:
      return refuse("nbf (not valid yet)");
    case JwtTimeCheck::expired:
      return refuse("exp (expired)");
    default:
      return refuse("exp/nbf missing or not numbers");
  }
  VerifiedIdToken out;
  out.tid = string_claim(claims, "tid");
  if (!is_guid(out.tid)) return refuse("tid (missing or not a tenant id)");
  // Token values are not echoed in messages: they are the signer's text, and the signer may be
  // a tenant other than the one the admin thinks.
  if (string_claim(claims, "iss") != login_base_ + "/" + out.tid + "/v2.0") {
    return refuse("iss (not a v2.0 token of its own tenant at the configured sign-in authority)");
  }
  if (!jwt_audience_includes(claims, expect.client_id))
    return refuse("aud (issued to another app)");
  const std::string nonce = string_claim(claims, "nonce");
  if (expect.nonce.empty() || nonce != expect.nonce) {
    return refuse("nonce (not the nonce of this sign-in: a replayed or foreign token)");
  }
  out.oid = string_claim(claims, "oid");
  if (out.oid.empty()) return refuse("oid (no account object id)");
  out.upn = string_claim(claims, "preferred_username");
  if (out.upn.empty()) out.upn = string_claim(claims, "upn");
  if (out.upn.empty()) out.upn = string_claim(claims, "email");
  out.name = string_claim(claims, "name");
  if (const auto* wids = claims.if_contains("wids")) {
    const auto* list = wids->if_array();
    if (list == nullptr) return refuse("wids (not a list)");
    std::vector<std::string> roles;
    for (const auto& w : *list) {
      if (const auto* s = w.if_string()) roles.emplace_back(*s);
    }
    out.wids = std::move(roles);
  }
  return out;
}

boost::asio::awaitable<Result<VerifiedIdToken>> JwksIdTokenVerifier::verify(
    std::string id_token, IdTokenExpectations expect) {
  auto keys = co_await keys_.keys(false);
  if (!keys) co_return keys.error();
  auto checked = check(id_token, **keys, expect);
  if (!checked && checked.error().code == Errc::not_found) {
    auto fresh = co_await keys_.keys(true);
    if (!fresh) co_return fresh.error();
    checked = check(id_token, **fresh, expect);
    if (!checked && checked.error().code == Errc::not_found) {
      co_return refuse("signature (signed by a key Entra does not publish)");
    }
  }
  co_return checked;
}

}  // namespace ccteams::graph
