#include "adapters/crypto/tls_cert.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>

#include "adapters/crypto/openssl_util.hpp"

namespace ccteams {
namespace {

using namespace crypto_detail;

constexpr long kBackdateSeconds = 3600;
constexpr int kMaxValidityDays = 3650;

Error ossl_error(std::string_view what) {
  return make_error(Errc::internal, take_openssl_errors(what));
}

// A DNS name in a SAN is IA5 text; keep to what a host name (or a "*." wildcard) can hold so
// that nothing odd ends up in a certificate.
bool is_plausible_dns_name(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '*' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Result<EvpPkeyPtr> make_p256_key() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return ossl_error("cannot generate an EC P-256 key");
  return key;
}

Result<void> add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return ossl_error(std::string("cannot add certificate extension ") + OBJ_nid2sn(nid));
  }
  return ok();
}

Result<void> add_subject_alt_names(X509* cert, const std::vector<std::string>& dns_names,
                                   const std::vector<std::string>& ip_addresses) {
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) return ossl_error("cannot allocate subjectAltName");
  for (const auto& dns : dns_names) {
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    if (gn == nullptr || ia5 == nullptr ||
        ASN1_STRING_set(ia5, dns.data(), static_cast<int>(dns.size())) != 1) {
      GENERAL_NAME_free(gn);
      ASN1_IA5STRING_free(ia5);
      return ossl_error("cannot build a DNS subjectAltName");
    }
    GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
    if (sk_GENERAL_NAME_push(names.get(), gn) == 0) {
      GENERAL_NAME_free(gn);
      return ossl_error("cannot build subjectAltName");
    }
  }
  for (const auto& ip : ip_addresses) {
    ASN1_OCTET_STRING* octets = a2i_IPADDRESS(ip.c_str());
    if (octets == nullptr) {
      ERR_clear_error();
      return make_error(Errc::invalid_input, "not an IP address: '" + ip + "'");
    }
    GENERAL_NAME* gn = GENERAL_NAME_new();
    if (gn == nullptr) {
      ASN1_OCTET_STRING_free(octets);
      return ossl_error("cannot build an IP subjectAltName");
    }
    GENERAL_NAME_set0_value(gn, GEN_IPADD, octets);
    if (sk_GENERAL_NAME_push(names.get(), gn) == 0) {
      GENERAL_NAME_free(gn);
      return ossl_error("cannot build subjectAltName");
    }
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return ossl_error("cannot add subjectAltName");
  }
  return ok();
}

// A new certificate with a random positive 64-bit serial, the given subject CN and validity,
// not yet signed and without extensions.
Result<X509Ptr> new_certificate(EVP_PKEY* key, const std::string& common_name, int validity_days) {
  X509Ptr cert(X509_new());
  if (!cert) return ossl_error("cannot allocate a certificate");
  std::array<unsigned char, 8> serial_bytes{};
  if (RAND_bytes(serial_bytes.data(), serial_bytes.size()) != 1) {
    return ossl_error("cannot draw a certificate serial number");
  }
  serial_bytes[0] &= 0x7f;  // positive, as RFC 5280 requires
  serial_bytes[0] |= 0x01;  // and non-zero
  std::uint64_t serial = 0;
  for (const unsigned char b : serial_bytes) serial = (serial << 8) | b;
  X509_NAME* name = X509_get_subject_name(cert.get());
  const bool fields_ok =
      X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial) == 1 &&
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) != nullptr &&
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), validity_days, 0, nullptr) != nullptr &&
      X509_set_pubkey(cert.get(), key) == 1 &&
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("ccteams test PKI"), -1, -1,
                                 0) == 1 &&
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) == 1;
  if (!fields_ok) return ossl_error("cannot fill in certificate fields");
  return cert;
}

Result<std::string> cert_to_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return ossl_error("cannot encode PEM");
  return bio_to_string(bio.get());
}

Result<std::string> key_to_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return ossl_error("cannot encode the private key");
  }
  return bio_to_string(bio.get());
}

}  // namespace

Result<TestPki> generate_test_pki(const std::vector<std::string>& dns_names,
                                  const std::vector<std::string>& ip_addresses, int validity_days) {
  if (dns_names.empty() && ip_addresses.empty()) {
    return make_error(Errc::invalid_input, "a certificate needs at least one DNS name or IP");
  }
  for (const auto& dns : dns_names) {
    if (!is_plausible_dns_name(dns)) {
      return make_error(Errc::invalid_input, "not a DNS name: '" + dns + "'");
    }
  }
  if (validity_days < 1 || validity_days > kMaxValidityDays) {
    return make_error(Errc::invalid_input, "validity_days must be between 1 and 3650");
  }
  ERR_clear_error();

  auto ca_key = make_p256_key();
  if (!ca_key) return std::move(ca_key).error();
  auto ca = new_certificate(ca_key->get(), "ccteams test CA", validity_days);
  if (!ca) return std::move(ca).error();
  // Self-signed: issuer = subject.
  if (X509_set_issuer_name(ca->get(), X509_get_subject_name(ca->get())) != 1) {
    return ossl_error("cannot set the CA issuer");
  }
  X509V3_CTX ca_ctx;
  X509V3_set_ctx(&ca_ctx, ca->get(), ca->get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                                   std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
                                   std::pair{NID_subject_key_identifier, "hash"},
                                   std::pair{NID_authority_key_identifier, "keyid:always"}}) {
    if (auto r = add_ext(ca->get(), &ca_ctx, nid, value); !r) return std::move(r).error();
  }
  if (X509_sign(ca->get(), ca_key->get(), EVP_sha256()) == 0) {
    return ossl_error("cannot sign the CA certificate");
  }

  auto leaf_key = make_p256_key();
  if (!leaf_key) return std::move(leaf_key).error();
  const std::string leaf_cn = dns_names.empty() ? ip_addresses.front() : dns_names.front();
  auto leaf = new_certificate(leaf_key->get(), leaf_cn, validity_days);
  if (!leaf) return std::move(leaf).error();
  if (X509_set_issuer_name(leaf->get(), X509_get_subject_name(ca->get())) != 1) {
    return ossl_error("cannot set the leaf issuer");
  }
  X509V3_CTX leaf_ctx;
  X509V3_set_ctx(&leaf_ctx, ca->get(), leaf->get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] :
       {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
        std::pair{NID_key_usage, "critical,digitalSignature,keyEncipherment"},
        std::pair{NID_ext_key_usage, "serverAuth"}, std::pair{NID_subject_key_identifier, "hash"},
        std::pair{NID_authority_key_identifier, "keyid:always"}}) {
    if (auto r = add_ext(leaf->get(), &leaf_ctx, nid, value); !r) return std::move(r).error();
  }
  if (auto r = add_subject_alt_names(leaf->get(), dns_names, ip_addresses); !r) {
    return std::move(r).error();
  }
  if (X509_sign(leaf->get(), ca_key->get(), EVP_sha256()) == 0) {
    return ossl_error("cannot sign the leaf certificate");
  }

  auto ca_pem = cert_to_pem(ca->get());
  if (!ca_pem) return std::move(ca_pem).error();
  auto leaf_pem = cert_to_pem(leaf->get());
  if (!leaf_pem) return std::move(leaf_pem).error();
  auto key_pem = key_to_pem(leaf_key->get());
  if (!key_pem) return std::move(key_pem).error();
  TestPki pki;
  pki.ca_cert_pem = *ca_pem;
  pki.cert_chain_pem = *leaf_pem + *ca_pem;
  pki.private_key_pem = std::move(*key_pem);
  return pki;
}

}  // namespace ccteams
