#pragma once
#include "app/ports/token_source.hpp"

namespace ccteams {

// TokenSource on OpenSSL: 32 random bytes (base64url) and SHA-256 digests.
class CryptoTokenSource final : public TokenSource {
 public:
  std::string new_token() const override;
  std::string digest(std::string_view token) const override;
  bool equals(std::string_view a, std::string_view b) const override;
};

}  // namespace ccteams
