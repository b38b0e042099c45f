#include "adapters/crypto/tls_cert.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <cstring>

#include "adapters/crypto/openssl_util.hpp"

namespace ccteams {
namespace {

using namespace crypto_detail;

X509Ptr read_cert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// X509_verify_cert of leaf against ca as the only trust anchor; the error code (X509_V_OK...).
int verify(X509* leaf, X509* ca) {
  X509StorePtr store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca);
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  const int rc = X509_verify_cert(ctx.get());
  const int err = X509_STORE_CTX_get_error(ctx.get());
  return rc == 1 ? X509_V_OK : (err == X509_V_OK ? -1 : err);
}

TEST(TlsCert, LeafVerifiesAgainstCaAndMatchesItsNames) {
  auto pki = generate_test_pki({"localhost", "graph.test"}, {"127.0.0.1", "::1"});
  ASSERT_TRUE(pki) << pki.error().message;
  auto ca = read_cert(pki->ca_cert_pem);
  auto leaf = read_cert(pki->cert_chain_pem);  // the first certificate of the chain
  ASSERT_TRUE(ca && leaf);
  EXPECT_EQ(verify(leaf.get(), ca.get()), X509_V_OK);

  EXPECT_EQ(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(leaf.get(), "graph.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(leaf.get(), "other.test", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf.get(), "127.0.0.2", 0), 0);
}

TEST(TlsCert, ExtensionsMarkCaAndServerLeaf) {
  auto pki = generate_test_pki({"localhost"}, {});
  ASSERT_TRUE(pki) << pki.error().message;
  auto ca = read_cert(pki->ca_cert_pem);
  auto leaf = read_cert(pki->cert_chain_pem);
  ASSERT_TRUE(ca && leaf);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_check_ca(leaf.get()), 0);
  EXPECT_TRUE(X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN);
  const auto leaf_ku = X509_get_key_usage(leaf.get());
  EXPECT_TRUE(leaf_ku & KU_DIGITAL_SIGNATURE);
  EXPECT_TRUE(leaf_ku & KU_KEY_ENCIPHERMENT);
  EXPECT_FALSE(leaf_ku & KU_KEY_CERT_SIGN);
  EXPECT_EQ(X509_get_extended_key_usage(leaf.get()), XKU_SSL_SERVER);
  EXPECT_EQ(X509_check_purpose(leaf.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
  // Valid from the past (clock skew) until the future.
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(leaf.get())), 0);
  EXPECT_GT(X509_cmp_current_time(X509_get0_notAfter(leaf.get())), 0);
}

TEST(TlsCert, ChainHoldsLeafThenCaAndKeyMatchesLeaf) {
  auto pki = generate_test_pki({"localhost"}, {"127.0.0.1"});
  ASSERT_TRUE(pki) << pki.error().message;
  EXPECT_NE(pki->cert_chain_pem.find(pki->ca_cert_pem), std::string::npos);
  EXPECT_NE(pki->cert_chain_pem.find(pki->ca_cert_pem), 0u);
  auto leaf = read_cert(pki->cert_chain_pem);
  BioPtr bio(
      BIO_new_mem_buf(pki->private_key_pem.data(), static_cast<int>(pki->private_key_pem.size())));
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(leaf && key);
  EXPECT_EQ(X509_check_private_key(leaf.get(), key.get()), 1);
}

TEST(TlsCert, LeafDoesNotVerifyAgainstAnotherCa) {
  auto a = generate_test_pki({"localhost"}, {});
  auto b = generate_test_pki({"localhost"}, {});
  ASSERT_TRUE(a && b);
  auto leaf_a = read_cert(a->cert_chain_pem);
  auto ca_b = read_cert(b->ca_cert_pem);
  EXPECT_NE(verify(leaf_a.get(), ca_b.get()), X509_V_OK);
  EXPECT_NE(a->private_key_pem, b->private_key_pem);
}

TEST(TlsCert, RejectsBadInput) {
  auto none = generate_test_pki({}, {});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::invalid_input);
  auto bad_ip = generate_test_pki({}, {"300.1.1.1"});
  ASSERT_FALSE(bad_ip);
  EXPECT_EQ(bad_ip.error().code, Errc::invalid_input);
  auto bad_dns = generate_test_pki({"a,DNS:evil"}, {});
  ASSERT_FALSE(bad_dns);
  EXPECT_EQ(bad_dns.error().code, Errc::invalid_input);
  auto bad_days = generate_test_pki({"localhost"}, {}, 0);
  ASSERT_FALSE(bad_days);
  EXPECT_EQ(bad_days.error().code, Errc::invalid_input);
}

}  // namespace
}  // namespace ccteams
