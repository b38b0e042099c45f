#include "adapters/graph/notification_crypto_keyring.hpp"

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <boost/json.hpp>
#include <memory>

#include "adapters/crypto/encoding.hpp"
#include "adapters/graph/notification_crypto_test_support.hpp"

namespace ccteams::graph {
namespace {

using namespace std::chrono_literals;

const Timestamp kT0 = from_unix_millis(1'800'000'000'000);

SecretBox make_box() {
  auto box = SecretBox::from_key_text(SecretBox::generate_key_text());
  EXPECT_TRUE(box);
  return std::move(box).value();
}

NotificationKeyring make_ring(Timestamp now = kT0) {
  auto ring = NotificationKeyring::generate(now);
  EXPECT_TRUE(ring) << ring.error().message;
  return std::move(ring).value();
}

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

std::unique_ptr<X509, X509Free> parse_certificate(const std::string& base64) {
  const auto der = base64_decode(base64);
  EXPECT_TRUE(der);
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  return std::unique_ptr<X509, X509Free>(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
}

TEST(NotificationKeyring, CertificateIsSelfSignedRsa2048PublicKeyValidNow) {
  const auto ring = make_ring();
  const auto& c = ring.current();
  EXPECT_FALSE(c.id.empty());
  EXPECT_LE(c.id.size(), 128u);  // Graph's limit for encryptionCertificateId
  EXPECT_EQ(c.created_at, kT0);
  EXPECT_EQ(ring.previous(), nullptr);
  auto cert = parse_certificate(c.certificate_base64);
  ASSERT_TRUE(cert);
  EVP_PKEY* pub = X509_get0_pubkey(cert.get());
  ASSERT_NE(pub, nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(pub), EVP_PKEY_RSA);
  EXPECT_EQ(EVP_PKEY_get_bits(pub), 2048);
  EXPECT_EQ(X509_verify(cert.get(), pub), 1);  // self-signed
  const std::time_t t0 = 1'800'000'000;
  std::time_t before = t0 - 10;
  std::time_t after = t0 + 300 * 86400;
  EXPECT_EQ(X509_cmp_time(X509_get0_notBefore(cert.get()), &before), -1);
  EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(cert.get()), &after), 1);
  // Graph sends the thumbprint as hex SHA-1 of the DER.
  EXPECT_EQ(c.thumbprint_hex, testing::upper_hex_sha1_of_base64(c.certificate_base64));
  EXPECT_EQ(c.thumbprint_hex.size(), 40u);
}

TEST(NotificationKeyring, RotationKeepsThePreviousKeyAndDropsTheOneBefore) {
  auto ring = make_ring();
  const auto first = ring.current();
  ASSERT_TRUE(ring.rotate(kT0 + 24h));
  const auto second = ring.current();
  EXPECT_NE(second.id, first.id);
  EXPECT_NE(second.thumbprint_hex, first.thumbprint_hex);
  EXPECT_EQ(second.created_at, kT0 + 24h);
  ASSERT_NE(ring.previous(), nullptr);
  EXPECT_EQ(ring.previous()->id, first.id);
  EXPECT_NE(ring.find(first.id, ""), nullptr);

  ASSERT_TRUE(ring.rotate(kT0 + 48h));
  EXPECT_EQ(ring.previous()->id, second.id);
  EXPECT_EQ(ring.find(first.id, ""), nullptr);
  EXPECT_EQ(ring.find("", first.thumbprint_hex), nullptr);

  ring.drop_previous();
  EXPECT_EQ(ring.previous(), nullptr);
  EXPECT_EQ(ring.find(second.id, ""), nullptr);
}

TEST(NotificationKeyring, FindsByIdOrThumbprintAndRefusesAMismatchedPair) {
  auto ring = make_ring();
  const auto old_cert = ring.current();
  ASSERT_TRUE(ring.rotate(kT0 + 1h));
  const auto& cur = ring.current();
  ASSERT_NE(ring.find(cur.id, ""), nullptr);
  EXPECT_EQ(ring.find(cur.id, "")->certificate.id, cur.id);
  std::string lower = old_cert.thumbprint_hex;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  ASSERT_NE(ring.find("", lower), nullptr);
  EXPECT_EQ(ring.find("", lower)->certificate.id, old_cert.id);
  EXPECT_NE(ring.find(cur.id, cur.thumbprint_hex), nullptr);
  EXPECT_EQ(ring.find(cur.id, old_cert.thumbprint_hex), nullptr);  // id of one, print of other
  EXPECT_EQ(ring.find("someone-else", ""), nullptr);
  EXPECT_EQ(ring.find("", ""), nullptr);
}

TEST(NotificationKeyring, SealedKeyringOpensWithTheSameKeyAndAadOnly) {
  auto ring = make_ring();
  ASSERT_TRUE(ring.rotate(kT0 + 1h));
  const auto box = make_box();
  const auto aad = notification_keyring_aad("org:12");
  EXPECT_EQ(aad, "org:12/graph.notification_keyring");
  auto sealed = ring.seal(box, aad);
  ASSERT_TRUE(sealed) << sealed.error().message;
  EXPECT_EQ(sealed->find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(sealed->find(ring.current().id), std::string::npos);

  auto back = NotificationKeyring::open(*sealed, box, aad);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->current().id, ring.current().id);
  EXPECT_EQ(back->current().certificate_base64, ring.current().certificate_base64);
  EXPECT_EQ(back->current().thumbprint_hex, ring.current().thumbprint_hex);
  EXPECT_EQ(back->current().created_at, ring.current().created_at);
  ASSERT_NE(back->previous(), nullptr);
  EXPECT_EQ(back->previous()->id, ring.previous()->id);

  // The loaded private keys are the real ones: they unwrap what was wrapped for the originals.
  for (const auto* c : {&ring.current(), ring.previous()}) {
    const std::string secret = random_bytes(32);
    const auto wrapped = testing::rsa_oaep_sha1_encrypt(c->certificate_base64, secret);
    const auto* entry = back->find(c->id, c->thumbprint_hex);
    ASSERT_NE(entry, nullptr);
    auto unwrapped = entry->key.oaep_sha1_decrypt(wrapped);
    ASSERT_TRUE(unwrapped);
    EXPECT_EQ(*unwrapped, secret);
  }

  EXPECT_FALSE(NotificationKeyring::open(*sealed, box, notification_keyring_aad("org:13")));
  EXPECT_FALSE(NotificationKeyring::open(*sealed, make_box(), aad));
}

TEST(NotificationKeyring, OpenRefusesSealedTextThatIsNotAKeyring) {
  const auto box = make_box();
  const std::string aad = "t";
  for (const char* text : {"not json", "{}", R"({"version":2,"keys":[]})",
                           R"({"version":1,"keys":[]})",
                           R"({"version":1,"keys":[{"id":"a","createdAt":1}]})"}) {
    auto sealed = box.seal(text, aad);
    ASSERT_TRUE(sealed);
    auto r = NotificationKeyring::open(*sealed, box, aad);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, Errc::invalid_input) << text;
  }
}

TEST(NotificationKeyring, OpenRefusesAKeyThatDoesNotMatchItsCertificate) {
  const auto a = make_ring();
  const auto b = make_ring();
  const auto box = make_box();
  auto pem = b.find(b.current().id, "")->key.to_pkcs8_pem();
  ASSERT_TRUE(pem);
  boost::json::object key{{"id", "x"}, {"createdAt", 1},
                          {"certificate", a.current().certificate_base64}, {"privateKey", *pem}};
  const auto text = boost::json::serialize(
      boost::json::object{{"version", 1}, {"keys", boost::json::array{key}}});
  auto r = NotificationKeyring::open(*box.seal(text, "t"), box, "t");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("does not match"), std::string::npos);
}

TEST(NotificationKeyring, GenerateRefusesUnsupportedOptions) {
  EXPECT_FALSE(NotificationKeyring::generate(kT0, {.key_bits = 1024}));
  EXPECT_FALSE(NotificationKeyring::generate(kT0, {.key_bits = 8192}));
  EXPECT_FALSE(NotificationKeyring::generate(kT0, {.certificate_validity = 1h}));
}

TEST(KeyRotationPolicy, IsDueOnceTheCurrentKeyReachesMaxAge) {
  auto ring = make_ring();
  const KeyRotationPolicy policy{24h * 30};
  EXPECT_FALSE(policy.rotation_due(ring, kT0));
  EXPECT_FALSE(policy.rotation_due(ring, kT0 + 24h * 30 - 1s));
  EXPECT_TRUE(policy.rotation_due(ring, kT0 + 24h * 30));
  ASSERT_TRUE(ring.rotate(kT0 + 24h * 31));
  EXPECT_FALSE(policy.rotation_due(ring, kT0 + 24h * 31));
}

}  // namespace
}  // namespace ccteams::graph
