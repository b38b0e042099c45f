#pragma once
// Throw-away PKI for the Graph emulator ("a certificate generated at start") and for tests:
// a fresh certificate authority and one server certificate signed by it.

#include <string>
#include <vector>

#include "core/result.hpp"

namespace ccteams {

struct TestPki {
  std::string ca_cert_pem;      // the CA certificate: what a client adds to its trusted roots
  std::string cert_chain_pem;   // the leaf certificate followed by the CA certificate
  std::string private_key_pem;  // the leaf's private key (PKCS#8, unencrypted)
};

// Generates a CA (EC P-256, CA:TRUE, keyCertSign/cRLSign) and a leaf certificate signed by it
// (EC P-256, CA:FALSE, digitalSignature/keyEncipherment, extKeyUsage serverAuth) whose
// subjectAltName lists dns_names and ip_addresses (IPv4 or IPv6 text). Both are valid from one
// hour ago (tolerates clock skew between processes) for validity_days. Keys are never reused.
// Errors: invalid_input when there is no name at all, a DNS name is empty or holds characters
// that cannot be a host name, an IP address does not parse, or validity_days is not in 1..3650;
// internal when OpenSSL fails.
// Thread-safety: may be called concurrently.
Result<TestPki> generate_test_pki(const std::vector<std::string>& dns_names,
                                  const std::vector<std::string>& ip_addresses,
                                  int validity_days = 30);

}  // namespace ccteams
