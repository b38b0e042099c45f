#pragma once
// Verifying RS256 JSON Web Tokens against a JSON Web Key Set, as Entra publishes them
// (graph-protocol.md §1.5: {"keys":[{"kty":"RSA","use":"sig","kid","x5t","n","e","x5c"}]}).
// Small reusable pieces: parse a JWKS, verify a token's signature, check its time claims. What
// a particular token must claim (issuer, audience, app id) is the caller's business, e.g.
// graph/validation_token.hpp. No network here: the caller fetches the JWKS (and re-fetches it
// when verify_jwt_rs256 answers not_found, since Entra rotates keys).
// Thread-safety: pure functions over immutable values; JwkSet is safe to share once built.

#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/crypto/rsa_key.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

// One RSA signing key of a JWKS.
struct Jwk {
  std::string kid;
  std::optional<std::string> x5t;
  RsaPublicKey key;
};

struct JwkSet {
  std::vector<Jwk> keys;
  // The key with this kid, or nullptr. Not owned; valid while the set lives.
  const Jwk* find_kid(std::string_view kid) const;
  const Jwk* find_x5t(std::string_view x5t) const;
};

// Tokens longer than this are refused before any parsing (Entra's are about 1.5 KB).
inline constexpr std::size_t kMaxJwtBytes = 16 * 1024;

// Parses JWKS text. Keys that are not RSA signing keys (kty other than "RSA", "use" present and
// not "sig", "alg" present and not "RS256") and RSA keys without kid or with unusable n/e are
// skipped: one odd key must not lock out the others. Errors: invalid_input when the text is not
// a JSON object with a "keys" array, or when no usable key remains.
Result<JwkSet> parse_jwks(std::string_view jwks_json);

struct VerifiedJwt {
  boost::json::object header;
  boost::json::object claims;  // signature checked; claim values NOT yet checked
};

// Verifies header.payload.signature (compact JWS) with RS256 and the key named by the header's
// kid (or, without kid, by x5t). Errors:
//   invalid_input    malformed: not three base64url parts, header or payload not a JSON
//                    object, over kMaxJwtBytes, a "crit" header we cannot honour;
//   unauthenticated  alg is not RS256 ("none", HS256 and the like are refused, never tried),
//                    or the signature does not verify;
//   not_found        no key in the set has the token's kid/x5t (re-fetch the JWKS once).
// Messages name the failing part and never contain the token.
Result<VerifiedJwt> verify_jwt_rs256(std::string_view token, const JwkSet& keys);

// The payload of a compact JWS (header.payload.signature) WITHOUT verifying anything: only for
// a token this service has just received itself from a token endpoint over TLS (see
// graph/token_claims.hpp). Errors: invalid_input when the text is not three parts with a
// base64url JSON object in the middle, or is over kMaxJwtBytes; the message never quotes it.
Result<boost::json::object> read_jwt_payload_unverified(std::string_view token);

enum class JwtTimeCheck {
  valid,
  missing_exp,    // no numeric "exp": such a token never expires, so it is refused
  expired,        // now >= exp + skew
  not_yet_valid,  // now < nbf - skew ("nbf" is optional)
  bad_claim,      // exp or nbf present but not a number
};
// Checks exp/nbf (NumericDate seconds, RFC 7519 §4.1.4-5) at now, allowing skew either way.
JwtTimeCheck check_jwt_time(const boost::json::object& claims, Timestamp now,
                            std::chrono::seconds skew);
std::string_view jwt_time_check_name(JwtTimeCheck check);

// aud is a string or, when several audiences share a token, an array of strings (RFC 7519
// §4.1.3): true when audience is it or among them.
bool jwt_audience_includes(const boost::json::object& claims, std::string_view audience);

}  // namespace ccteams
