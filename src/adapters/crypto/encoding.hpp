#pragma once
// Small encoding and hashing helpers on OpenSSL: base64 (standard and URL alphabets), hex,
// random tokens, SHA-256, HMAC-SHA256, constant-time comparison.
// Thread-safety: every function may be called concurrently.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ccteams {

enum class Base64Alphabet { standard, url };  // RFC 4648 §4 ('+', '/') and §5 ('-', '_')

// Encodes bytes; padding ('=') is written only when pad is true.
std::string base64_encode(std::string_view bytes,
                          Base64Alphabet alphabet = Base64Alphabet::standard, bool pad = true);
// Decodes text in the given alphabet; padding is optional but, when present, must be correct.
// nullopt for any character outside the alphabet (whitespace included), a wrong length, or
// non-zero trailing bits.
std::optional<std::string> base64_decode(std::string_view text,
                                         Base64Alphabet alphabet = Base64Alphabet::standard);

std::string hex_encode(std::string_view bytes);  // lower-case
// Accepts upper and lower case; nullopt for an odd length or a non-hex character.
std::optional<std::string> hex_decode(std::string_view text);

// bytes fresh random bytes (RAND_bytes) as unpadded base64url. Aborts if the system cannot
// provide randomness: continuing with a guessable token would be worse.
std::string random_token(std::size_t bytes);
// bytes fresh random bytes; aborts like random_token.
std::string random_bytes(std::size_t bytes);

std::string sha256_hex(std::string_view data);  // 64 lower-case hex characters
// HMAC-SHA256 (RFC 2104) of data under key: 32 raw bytes; nullopt when OpenSSL cannot
// compute it (its error queue is cleared).
std::optional<std::string> hmac_sha256(std::string_view key, std::string_view data);

// True when a and b are equal. The time depends only on the lengths, not on where the
// contents differ (CRYPTO_memcmp); different lengths compare unequal.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace ccteams
