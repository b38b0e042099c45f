#pragma once
// RSA keys on OpenSSL 3 EVP (no deprecated RSA_* calls), for the two places ccteams meets RSA:
// the private key whose certificate Graph encrypts rich notifications for (graph-protocol.md
// §4.1, §4.5), and the public keys of Entra's JWKS that sign validation tokens (§4.6).
// OpenSSL stays out of this header: the EVP_PKEY is held behind a shared, immutable handle.
// Thread-safety: both types are immutable after construction; copies share the key and every
// const member may run concurrently.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

class RsaPrivateKey {
 public:
  // A fresh key of bits (2048..4096). Errors: invalid_input for another size; internal when
  // OpenSSL fails.
  static Result<RsaPrivateKey> generate(int bits);
  // An RSA private key from PEM (PKCS#8 or traditional). Errors: invalid_input when the text
  // is not a PEM private key or not RSA (the message never echoes the text).
  static Result<RsaPrivateKey> from_pem(std::string_view pem);

  // Unencrypted PKCS#8 PEM. A secret: the caller seals it (SecretBox) before it rests anywhere
  // and wipes its copy. Errors: internal when OpenSSL fails.
  Result<std::string> to_pkcs8_pem() const;

  // A self-signed X.509 v3 certificate (DER) for this key: subject = issuer = CN common_name,
  // a random positive serial, valid from not_before - 1 h (clock skew between us and Graph) to
  // not_before + validity, signed with SHA-256, keyUsage keyEncipherment. Errors: invalid_input
  // for an empty or over-64-character name or a validity outside 1 day..10 years; internal
  // when OpenSSL fails.
  Result<std::string> self_signed_certificate_der(std::string_view common_name,
                                                  Timestamp not_before,
                                                  std::chrono::hours validity) const;

  // RSA-OAEP with SHA-1 and MGF1-SHA-1 (Java's RSA/ECB/OAEPWithSHA1AndMGF1Padding, what Graph
  // wraps data keys with). Errors: invalid_input when ciphertext does not decrypt under this
  // key (wrong key, wrong size, bad padding: deliberately one message, no oracle detail).
  Result<std::string> oaep_sha1_decrypt(std::string_view ciphertext) const;

  // True when certificate_der is a DER X.509 certificate whose public key is this key's
  // (e.g. when loading a stored key and certificate back, to catch a mismatched pair).
  bool matches_certificate_der(std::string_view certificate_der) const;

  int bits() const;

  struct Impl;  // internal (rsa_key.cpp); public for the helpers there

 private:
  explicit RsaPrivateKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;  // never null
};

class RsaPublicKey {
 public:
  // From a JWK's modulus and exponent, each unpadded base64url big-endian (RFC 7518 §6.3.1).
  // Errors: invalid_input for bad base64url, a modulus under 2048 or over 8192 bits, or an
  // exponent that is even, 1, or longer than 8 bytes.
  static Result<RsaPublicKey> from_jwk(std::string_view n_b64url, std::string_view e_b64url);

  // RSASSA-PKCS1-v1_5 with SHA-256 (JWS "RS256") over signed_data. False for any mismatch,
  // including a signature of the wrong length.
  bool verify_rs256(std::string_view signed_data, std::string_view signature) const;

  int bits() const;

  struct Impl;

 private:
  explicit RsaPublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;  // never null
};

}  // namespace ccteams
