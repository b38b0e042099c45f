#pragma once
// Test support: the issuing side of RS256 JWTs and a JWKS, written directly on OpenSSL so the
// verifier under test is checked against an independent implementation. Header-only (tests
// include it; nothing in the libraries does).

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <boost/json.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/crypto/encoding.hpp"

namespace ccteams::testing {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using TestPkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

inline TestPkey make_rsa_key(unsigned int bits = 2048) {
  TestPkey key(EVP_RSA_gen(bits));
  if (!key) throw std::runtime_error("EVP_RSA_gen failed");
  return key;
}

// Keys made once per test binary (RSA generation is slow): the issuer's, and an attacker's.
inline EVP_PKEY* issuer_test_key() {
  static const TestPkey key = make_rsa_key();
  return key.get();
}
inline EVP_PKEY* attacker_test_key() {
  static const TestPkey key = make_rsa_key();
  return key.get();
}

inline std::string b64url(std::string_view bytes) {
  return base64_encode(bytes, Base64Alphabet::url, false);
}

// A big-number parameter of the key ("n" or "e") as unpadded base64url, as a JWK holds it.
inline std::string rsa_param_b64url(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error("no RSA param");
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return b64url(out);
}

inline boost::json::object jwk_for(EVP_PKEY* key, const std::string& kid) {
  return {{"kty", "RSA"},
          {"use", "sig"},
          {"kid", kid},
          {"x5t", kid},
          {"n", rsa_param_b64url(key, OSSL_PKEY_PARAM_RSA_N)},
          {"e", rsa_param_b64url(key, OSSL_PKEY_PARAM_RSA_E)}};
}

inline std::string rs256_sign(EVP_PKEY* key, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  if (EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &len, in, data.size()) != 1) {
    throw std::runtime_error("sign init failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                     data.size()) != 1) {
    throw std::runtime_error("sign failed");
  }
  sig.resize(len);
  return sig;
}

// header.payload.signature; header is {"typ":"JWT","alg":"RS256","kid":kid} unless given.
inline std::string sign_jwt(EVP_PKEY* key, const boost::json::object& claims,
                            boost::json::object header) {
  const std::string signed_part = b64url(boost::json::serialize(header)) + "." +
                                  b64url(boost::json::serialize(claims));
  return signed_part + "." + b64url(rs256_sign(key, signed_part));
}
inline std::string sign_jwt(EVP_PKEY* key, const boost::json::object& claims,
                            const std::string& kid) {
  return sign_jwt(key, claims, boost::json::object{{"typ", "JWT"}, {"alg", "RS256"}, {"kid", kid}});
}

}  // namespace ccteams::testing
