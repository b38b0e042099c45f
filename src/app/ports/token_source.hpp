#pragma once
#include <string>
#include <string_view>

namespace ccteams {

// Unguessable tokens and their one-way digests (sign-in sessions, CSRF, OAuth state).
// Thread-safety: both calls may run concurrently from any thread.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // A fresh random token of at least 256 bits, URL-safe text.
  virtual std::string new_token() const = 0;
  // A stable one-way digest of token (hex), for storing instead of the token itself.
  virtual std::string digest(std::string_view token) const = 0;
  // Constant-time comparison, so that a mismatch position cannot be timed.
  virtual bool equals(std::string_view a, std::string_view b) const = 0;
};

}  // namespace ccteams
