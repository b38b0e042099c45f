#pragma once
// Why a SIP (or SDP) text was refused, as the SIP answer it calls for (RFC 3261 §21.4): a
// transport answers a request it could not accept with `status` and `reason` as the reason
// phrase. A typed error (core/result.hpp allows one a caller branches on): 400, 416, 505 and 513
// lead to different answers.

#include <string>
#include <utility>

#include "core/result.hpp"

namespace ccteams::sip {

struct SipParseError {
  int status = 400;    // 400 Bad Request, 416 Unsupported URI Scheme, 505, 513 Message Too Large
  std::string reason;  // a reason phrase naming the fault: "Bad Request (missing Call-ID)"

  Error to_error() const {
    return make_error(status == 513 ? Errc::payload_too_large : Errc::invalid_input, reason);
  }
  friend bool operator==(const SipParseError&, const SipParseError&) = default;
};

// 400 with "Bad Request (<what>)" as the reason phrase.
inline SipParseError bad_request(std::string what) {
  return SipParseError{400, "Bad Request (" + std::move(what) + ")"};
}

template <class T>
using SipResult = Result<T, SipParseError>;

}  // namespace ccteams::sip
