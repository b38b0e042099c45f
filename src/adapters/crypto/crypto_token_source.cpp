#include "adapters/crypto/crypto_token_source.hpp"

#include "adapters/crypto/encoding.hpp"

namespace ccteams {

std::string CryptoTokenSource::new_token() const { return random_token(32); }

std::string CryptoTokenSource::digest(std::string_view token) const { return sha256_hex(token); }

bool CryptoTokenSource::equals(std::string_view a, std::string_view b) const {
  return constant_time_equals(a, b);
}

}  // namespace ccteams
