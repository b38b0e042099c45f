#include "adapters/crypto/sodium_password_hasher.hpp"

#include <sodium.h>

#include <array>
#include <cstdio>
#include <cstdlib>

namespace ccteams {
namespace {

constexpr std::size_t kMaxPasswordBytes = 4096;

// sodium_init is thread-safe itself, but calling it once keeps the check off the hot path; a
// libsodium that cannot initialise (no randomness) leaves no safe way to go on.
void init_sodium_once() {
  static const bool initialised = [] {
    if (sodium_init() < 0) {
      std::fputs("ccteams: libsodium failed to initialise\n", stderr);
      std::abort();
    }
    return true;
  }();
  (void)initialised;
}

}  // namespace

SodiumPasswordHasher::SodiumPasswordHasher(PasswordStrength strength) {
  init_sodium_once();
  switch (strength) {
    case PasswordStrength::interactive:
      opslimit_ = crypto_pwhash_OPSLIMIT_INTERACTIVE;
      memlimit_ = crypto_pwhash_MEMLIMIT_INTERACTIVE;
      break;
    case PasswordStrength::moderate:
      opslimit_ = crypto_pwhash_OPSLIMIT_MODERATE;
      memlimit_ = crypto_pwhash_MEMLIMIT_MODERATE;
      break;
    case PasswordStrength::minimum:
      opslimit_ = crypto_pwhash_OPSLIMIT_MIN;
      memlimit_ = crypto_pwhash_MEMLIMIT_MIN;
      break;
  }
}

Result<std::string> SodiumPasswordHasher::hash(std::string_view password) const {
  if (password.size() > kMaxPasswordBytes) {
    return make_error(Errc::invalid_input, "password is longer than 4096 bytes");
  }
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), opslimit_, memlimit_,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return make_error(Errc::internal, "password hashing failed (out of memory?)");
  }
  return std::string(out.data());
}

bool SodiumPasswordHasher::verify(std::string_view encoded, std::string_view password) const {
  if (password.size() > kMaxPasswordBytes || encoded.size() >= crypto_pwhash_STRBYTES) {
    return false;
  }
  // libsodium wants a NUL-terminated string; a view may not be one.
  std::array<char, crypto_pwhash_STRBYTES> buf{};
  encoded.copy(buf.data(), encoded.size());
  return crypto_pwhash_str_verify(buf.data(), password.data(), password.size()) == 0;
}

bool SodiumPasswordHasher::needs_rehash(std::string_view encoded) const {
  if (encoded.size() >= crypto_pwhash_STRBYTES) return true;
  std::array<char, crypto_pwhash_STRBYTES> buf{};
  encoded.copy(buf.data(), encoded.size());
  // Returns 1 for other parameters, -1 for another algorithm or garbage, 0 for a match.
  return crypto_pwhash_argon2id_str_needs_rehash(buf.data(), opslimit_, memlimit_) != 0;
}

}  // namespace ccteams
