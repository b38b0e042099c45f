#include "emulator/notification_crypto.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cctype>
#include <memory>

#include "emulator/encoding.hpp"

namespace ccteams::emulator {

namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

GraphError invalid(std::string message) {
  return graph_error(400, "ValidationError", std::move(message));
}
GraphError crypto_failed(std::string message) {
  return graph_error(500, "InternalServerError", std::move(message));
}

struct Certificate {
  std::string der;
  std::unique_ptr<EVP_PKEY, PkeyFree> key;
};

GraphResult<Certificate> load_certificate(std::string_view certificate_base64) {
  auto der = base64_decode(certificate_base64);
  if (!der || der->empty()) return invalid("encryptionCertificate is not valid base64.");
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
  if (!cert) return invalid("encryptionCertificate is not a DER X.509 certificate.");
  std::unique_ptr<EVP_PKEY, PkeyFree> key(X509_get_pubkey(cert.get()));
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return invalid("encryptionCertificate must hold an RSA public key.");
  }
  const int bits = EVP_PKEY_get_bits(key.get());
  if (bits < 2048 || bits > 4096) {
    return invalid("encryptionCertificate key size must be 2048 to 4096 bits.");
  }
  return Certificate{std::move(*der), std::move(key)};
}

GraphResult<std::string> aes_256_cbc(std::string_view key, std::string_view plaintext) {
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  const auto* k = reinterpret_cast<const unsigned char*>(key.data());
  // Graph's scheme: the IV is the first 16 bytes of the key (the key is never reused).
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, k, k) != 1) {
    return crypto_failed("AES initialisation failed.");
  }
  std::string out(plaintext.size() + 16, '\0');
  int n1 = 0;
  int n2 = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_EncryptUpdate(ctx.get(), o, &n1, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), o + n1, &n2) != 1) {
    return crypto_failed("AES encryption failed.");
  }
  out.resize(static_cast<std::size_t>(n1 + n2));
  return out;
}

GraphResult<std::string> rsa_oaep_sha1(EVP_PKEY* key, std::string_view data) {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new(key, nullptr));
  // OAEP's default digest and MGF1 digest are SHA-1: what Graph's receivers expect.
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1) {
    return crypto_failed("RSA-OAEP initialisation failed.");
  }
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, in, data.size()) != 1) {
    return crypto_failed("RSA-OAEP sizing failed.");
  }
  std::string out(len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, in,
                       data.size()) != 1) {
    return crypto_failed("RSA-OAEP encryption failed.");
  }
  out.resize(len);
  return out;
}

}  // namespace

GraphResult<Done> check_encryption_certificate(std::string_view certificate_base64) {
  auto c = load_certificate(certificate_base64);
  if (!c) return c.error();
  return Done{};
}

GraphResult<boost::json::object> encrypt_for_certificate(std::string_view certificate_base64,
                                                         std::string_view certificate_id,
                                                         std::string_view plaintext) {
  auto cert = load_certificate(certificate_base64);
  if (!cert) return cert.error();
  const std::string key = emulator::random_bytes(32);
  auto data = aes_256_cbc(key, plaintext);
  if (!data) return data.error();
  auto wrapped = rsa_oaep_sha1(cert->key.get(), key);
  if (!wrapped) return wrapped.error();
  std::string thumbprint = hex_encode(sha1(cert->der));
  for (auto& ch : thumbprint) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return boost::json::object{{"data", emulator::base64_encode(*data)},
                             {"dataSignature", emulator::base64_encode(hmac_sha256(key, *data))},
                             {"dataKey", emulator::base64_encode(*wrapped)},
                             {"encryptionCertificateId", certificate_id},
                             {"encryptionCertificateThumbprint", thumbprint}};
}

}  // namespace ccteams::emulator
