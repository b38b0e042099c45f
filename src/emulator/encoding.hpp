#pragma once
// Byte encodings and digests the emulator needs for tokens (its own, shared with nobody:
// see DESIGN.md on why the emulator shares no protocol code with the client side).

#include <optional>
#include <string>
#include <string_view>

namespace ccteams::emulator {

std::string base64url_encode(std::string_view bytes);           // no padding
std::optional<std::string> base64url_decode(std::string_view text);  // padding optional
std::string base64_encode(std::string_view bytes);              // standard, padded
// Standard alphabet, as clients send certificates: padding optional but, when present, right;
// nullopt for any other character (whitespace included), a wrong length or non-zero spare bits.
std::optional<std::string> base64_decode(std::string_view text);
std::string hex_encode(std::string_view bytes);                 // lower-case
std::string sha256(std::string_view bytes);                     // raw 32 bytes
std::string sha1(std::string_view bytes);                       // raw 20 bytes
// A GUID-shaped id derived from text (its SHA-256): stable object ids for generated objects.
std::string guid_from(std::string_view text);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
// Constant-time comparison: token checks must not leak how much of a MAC matched.
bool constant_time_equal(std::string_view a, std::string_view b);
// n random bytes from OpenSSL's CSPRNG (secrets, codes, refresh tokens).
std::string random_bytes(std::size_t n);

}  // namespace ccteams::emulator
