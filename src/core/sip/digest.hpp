#pragma once
// SIP digest authentication (RFC 3261 §22, RFC 2617 with qop=auth, MD5 only): the challenge a
// registrar sends (WWW-Authenticate, or Proxy-Authenticate from a trunk), the credentials a UA
// answers with (Authorization / Proxy-Authorization), and the response both compute. Nonce
// issue, lifetime and nc replay checks belong to the registrar that keeps state (to come).

#include <cstdint>
#include <string>
#include <string_view>

#include "core/sip/sip_error.hpp"

namespace ccteams::sip {

struct DigestChallenge {
  std::string realm;
  std::string nonce;
  std::string opaque;    // "" when absent
  bool qop_auth = true;  // qop="auth" offered (RFC 3261 §22.4: servers MUST send qop)
  bool stale = false;    // the digest was right but the nonce expired: retry without asking
  friend bool operator==(const DigestChallenge&, const DigestChallenge&) = default;
};
// The header value: Digest realm="...", nonce="...", [opaque="...",] algorithm=MD5,
// qop="auth"[, stale=TRUE].
std::string format_challenge(const DigestChallenge& challenge);
// Errors (400): not the Digest scheme, malformed parameters, no realm or nonce, an algorithm
// other than MD5 (a client picks the first challenge it can answer, RFC 8760 §2.4), qop
// offered without "auth".
SipResult<DigestChallenge> parse_challenge(std::string_view value);

struct DigestCredentials {
  std::string username;
  std::string realm;
  std::string nonce;
  std::string uri;  // the digest-uri: the request's Request-URI as the client wrote it
  std::string response;
  std::string cnonce;  // qop=auth only
  std::string opaque;
  std::string qop;  // "auth", or "" for RFC 2069 compatibility
  std::string nc;   // 8 hex digits, qop=auth only
  friend bool operator==(const DigestCredentials&, const DigestCredentials&) = default;
};
std::string format_credentials(const DigestCredentials& credentials);
// Errors (400): not Digest, malformed or repeated parameters, a missing username, realm, nonce,
// uri or response, a response that is not 32 hex digits, qop other than auth, qop=auth without
// cnonce or an 8-hex-digit nc, an algorithm other than MD5.
SipResult<DigestCredentials> parse_credentials(std::string_view value);

// H(A1) = MD5(username:realm:password), what a registrar stores instead of the password.
std::string digest_ha1(std::string_view username, std::string_view realm,
                       std::string_view password);
// RFC 2617 §3.2.2.1: MD5(HA1:nonce:nc:cnonce:qop:HA2) with qop, MD5(HA1:nonce:HA2) without;
// HA2 = MD5(method:uri).
std::string digest_response(std::string_view ha1, std::string_view nonce, std::string_view nc,
                            std::string_view cnonce, std::string_view qop, std::string_view method,
                            std::string_view uri);
// The credentials a client sends for `challenge` (qop=auth when offered), request number nc.
DigestCredentials answer_challenge(const DigestChallenge& challenge, std::string_view username,
                                   std::string_view password, std::string_view method,
                                   std::string_view uri, std::string_view cnonce, std::uint32_t nc);
// Whether the credentials' response is right for ha1 and the request's method, compared in
// constant time. It does not judge the nonce (fresh, ours, nc increasing) or that realm and
// uri are the expected ones: the registrar does.
bool verify_digest(const DigestCredentials& credentials, std::string_view ha1,
                   std::string_view method);

}  // namespace ccteams::sip
