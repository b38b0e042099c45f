#pragma once
// Decrypting the encryptedContent of a rich change notification (graph-protocol.md §4.5):
//   1. pick our private key by encryptionCertificateId (or thumbprint);
//   2. unwrap the per-item data key with RSA-OAEP (SHA-1, MGF1-SHA-1); it must be 32 bytes;
//   3. check HMAC-SHA256(key, data) against dataSignature in constant time, BEFORE decrypting:
//      a mismatch means tampering, and the ciphertext is never fed to the cipher;
//   4. AES-256-CBC with iv = key[0..16) and PKCS7 padding;
//   5. the plaintext must be UTF-8 JSON (an object); for presence, the resource is decoded.
// Every failure names its step (DecryptStep) so the caller can count it and fall back to
// reading the resource from Graph; messages never contain key material or plaintext.
// Thread-safety: pure functions over immutable inputs; safe to call concurrently.

#include <cstddef>
#include <string>
#include <string_view>

#include "adapters/graph/notification_crypto_keyring.hpp"
#include "adapters/graph/notification_crypto_result.hpp"
#include "app/ports/graph.hpp"

namespace ccteams::graph {

enum class DecryptStep {
  unknown_key,         // no key of ours has this certificate id / thumbprint
  bad_base64,          // data, dataSignature or dataKey is not standard base64
  oversized,           // data larger than kMaxEncryptedDataBytes
  key_unwrap,          // RSA-OAEP refused dataKey (wrong key, corrupted)
  bad_key_size,        // the unwrapped key is not 32 bytes
  signature_mismatch,  // HMAC-SHA256 differs: tampered or corrupted, not decrypted
  bad_padding,         // AES-CBC: length not a multiple of 16, or bad PKCS7 padding
  bad_json,            // plaintext is not UTF-8 JSON of an object (or not a presence)
};
std::string_view decrypt_step_name(DecryptStep step);

struct DecryptError {
  DecryptStep step = DecryptStep::bad_json;
  std::string message;  // "rich notification: <step>: <detail>"
  // Errc::invalid_input with the message: the notification cannot be used as sent.
  Error to_error() const;
};

// A plaintext larger than this is refused before any work: a presence is a few hundred bytes,
// and Graph's rich payloads are far below the webhook's body limit.
inline constexpr std::size_t kMaxEncryptedDataBytes = 1024 * 1024;

struct DecryptedContent {
  std::string json;  // the resource as UTF-8 JSON text (validated)
  std::string certificate_id;  // which of our keys it was encrypted for
  bool used_previous_key = false;  // true: Graph still uses the certificate before rotation
};

struct DecryptedPresence {
  GraphPresence presence;
  std::string certificate_id;
  bool used_previous_key = false;
};

template <class T>
using DecryptResult = CheckResult<T, DecryptError>;

// Steps 1-5 for any resource.
DecryptResult<DecryptedContent> decrypt_notification(const EncryptedContent& content,
                                                     const NotificationKeyring& keyring);

// Steps 1-5 and then the presence resource (id, availability, activity, sequenceNumber when
// present; extra fields tolerated) through decode_presence. A JSON object that is not a presence
// is bad_json.
DecryptResult<DecryptedPresence> decrypt_presence_notification(
    const EncryptedContent& content, const NotificationKeyring& keyring);

}  // namespace ccteams::graph
