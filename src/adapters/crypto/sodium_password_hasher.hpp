#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "app/ports/password_hasher.hpp"

namespace ccteams {

enum class PasswordStrength {
  interactive,  // libsodium's INTERACTIVE limits (64 MiB, 2 passes): sign-in of people
  moderate,     // MODERATE limits (256 MiB, 3 passes): slower, for few high-value accounts
  minimum,      // the MIN limits (8 KiB, 1 pass): only for tests and the demo, where speed matters
};

// Argon2id (libsodium crypto_pwhash_str_alg, ALG_ARGON2ID13). The encoded hash is the PHC string
// "$argon2id$v=19$m=...,t=...,p=1$salt$hash": parameters travel with it, so hashes made with
// another strength still verify.
class SodiumPasswordHasher final : public PasswordHasher {
 public:
  using Strength = PasswordStrength;
  // Thread-safety of the object: hash and verify may run concurrently (no mutable state).
  explicit SodiumPasswordHasher(PasswordStrength strength = PasswordStrength::interactive);

  // PasswordHasher
  // Errors: invalid_input when the password is longer than 4096 bytes (bounds the work an
  // attacker can ask for); internal when libsodium fails (typically out of memory).
  Result<std::string> hash(std::string_view password) const override;
  bool verify(std::string_view encoded, std::string_view password) const override;

  // True when encoded was made with other parameters or another algorithm than this hasher
  // uses (or cannot be read): the caller should store a fresh hash after a successful sign-in.
  bool needs_rehash(std::string_view encoded) const;

 private:
  unsigned long long opslimit_ = 0;
  std::size_t memlimit_ = 0;
};

}  // namespace ccteams
