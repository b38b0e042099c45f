#pragma once
// The random values SIP and SDP need from a user agent, drawn with OpenSSL's RAND_bytes.

#include <cstdint>
#include <string>

#include "core/sip/sdp.hpp"

namespace ccteams::sip {

// 16 hex digits (64 bits): tags, which must be cryptographically random with at least 32 bits
// (RFC 3261 §19.3), branches after the magic cookie, Call-IDs.
std::string random_tag();
// An SDP session id: 62 random bits (it only has to be unique, RFC 4566 §5.2).
std::uint64_t random_session_id();
// Our SDP origin for a new session at `address` (IP4, or IP6 when it holds a colon): a random
// session id, the version starting at the same number.
SdpOrigin new_sdp_origin(const std::string& address);

}  // namespace ccteams::sip
