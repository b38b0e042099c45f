#include "adapters/crypto/secret_box_sealer.hpp"

#include "adapters/crypto/encoding.hpp"

namespace ccteams {

Result<std::string> SecretBoxSealer::seal(std::string_view plaintext,
                                          std::string_view purpose) const {
  return box_.seal(plaintext, purpose);
}

Result<std::string> SecretBoxSealer::open(std::string_view sealed, std::string_view purpose) const {
  return box_.open(sealed, purpose);
}

std::string Sha256PkceHasher::s256_challenge(std::string_view code_verifier) const {
  auto digest = hex_decode(sha256_hex(code_verifier));
  // sha256_hex always yields 64 hex characters, so decoding cannot fail.
  return base64_encode(digest.value_or(std::string()), Base64Alphabet::url, false);
}

}  // namespace ccteams
