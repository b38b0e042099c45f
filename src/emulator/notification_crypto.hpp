#pragma once
// Rich-notification encryption as Graph does it (graph-protocol.md §4.5): a fresh 32-byte
// AES key per item, AES-256-CBC with IV = key[0..16) and PKCS7 padding, HMAC-SHA256 over the
// ciphertext, and the key wrapped with RSA-OAEP (SHA-1, MGF1-SHA-1) for the subscriber's
// certificate. The emulator's own code (DESIGN.md: it shares nothing with the client side).
// Thread-safety: free functions, safe to call concurrently.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "emulator/graph_error.hpp"

namespace ccteams::emulator {

// Checks an encryptionCertificate: standard base64 of a DER X.509 certificate whose public
// key is RSA with 2048..4096 bits. 400 (ValidationError) with the reason otherwise.
GraphResult<Done> check_encryption_certificate(std::string_view certificate_base64);

// {"data","dataSignature","dataKey","encryptionCertificateId","encryptionCertificateThumbprint"}
// for plaintext (UTF-8 JSON of the resource); the thumbprint is the upper-case hex SHA-1 of
// the certificate. Errors: 400 when the certificate is unusable, 500 when OpenSSL fails.
GraphResult<boost::json::object> encrypt_for_certificate(std::string_view certificate_base64,
                                                         std::string_view certificate_id,
                                                         std::string_view plaintext);

}  // namespace ccteams::emulator
