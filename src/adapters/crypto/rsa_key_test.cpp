#include "adapters/crypto/rsa_key.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include "adapters/crypto/encoding.hpp"
#include "adapters/crypto/jwt_test_support.hpp"
#include "adapters/graph/notification_crypto_test_support.hpp"

namespace ccteams {
namespace {

using namespace std::chrono_literals;

const Timestamp kT0 = from_unix_millis(1'800'000'000'000);

const RsaPrivateKey& shared_key() {
  static const RsaPrivateKey key = [] {
    auto k = RsaPrivateKey::generate(2048);
    EXPECT_TRUE(k);
    return std::move(k).value();
  }();
  return key;
}

TEST(RsaPrivateKey, GenerateRefusesUnsupportedSizes) {
  for (int bits : {0, 1024, 2047, 4104, 8192}) {
    auto k = RsaPrivateKey::generate(bits);
    ASSERT_FALSE(k) << bits;
    EXPECT_EQ(k.error().code, Errc::invalid_input);
  }
  EXPECT_EQ(shared_key().bits(), 2048);
}

TEST(RsaPrivateKey, Pkcs8PemRoundTripKeepsTheKey) {
  auto pem = shared_key().to_pkcs8_pem();
  ASSERT_TRUE(pem);
  EXPECT_EQ(pem->rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  auto back = RsaPrivateKey::from_pem(*pem);
  ASSERT_TRUE(back);
  auto cert = shared_key().self_signed_certificate_der("t", kT0, 24h);
  ASSERT_TRUE(cert);
  EXPECT_TRUE(back->matches_certificate_der(*cert));
}

TEST(RsaPrivateKey, FromPemRefusesOtherTextWithoutEchoingIt) {
  const std::vector<std::string> bad{"", "hello", "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                                  "-----END PRIVATE KEY-----\n"};
  for (const auto& text : bad) {
    auto k = RsaPrivateKey::from_pem(text);
    ASSERT_FALSE(k);
    EXPECT_EQ(k.error().code, Errc::invalid_input);
  }
  // An EC key is a private key, but not one we can use.
  testing::TestPkey ec(EVP_EC_gen("P-256"));
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, ec.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  const std::string ec_pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  EXPECT_FALSE(RsaPrivateKey::from_pem(ec_pem));
}

TEST(RsaPrivateKey, EncryptedPemFailsInsteadOfPromptingForAPassphrase) {
  auto plain = shared_key().to_pkcs8_pem();
  ASSERT_TRUE(plain);
  BIO* in = BIO_new_mem_buf(plain->data(), static_cast<int>(plain->size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  ASSERT_NE(key, nullptr);
  BIO* out = BIO_new(BIO_s_mem());
  char pass[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(out, key, EVP_aes_256_cbc(), pass, 6, nullptr, nullptr),
            1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(out, &data);
  const std::string encrypted(data, static_cast<std::size_t>(len));
  BIO_free(out);
  EVP_PKEY_free(key);
  EXPECT_FALSE(RsaPrivateKey::from_pem(encrypted));
}

TEST(RsaPrivateKey, CertificateMatchesOnlyItsOwnKey) {
  auto cert = shared_key().self_signed_certificate_der("ccteams", kT0, 24h * 30);
  ASSERT_TRUE(cert);
  EXPECT_TRUE(shared_key().matches_certificate_der(*cert));
  auto other = RsaPrivateKey::generate(2048);
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->matches_certificate_der(*cert));
  EXPECT_FALSE(shared_key().matches_certificate_der("not der"));
  EXPECT_FALSE(shared_key().matches_certificate_der(*cert + "x"));  // trailing garbage
}

TEST(RsaPrivateKey, CertificateRefusesBadNamesAndValidity) {
  EXPECT_FALSE(shared_key().self_signed_certificate_der("", kT0, 24h));
  EXPECT_FALSE(shared_key().self_signed_certificate_der(std::string(65, 'a'), kT0, 24h));
  EXPECT_FALSE(shared_key().self_signed_certificate_der("a", kT0, 23h));
  EXPECT_FALSE(shared_key().self_signed_certificate_der("a", kT0, 24h * 3651));
}

TEST(RsaPrivateKey, OaepSha1DecryptsWhatTheCertificateKeyEncrypted) {
  auto cert = shared_key().self_signed_certificate_der("ccteams", kT0, 24h);
  ASSERT_TRUE(cert);
  const std::string secret = random_bytes(32);
  const auto wrapped = graph::testing::rsa_oaep_sha1_encrypt(base64_encode(*cert), secret);
  auto r = shared_key().oaep_sha1_decrypt(wrapped);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, secret);

  std::string corrupted = wrapped;
  corrupted[10] = static_cast<char>(corrupted[10] ^ 0x01);
  auto bad = shared_key().oaep_sha1_decrypt(corrupted);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_input);
  EXPECT_FALSE(shared_key().oaep_sha1_decrypt(""));
  EXPECT_FALSE(shared_key().oaep_sha1_decrypt(wrapped + "x"));
}

}  // namespace
}  // namespace ccteams
