#pragma once
// RS256 JSON Web Tokens as Entra issues them: an RSA key generated at start, published as a
// JWKS (kid, x5t, n, e, x5c with a self-signed certificate), and a verifier the emulator uses
// for the bearer tokens it receives. The emulator's own code: it shares nothing with the
// client-side token handling (DESIGN.md).
// Thread-safety: sign/verify/jwks are const and safe to call concurrently.

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "emulator/graph_error.hpp"
#include "emulator/graph_time.hpp"

typedef struct evp_pkey_st EVP_PKEY;  // NOLINT: OpenSSL's own forward declaration

namespace ccteams::emulator {

class JwtSigner {
 public:
  // Generates a 2048-bit RSA key and a self-signed certificate for it. The certificate is a
  // pure function of the key (fixed validity 2020-2050), so kid = x5t stays the same for the
  // same key. Throws std::runtime_error only when OpenSSL fails.
  static JwtSigner generate();
  // The same from an existing RSA private key (PEM, PKCS#8 or traditional), so that a
  // restarted emulator keeps its kid and clients' cached JWKS stay valid. Throws
  // std::runtime_error when the PEM is not an RSA private key.
  static JwtSigner from_pem(std::string_view private_key_pem);
  // The private key as unencrypted PKCS#8 PEM (to persist it, or to share one key in tests).
  std::string private_key_pem() const;

  // header.payload.signature with header {"typ":"JWT","alg":"RS256","kid","x5t"}.
  std::string sign(const boost::json::object& claims) const;
  // {"keys":[{"kty":"RSA","use":"sig","kid","x5t","n","e","x5c":[…],"issuer"?}]}
  boost::json::object jwks(std::string_view issuer) const;
  const std::string& kid() const { return kid_; }

  // Checks the signature (RS256, this key, kid when present), then nbf/exp at now (with
  // 5 minutes of clock skew for nbf only, as Entra does). Errors are Graph's 401
  // InvalidAuthenticationToken with the reason in the message.
  GraphResult<boost::json::object> verify(std::string_view token, Timestamp now) const;

 private:
  std::shared_ptr<EVP_PKEY> key_;
  std::string kid_;             // = x5t, as Entra does
  std::string certificate_der_;
};

}  // namespace ccteams::emulator
