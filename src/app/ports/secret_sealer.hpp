#pragma once
// Secrets at rest for app services, without OpenSSL in app/: sealing binds a ciphertext to a
// purpose string (e.g. "sync-account/org:12/oid:…/refresh_token"), so that it opens only for
// the same purpose: a value moved to another row or column is refused. Implemented by
// adapters/crypto/secret_box_sealer.hpp (AES-256-GCM, the purpose as authenticated data).
// Thread-safety: both calls may run concurrently.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ccteams {

class SecretSealer {
 public:
  virtual ~SecretSealer() = default;
  // Printable sealed text; sealing twice gives different text. Errors: internal.
  virtual Result<std::string> seal(std::string_view plaintext, std::string_view purpose) const = 0;
  // Errors: internal when the text does not open for this purpose (other key, other purpose,
  // tampered); invalid_input when it is not sealed text at all. Messages never echo secrets.
  virtual Result<std::string> open(std::string_view sealed, std::string_view purpose) const = 0;
};

// RFC 7636 S256: BASE64URL(SHA-256(verifier)), unpadded. A port for the same reason.
class PkceHasher {
 public:
  virtual ~PkceHasher() = default;
  virtual std::string s256_challenge(std::string_view code_verifier) const = 0;
};

}  // namespace ccteams
