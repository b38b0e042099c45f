#pragma once
// The app's SecretSealer and PkceHasher ports on OpenSSL: SecretBox (AES-256-GCM, the purpose
// as authenticated data) and SHA-256.

#include "adapters/crypto/secret_box.hpp"
#include "app/ports/secret_sealer.hpp"

namespace ccteams {

// Thread-safety: const and stateless beyond the shared key; calls may run concurrently.
class SecretBoxSealer final : public SecretSealer {
 public:
  explicit SecretBoxSealer(SecretBox box) : box_(std::move(box)) {}

  // SecretSealer
  Result<std::string> seal(std::string_view plaintext, std::string_view purpose) const override;
  Result<std::string> open(std::string_view sealed, std::string_view purpose) const override;

 private:
  SecretBox box_;
};

class Sha256PkceHasher final : public PkceHasher {
 public:
  // PkceHasher
  std::string s256_challenge(std::string_view code_verifier) const override;
};

}  // namespace ccteams
