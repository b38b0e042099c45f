#pragma once
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ccteams {

// Slow, salted password hashing (Argon2id in production).
// Thread-safety: both calls may run concurrently from any thread.
class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;
  // The encoded hash (algorithm, parameters, salt and digest in one string).
  virtual Result<std::string> hash(std::string_view password) const = 0;
  // True when password matches encoded; false for a mismatch or an unreadable encoding.
  virtual bool verify(std::string_view encoded, std::string_view password) const = 0;
};

}  // namespace ccteams
