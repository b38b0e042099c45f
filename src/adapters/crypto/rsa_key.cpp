#include "adapters/crypto/rsa_key.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <array>
#include <cstdint>
#include <ctime>

#include "adapters/crypto/encoding.hpp"
#include "adapters/crypto/openssl_util.hpp"

namespace ccteams {

using namespace crypto_detail;

struct RsaPrivateKey::Impl {
  EvpPkeyPtr key;
};
struct RsaPublicKey::Impl {
  EvpPkeyPtr key;
};

namespace {

using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;

constexpr int kMinPrivateBits = 2048;
constexpr int kMaxPrivateBits = 4096;
constexpr int kMinPublicBits = 2048;
constexpr int kMaxPublicBits = 8192;
constexpr long kBackdateSeconds = 3600;
constexpr auto kMaxValidity = std::chrono::hours(24 * 3650);

Error ossl_error(std::string_view what) {
  return make_error(Errc::internal, take_openssl_errors(what));
}

// A failure the caller caused (bad input) must not carry OpenSSL's queue into the message, and
// must not leave it behind for the next call on this thread either.
Error input_error(std::string message) {
  ERR_clear_error();
  return make_error(Errc::invalid_input, std::move(message));
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Result<void> add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return ossl_error(std::string("cannot add certificate extension ") + OBJ_nid2sn(nid));
  }
  return ok();
}

Result<void> set_random_serial(X509* cert) {
  std::array<unsigned char, 16> serial{};
  if (RAND_bytes(serial.data(), static_cast<int>(serial.size())) != 1) {
    return ossl_error("cannot draw a certificate serial number");
  }
  serial[0] &= 0x7f;  // positive, as RFC 5280 requires
  serial[0] |= 0x01;  // and with a non-zero leading byte, so the DER length is fixed
  BignumPtr bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return ossl_error("cannot set the certificate serial number");
  }
  return ok();
}

Result<BignumPtr> bignum_from_b64url(std::string_view text, std::string_view what) {
  auto raw = base64_decode(text, Base64Alphabet::url);
  if (!raw || raw->empty()) return input_error(std::string(what) + " is not base64url");
  BignumPtr bn(BN_bin2bn(bytes(*raw), static_cast<int>(raw->size()), nullptr));
  if (!bn) return ossl_error("cannot read a big number");
  return bn;
}

}  // namespace

// ---- RsaPrivateKey ---------------------------------------------------------------------------

Result<RsaPrivateKey> RsaPrivateKey::generate(int bits) {
  if (bits < kMinPrivateBits || bits > kMaxPrivateBits || bits % 8 != 0) {
    return make_error(Errc::invalid_input, "RSA key size must be 2048 to 4096 bits");
  }
  ERR_clear_error();
  EvpPkeyPtr key(EVP_RSA_gen(static_cast<unsigned int>(bits)));
  if (!key) return ossl_error("cannot generate an RSA key");
  return RsaPrivateKey(std::make_shared<const Impl>(Impl{std::move(key)}));
}

Result<RsaPrivateKey> RsaPrivateKey::from_pem(std::string_view pem) {
  ERR_clear_error();
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return ossl_error("cannot allocate a BIO");
  // A callback that gives no passphrase: OpenSSL's default one would prompt on the terminal
  // for an encrypted PEM. Such a PEM simply fails to load.
  pem_password_cb* no_passphrase = [](char*, int, int, void*) { return 0; };
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) return input_error("not a PEM private key");
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) return input_error("not an RSA key");
  const int bits = EVP_PKEY_get_bits(key.get());
  if (bits < kMinPrivateBits || bits > kMaxPrivateBits) {
    return input_error("RSA key size must be 2048 to 4096 bits");
  }
  return RsaPrivateKey(std::make_shared<const Impl>(Impl{std::move(key)}));
}

Result<std::string> RsaPrivateKey::to_pkcs8_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), impl_->key.get(), nullptr, nullptr, 0,
                                            nullptr, nullptr) != 1) {
    return ossl_error("cannot encode the private key");
  }
  std::string pem = bio_to_string(bio.get());
  // The memory BIO's buffer held the key; wipe it before BIO_free releases it.
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len > 0 && data != nullptr) OPENSSL_cleanse(data, static_cast<std::size_t>(len));
  return pem;
}

Result<std::string> RsaPrivateKey::self_signed_certificate_der(
    std::string_view common_name, Timestamp not_before, std::chrono::hours validity) const {
  if (common_name.empty() || common_name.size() > 64) {  // 64: X.520 ub-common-name
    return make_error(Errc::invalid_input, "certificate common name must be 1 to 64 characters");
  }
  if (validity < std::chrono::hours(24) || validity > kMaxValidity) {
    return make_error(Errc::invalid_input, "certificate validity must be 1 day to 10 years");
  }
  ERR_clear_error();
  X509Ptr cert(X509_new());
  if (!cert) return ossl_error("cannot allocate a certificate");
  if (auto r = set_random_serial(cert.get()); !r) return std::move(r).error();
  const std::time_t start = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::seconds>(not_before));
  const auto validity_s = std::chrono::duration_cast<std::chrono::seconds>(validity).count();
  const std::string cn(common_name);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const bool fields_ok =
      X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
      ASN1_TIME_adj(X509_getm_notBefore(cert.get()), start, 0, -kBackdateSeconds) != nullptr &&
      ASN1_TIME_adj(X509_getm_notAfter(cert.get()), start, static_cast<int>(validity_s / 86400),
                    static_cast<long>(validity_s % 86400)) != nullptr &&
      X509_set_pubkey(cert.get(), impl_->key.get()) == 1 &&
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, bytes(cn), -1, -1, 0) == 1 &&
      X509_set_issuer_name(cert.get(), name) == 1;
  if (!fields_ok) return ossl_error("cannot fill in certificate fields");
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] :
       {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
        std::pair{NID_key_usage, "critical,keyEncipherment,dataEncipherment"},
        std::pair{NID_subject_key_identifier, "hash"}}) {
    if (auto r = add_ext(cert.get(), &ctx, nid, value); !r) return std::move(r).error();
  }
  if (X509_sign(cert.get(), impl_->key.get(), EVP_sha256()) == 0) {
    return ossl_error("cannot sign the certificate");
  }
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert.get(), &der);
  if (len <= 0 || der == nullptr) return ossl_error("cannot encode the certificate");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

Result<std::string> RsaPrivateKey::oaep_sha1_decrypt(std::string_view ciphertext) const {
  ERR_clear_error();
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(impl_->key.get(), nullptr));
  // Both digests are set explicitly: SHA-1 is OpenSSL's OAEP default today, but Graph's
  // scheme is fixed and must not follow a library default.
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha1()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha1()) != 1) {
    return ossl_error("cannot set up RSA-OAEP");
  }
  std::size_t len = 0;
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &len, bytes(ciphertext), ciphertext.size()) != 1) {
    return input_error("RSA-OAEP decryption failed");
  }
  std::string out(len, '\0');
  if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                       bytes(ciphertext), ciphertext.size()) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return input_error("RSA-OAEP decryption failed");
  }
  out.resize(len);
  return out;
}

bool RsaPrivateKey::matches_certificate_der(std::string_view certificate_der) const {
  const auto* p = bytes(certificate_der);
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(certificate_der.size())));
  const bool match = cert && p == bytes(certificate_der) + certificate_der.size() &&
                     EVP_PKEY_eq(X509_get0_pubkey(cert.get()), impl_->key.get()) == 1;
  ERR_clear_error();
  return match;
}

int RsaPrivateKey::bits() const { return EVP_PKEY_get_bits(impl_->key.get()); }

// ---- RsaPublicKey ----------------------------------------------------------------------------

Result<RsaPublicKey> RsaPublicKey::from_jwk(std::string_view n_b64url, std::string_view e_b64url) {
  ERR_clear_error();
  auto n = bignum_from_b64url(n_b64url, "modulus n");
  if (!n) return std::move(n).error();
  auto e = bignum_from_b64url(e_b64url, "exponent e");
  if (!e) return std::move(e).error();
  const int n_bits = BN_num_bits(n->get());
  if (n_bits < kMinPublicBits || n_bits > kMaxPublicBits) {
    return input_error("RSA modulus must be 2048 to 8192 bits, got " + std::to_string(n_bits));
  }
  if (BN_num_bytes(e->get()) > 8 || !BN_is_odd(e->get()) || BN_is_one(e->get())) {
    return input_error("RSA exponent is not usable");
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n->get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e->get()) != 1) {
    return ossl_error("cannot build RSA parameters");
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return ossl_error("cannot build an RSA public key");
  }
  return RsaPublicKey(std::make_shared<const Impl>(Impl{EvpPkeyPtr(raw)}));
}

bool RsaPublicKey::verify_rs256(std::string_view signed_data, std::string_view signature) const {
  // RSASSA-PKCS1-v1_5 signatures are exactly the modulus length; anything else is not one.
  if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(impl_->key.get()))) {
    return false;
  }
  MdCtxPtr md(EVP_MD_CTX_new());
  const bool good =
      md && EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, impl_->key.get()) == 1 &&
      EVP_DigestVerify(md.get(), bytes(signature), signature.size(), bytes(signed_data),
                       signed_data.size()) == 1;
  // A failed verification leaves reasons in the queue; they are not errors of ours.
  ERR_clear_error();
  return good;
}

int RsaPublicKey::bits() const { return EVP_PKEY_get_bits(impl_->key.get()); }

}  // namespace ccteams
