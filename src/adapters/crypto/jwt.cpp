#include "adapters/crypto/jwt.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <limits>

#include "adapters/crypto/encoding.hpp"

namespace ccteams {

namespace json = boost::json;

namespace {

const json::string* string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr ? v->if_string() : nullptr;
}

std::optional<json::object> parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// A JWT part: unpadded base64url of a JSON object.
std::optional<json::object> decode_part(std::string_view part) {
  auto raw = base64_decode(part, Base64Alphabet::url);
  if (!raw) return std::nullopt;
  return parse_object(*raw);
}

// The three parts of a compact JWS, not yet decoded.
struct JwsParts {
  std::string_view header;
  std::string_view payload;
  std::string_view signature;
  std::string_view signed_part;  // header.payload
};

Result<JwsParts> split_jws(std::string_view token) {
  if (token.size() > kMaxJwtBytes) return make_error(Errc::invalid_input, "JWT is too long");
  const auto d1 = token.find('.');
  const auto d2 = token.rfind('.');
  if (d1 == std::string_view::npos || d1 == d2 || token.find('.', d1 + 1) != d2) {
    return make_error(Errc::invalid_input, "JWT is not three dot-separated parts");
  }
  return JwsParts{token.substr(0, d1), token.substr(d1 + 1, d2 - d1 - 1), token.substr(d2 + 1),
                  token.substr(0, d2)};
}

enum class NumericDate { absent, number, invalid };

// NumericDate (RFC 7519 §2): seconds since the epoch, integer or not.
NumericDate numeric_date(const json::object& claims, std::string_view key, std::int64_t& out) {
  const auto* v = claims.if_contains(key);
  if (v == nullptr) return NumericDate::absent;
  if (v->is_int64()) {
    out = v->get_int64();
  } else if (v->is_uint64()) {
    if (v->get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return NumericDate::invalid;
    }
    out = static_cast<std::int64_t>(v->get_uint64());
  } else if (v->is_double() && std::isfinite(v->get_double()) &&
             std::abs(v->get_double()) < 1e15) {
    out = static_cast<std::int64_t>(std::floor(v->get_double()));
  } else {
    return NumericDate::invalid;
  }
  return NumericDate::number;
}

}  // namespace

const Jwk* JwkSet::find_kid(std::string_view kid) const {
  for (const auto& k : keys) {
    if (k.kid == kid) return &k;
  }
  return nullptr;
}

const Jwk* JwkSet::find_x5t(std::string_view x5t) const {
  for (const auto& k : keys) {
    if (k.x5t && *k.x5t == x5t) return &k;
  }
  return nullptr;
}

Result<JwkSet> parse_jwks(std::string_view jwks_json) {
  auto root = parse_object(jwks_json);
  if (!root) return make_error(Errc::invalid_input, "JWKS is not a JSON object");
  const auto* keys = root->if_contains("keys");
  if (keys == nullptr || !keys->is_array()) {
    return make_error(Errc::invalid_input, "JWKS has no \"keys\" array");
  }
  JwkSet set;
  for (const auto& item : keys->get_array()) {
    const auto* o = item.if_object();
    if (o == nullptr) continue;
    const auto* kty = string_field(*o, "kty");
    const auto* use = string_field(*o, "use");
    const auto* alg = string_field(*o, "alg");
    const auto* kid = string_field(*o, "kid");
    const auto* n = string_field(*o, "n");
    const auto* e = string_field(*o, "e");
    if (kty == nullptr || *kty != "RSA") continue;
    if (o->contains("use") && (use == nullptr || *use != "sig")) continue;
    if (o->contains("alg") && (alg == nullptr || *alg != "RS256")) continue;
    if (kid == nullptr || kid->empty() || n == nullptr || e == nullptr) continue;
    auto key = RsaPublicKey::from_jwk(*n, *e);
    if (!key) continue;
    Jwk jwk{std::string(*kid), std::nullopt, std::move(*key)};
    if (const auto* x5t = string_field(*o, "x5t")) jwk.x5t = std::string(*x5t);
    set.keys.push_back(std::move(jwk));
  }
  if (set.keys.empty()) return make_error(Errc::invalid_input, "JWKS has no usable RSA key");
  return set;
}

Result<VerifiedJwt> verify_jwt_rs256(std::string_view token, const JwkSet& keys) {
  auto parts = split_jws(token);
  if (!parts) return std::move(parts).error();
  auto header = decode_part(parts->header);
  if (!header) return make_error(Errc::invalid_input, "JWT header is not base64url JSON");
  auto claims = decode_part(parts->payload);
  if (!claims) return make_error(Errc::invalid_input, "JWT payload is not base64url JSON");
  auto signature = base64_decode(parts->signature, Base64Alphabet::url);
  if (!signature) return make_error(Errc::invalid_input, "JWT signature is not base64url");

  // The algorithm is pinned, not taken from the token: trusting "alg" is how "none" and
  // HS256-with-the-public-key forgeries get through.
  const auto* alg = string_field(*header, "alg");
  if (alg == nullptr || *alg != "RS256") {
    return make_error(Errc::unauthenticated, "JWT algorithm is not RS256");
  }
  if (header->contains("crit")) {
    return make_error(Errc::invalid_input, "JWT has critical header parameters");
  }
  const Jwk* jwk = nullptr;
  if (const auto* kid = string_field(*header, "kid")) {
    jwk = keys.find_kid(*kid);
  } else if (const auto* x5t = string_field(*header, "x5t")) {
    jwk = keys.find_x5t(*x5t);
  }
  if (jwk == nullptr) return make_error(Errc::not_found, "JWT signing key is not in the JWKS");
  if (!jwk->key.verify_rs256(parts->signed_part, *signature)) {
    return make_error(Errc::unauthenticated, "JWT signature does not verify");
  }
  return VerifiedJwt{std::move(*header), std::move(*claims)};
}

Result<json::object> read_jwt_payload_unverified(std::string_view token) {
  auto parts = split_jws(token);
  if (!parts) return std::move(parts).error();
  auto claims = decode_part(parts->payload);
  if (!claims) return make_error(Errc::invalid_input, "JWT payload is not base64url JSON");
  return std::move(*claims);
}

JwtTimeCheck check_jwt_time(const json::object& claims, Timestamp now,
                            std::chrono::seconds skew) {
  const std::int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t skew_s = skew.count();
  std::int64_t exp = 0;
  switch (numeric_date(claims, "exp", exp)) {
    case NumericDate::absent: return JwtTimeCheck::missing_exp;
    case NumericDate::invalid: return JwtTimeCheck::bad_claim;
    case NumericDate::number: break;
  }
  std::int64_t nbf = 0;
  const auto has_nbf = numeric_date(claims, "nbf", nbf);
  if (has_nbf == NumericDate::invalid) return JwtTimeCheck::bad_claim;
  // RFC 7519: the token must not be accepted "on or after" exp.
  if (now_s >= exp + skew_s) return JwtTimeCheck::expired;
  if (has_nbf == NumericDate::number && now_s < nbf - skew_s) return JwtTimeCheck::not_yet_valid;
  return JwtTimeCheck::valid;
}

std::string_view jwt_time_check_name(JwtTimeCheck check) {
  switch (check) {
    case JwtTimeCheck::valid: return "valid";
    case JwtTimeCheck::missing_exp: return "missing exp";
    case JwtTimeCheck::expired: return "expired";
    case JwtTimeCheck::not_yet_valid: return "not yet valid";
    case JwtTimeCheck::bad_claim: return "exp or nbf is not a number";
  }
  return "invalid";
}

bool jwt_audience_includes(const json::object& claims, std::string_view audience) {
  const auto* aud = claims.if_contains("aud");
  if (aud == nullptr) return false;
  if (const auto* s = aud->if_string()) return *s == audience;
  if (const auto* a = aud->if_array()) {
    for (const auto& item : *a) {
      if (const auto* s = item.if_string(); s != nullptr && *s == audience) return true;
    }
  }
  return false;
}

}  // namespace ccteams
