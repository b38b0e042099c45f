#pragma once
// Test support: the PRODUCING side of rich notifications, written here from graph-protocol.md
// §4.5 directly on OpenSSL (not from our decryptor), so the round trip checks our reading of
// the protocol rather than agreeing with itself. Header-only; tests include it.

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <cctype>
#include <memory>
#include <stdexcept>
#include <string>

#include "adapters/crypto/encoding.hpp"
#include "app/ports/graph.hpp"

namespace ccteams::graph::testing {

// What Graph does for one item, with hooks for the faults tests need.
struct GraphSideEncryption {
  std::string data_key = random_bytes(32);  // Graph: a fresh AES-256 key per item
  bool pkcs7_padding = true;                // false: the plaintext must be a multiple of 16
};

inline std::string aes_256_cbc_encrypt(const std::string& key, std::string_view plaintext,
                                       bool padding) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free);
  // A short key (the bad-key-size tests) is zero-extended so the cipher still runs.
  std::string k = key;
  k.resize(32, '\0');
  const auto* kp = reinterpret_cast<const unsigned char*>(k.data());
  std::string out(plaintext.size() + 16, '\0');
  int n1 = 0;
  int n2 = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, kp, kp) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), padding ? 1 : 0) != 1 ||
      EVP_EncryptUpdate(ctx.get(), o, &n1, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), o + n1, &n2) != 1) {
    throw std::runtime_error("AES encryption failed");
  }
  out.resize(static_cast<std::size_t>(n1 + n2));
  return out;
}

inline std::string hmac_sha256(const std::string& key, std::string_view data) {
  std::array<unsigned char, 32> mac{};
  std::size_t len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
                mac.size(), &len) == nullptr) {
    throw std::runtime_error("HMAC failed");
  }
  return std::string(reinterpret_cast<const char*>(mac.data()), len);
}

// RSA-OAEP, SHA-1 and MGF1-SHA-1, with the public key of the base64 DER certificate.
inline std::string rsa_oaep_sha1_encrypt(const std::string& certificate_base64,
                                         std::string_view plaintext) {
  const auto der = base64_decode(certificate_base64);
  if (!der) throw std::runtime_error("certificate is not base64");
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      d2i_X509(nullptr, &p, static_cast<long>(der->size())), X509_free);
  if (!cert) throw std::runtime_error("not a certificate");
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(key, nullptr),
                                                                  EVP_PKEY_CTX_free);
  std::size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(plaintext.data());
  if (EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha1()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha1()) != 1 ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &len, in, plaintext.size()) != 1) {
    throw std::runtime_error("RSA-OAEP setup failed");
  }
  std::string out(len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, in,
                       plaintext.size()) != 1) {
    throw std::runtime_error("RSA-OAEP failed");
  }
  out.resize(len);
  return out;
}

inline std::string upper_hex_sha1_of_base64(const std::string& certificate_base64) {
  const auto der = base64_decode(certificate_base64);
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_Digest(der->data(), der->size(), md.data(), &len, EVP_sha1(), nullptr);
  std::string hex = hex_encode(std::string_view(reinterpret_cast<const char*>(md.data()), len));
  for (auto& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return hex;
}

// §4.5 in reverse: encrypt, sign the ciphertext, wrap the key for the certificate.
inline EncryptedContent graph_encrypt(const std::string& certificate_base64,
                                      const std::string& certificate_id,
                                      std::string_view plaintext,
                                      const GraphSideEncryption& how = {}) {
  const std::string data = aes_256_cbc_encrypt(how.data_key, plaintext, how.pkcs7_padding);
  EncryptedContent c;
  c.data = base64_encode(data);
  c.data_signature = base64_encode(hmac_sha256(how.data_key, data));
  c.data_key = base64_encode(rsa_oaep_sha1_encrypt(certificate_base64, how.data_key));
  c.encryption_certificate_id = certificate_id;
  c.encryption_certificate_thumbprint = upper_hex_sha1_of_base64(certificate_base64);
  return c;
}

// A presence resource as Graph's notification carries it (§4.5 step 5), with the newer
// fields a receiver must tolerate.
inline std::string presence_json(const std::string& user_id, const std::string& availability,
                                 const std::string& activity, const std::string& sequence) {
  return R"({"@odata.type":"#microsoft.graph.presence","@odata.id":"communications/presences/)" +
         user_id + R"(","id":")" + user_id + R"(","availability":")" + availability +
         R"(","activity":")" + activity + R"(","sequenceNumber":")" + sequence +
         R"(","statusMessage":null,"workLocation":{"location":"office"},)" +
         R"("outOfOfficeSettings":{"message":null,"isOutOfOffice":false}})";
}

}  // namespace ccteams::graph::testing
