#include "emulator/jwt.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

#include "emulator/encoding.hpp"

namespace ccteams::emulator {

namespace json = boost::json;

namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};

std::string bn_param(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) throw std::runtime_error("RSA param");
  std::unique_ptr<BIGNUM, BnFree> bn(raw);
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string self_signed_der(EVP_PKEY* key) {
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!cert) throw std::runtime_error("X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  constexpr time_t kNotBefore = 1577836800;  // 2020-01-01: fixed, see jwt.hpp
  constexpr time_t kNotAfter = 2524608000;   // 2050-01-01
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), kNotBefore);
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), kNotAfter);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("accounts.emulator.local"),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key, EVP_sha256()) == 0) throw std::runtime_error("X509_sign");
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert.get(), &der);
  if (len <= 0) throw std::runtime_error("i2d_X509");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

GraphError invalid_token(std::string message) {
  return graph_error(401, "InvalidAuthenticationToken", std::move(message));
}

}  // namespace

JwtSigner JwtSigner::generate() {
  JwtSigner s;
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
  if (raw == nullptr) throw std::runtime_error("RSA key generation failed");
  s.key_ = std::shared_ptr<EVP_PKEY>(raw, EVP_PKEY_free);
  s.certificate_der_ = self_signed_der(raw);
  s.kid_ = base64url_encode(sha1(s.certificate_der_));
  return s;
}

JwtSigner JwtSigner::from_pem(std::string_view private_key_pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())),
      BIO_free);
  EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (raw == nullptr) throw std::runtime_error("signing key: not a PEM private key");
  JwtSigner s;
  s.key_ = std::shared_ptr<EVP_PKEY>(raw, EVP_PKEY_free);
  if (EVP_PKEY_get_base_id(raw) != EVP_PKEY_RSA) {
    throw std::runtime_error("signing key: not an RSA key");
  }
  s.certificate_der_ = self_signed_der(raw);
  s.kid_ = base64url_encode(sha1(s.certificate_der_));
  return s;
}

std::string JwtSigner::private_key_pem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    throw std::runtime_error("signing key: PEM export failed");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string JwtSigner::sign(const json::object& claims) const {
  json::object header{{"typ", "JWT"}, {"alg", "RS256"}, {"x5t", kid_}, {"kid", kid_}};
  const std::string input = base64url_encode(json::serialize(header)) + "." +
                            base64url_encode(json::serialize(claims));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw std::runtime_error("JWT signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw std::runtime_error("JWT signing failed");
  }
  sig.resize(len);
  return input + "." + base64url_encode(sig);
}

json::object JwtSigner::jwks(std::string_view issuer) const {
  json::object key{{"kty", "RSA"},
                   {"use", "sig"},
                   {"kid", kid_},
                   {"x5t", kid_},
                   {"n", base64url_encode(bn_param(key_.get(), OSSL_PKEY_PARAM_RSA_N))},
                   {"e", base64url_encode(bn_param(key_.get(), OSSL_PKEY_PARAM_RSA_E))},
                   {"x5c", json::array{json::value(base64_encode(certificate_der_))}}};
  if (!issuer.empty()) key["issuer"] = issuer;
  return json::object{{"keys", json::array{key}}};
}

GraphResult<json::object> JwtSigner::verify(std::string_view token, Timestamp now) const {
  if (token.empty()) return invalid_token("Access token is empty.");
  const auto d1 = token.find('.');
  const auto d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) {
    return invalid_token("IDX14100: JWT is not well formed, there are no dots (.).");
  }
  auto header_raw = base64url_decode(token.substr(0, d1));
  auto payload_raw = base64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
  auto sig = base64url_decode(token.substr(d2 + 1));
  if (!header_raw || !payload_raw || !sig) {
    return invalid_token("IDX14102: Unable to decode the token.");
  }
  boost::system::error_code ec;
  auto header = json::parse(*header_raw, ec);
  if (ec || !header.is_object()) return invalid_token("IDX14102: Unable to decode the header.");
  auto payload = json::parse(*payload_raw, ec);
  if (ec || !payload.is_object()) return invalid_token("IDX14102: Unable to decode the payload.");
  const auto* alg = header.as_object().if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->as_string() != "RS256") {
    return invalid_token("Access token validation failure: unsupported algorithm.");
  }
  const auto* kid = header.as_object().if_contains("kid");
  if (kid != nullptr && (!kid->is_string() || kid->as_string() != kid_)) {
    return invalid_token("IDX10503: Signature validation failed. Token does not have a kid "
                         "that matches a published key.");
  }
  const std::string_view input = token.substr(0, d2);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  const bool good =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()),
                       sig->size(), reinterpret_cast<const unsigned char*>(input.data()),
                       input.size()) == 1;
  if (!good) return invalid_token("IDX10511: Signature validation failed.");
  auto& claims = payload.as_object();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                           now.time_since_epoch()).count();
  const auto* exp = claims.if_contains("exp");
  if (exp == nullptr || !exp->is_int64() || exp->as_int64() <= seconds) {
    return invalid_token("Lifetime validation failed, the token is expired.");
  }
  const auto* nbf = claims.if_contains("nbf");
  if (nbf != nullptr && nbf->is_int64() && nbf->as_int64() > seconds + 300) {
    return invalid_token("Lifetime validation failed, the token is not yet valid.");
  }
  return std::move(claims);
}

}  // namespace ccteams::emulator
