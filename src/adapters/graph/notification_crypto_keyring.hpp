#pragma once
// The key pair Graph encrypts rich change notifications for (graph-protocol.md §4.1, §4.2,
// §4.5): an RSA key and a self-signed certificate whose public part goes into a subscription
// as encryptionCertificate, labelled by encryptionCertificateId.
//
// Rotation never loses a notification: Graph may keep encrypting with the old certificate for
// a while after the subscriptions are PATCHed (§4.2), so rotate() keeps the old key as
// previous() and decryption finds either. The previous key goes at the next rotation, or
// earlier through drop_previous() once the caller knows nothing uses it any more.
//
// At rest the private keys exist only sealed with SecretBox (AES-256-GCM); the aad binds the
// sealed text to its purpose and row (see notification_keyring_aad).
//
// Thread-safety: a value type. Const members may run concurrently; rotate/drop_previous need
// exclusive access (the owner swaps in a new keyring or guards it). Copies share the
// immutable key material.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/crypto/rsa_key.hpp"
#include "adapters/crypto/secret_box.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams::graph {

// What a subscription request needs (SubscriptionRequest::encryption_certificate{,_id}) and
// what identifies the key in a notification (EncryptedContent).
struct NotificationCertificate {
  std::string id;                  // encryptionCertificateId, ≤ 128 characters, unique
  std::string certificate_base64;  // standard base64 of the DER certificate: public part only
  std::string thumbprint_hex;      // upper-case hex SHA-1 of the DER, as Graph sends it
  Timestamp created_at{};
};

struct NotificationKeyOptions {
  int key_bits = 2048;  // Graph accepts 2048..4096
  // Must outlast the rotation age plus the time Graph keeps using an old certificate.
  std::chrono::hours certificate_validity{24 * 365};
};

// The purpose part of the SecretBox aad: "graph.notification_keyring". Callers prefix the row,
// e.g. notification_keyring_aad("org:12") -> "org:12/graph.notification_keyring", so a sealed
// keyring copied to another organisation's row does not open.
inline constexpr std::string_view kNotificationKeyringPurpose = "graph.notification_keyring";
std::string notification_keyring_aad(std::string_view owner);

class NotificationKeyring {
 public:
  // One generation of the key: its certificate and private key.
  struct Entry {
    NotificationCertificate certificate;
    RsaPrivateKey key;
  };

  // A keyring with one fresh key (no previous). Errors: invalid_input for bad options;
  // internal when OpenSSL fails.
  static Result<NotificationKeyring> generate(Timestamp now, NotificationKeyOptions options = {});

  const NotificationCertificate& current() const { return entries_.front().certificate; }
  // Nullptr when there is none. Not owned; valid until the next rotate/drop_previous.
  const NotificationCertificate* previous() const;

  // A new current key; the old current becomes previous (the old previous is dropped).
  // Errors as generate(); on error the keyring is unchanged.
  Result<void> rotate(Timestamp now, NotificationKeyOptions options = {});
  void drop_previous();

  // The key a notification names (§4.5 step 1): by id when id is not empty, else by
  // thumbprint (compared case-insensitively). When both are given they must agree: an id of
  // ours with a foreign thumbprint is not our certificate. Nullptr when nothing matches.
  // Not owned; valid until the next rotate/drop_previous.
  const Entry* find(std::string_view id, std::string_view thumbprint_hex) const;

  // The keyring (both keys, their certificates and ages) sealed with box under aad.
  // Errors: internal when encoding or sealing fails.
  Result<std::string> seal(const SecretBox& box, std::string_view aad) const;
  // The reverse. Errors: what SecretBox::open gives (wrong key, wrong aad, tampered text), or
  // invalid_input when the opened text is not a keyring of ours (unknown version, no key, more
  // than two, a key that does not match its certificate).
  static Result<NotificationKeyring> open(std::string_view sealed, const SecretBox& box,
                                          std::string_view aad);

 private:
  explicit NotificationKeyring(std::vector<Entry> entries) : entries_(std::move(entries)) {}
  std::vector<Entry> entries_;  // current first, then previous; 1 or 2 entries
};

// The rotation policy: the current key is due for rotation once it is max_age old.
struct KeyRotationPolicy {
  std::chrono::seconds max_age{std::chrono::hours{24 * 30}};
  bool rotation_due(const NotificationKeyring& keyring, Timestamp now) const {
    return now - keyring.current().created_at >= max_age;
  }
};

}  // namespace ccteams::graph
