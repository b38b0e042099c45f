#pragma once
// SIP messages from the wire (RFC 3261 §7, §18.3). Pure functions over bytes: any input, however
// hostile, gives a message or a SipParseError naming the answer (never UB; fuzz/sip_fuzz.cpp).

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/sip/sip_error.hpp"
#include "core/sip/sip_message.hpp"

namespace ccteams::sip {

// Larger messages are refused with 513 before anything is parsed.
inline constexpr std::size_t kMaxMessageBytes = 65535;
// A message with more header values is refused (400): an unbounded header list is the cheapest
// denial of service after an unbounded size.
inline constexpr std::size_t kMaxHeaders = 256;

struct ParseOptions {
  // A stream transport (TCP, TLS) frames by Content-Length, so it is required there
  // (RFC 3261 §18.3); a datagram without one has the rest of the datagram as its body.
  bool stream = false;
  std::size_t max_bytes = kMaxMessageBytes;
};

// Both steps below: a message whose structure and required headers are sound.
SipResult<SipMessage> parse_sip_message(std::string_view data, ParseOptions options = {});

// Step 1, the structure: start line, headers (unfolded, compact names made long, list headers
// split), body by Content-Length. Errors: 513 over max_bytes, 505 for another SIP version, 400.
SipResult<SipMessage> parse_sip_structure(std::string_view data, ParseOptions options = {});

// Step 2, the headers every request or response needs (RFC 3261 §8.1.1, §8.2): a parsable top
// Via, From, To, Call-ID, CSeq (its method the request's), Max-Forwards 0-255 when present; a
// request's URI with a scheme (a sip/sips URI must parse; tel: is accepted; any other scheme
// gives 416). A transport that got a request failing this step can still answer it with the
// error when its Via, From, To, Call-ID and CSeq were readable.
SipResult<void> validate_sip_message(const SipMessage& message);

// Only the start line and headers of the message at the start of `data` (after any CRLF
// keep-alives); no body is read and Content-Length is not checked against one. For a stream
// that frame_stream_message refused: the request's Via, From, To, Call-ID and CSeq still let
// the transport answer it with the framing error before it closes the connection (§18.3).
SipResult<SipMessage> parse_sip_head(std::string_view data,
                                     std::size_t max_bytes = kMaxMessageBytes);

// Stream framing: where the first message in `buffer` ends. `skip` counts the CRLF keep-alives
// before it (RFC 5626 §3.5.1), `length` the message itself with its body. nullopt while more
// bytes are needed; an error (400 missing or bad Content-Length, 513 too large) when the stream
// can no longer be framed and must be closed.
struct StreamFrame {
  std::size_t skip = 0;
  std::size_t length = 0;
};
SipResult<std::optional<StreamFrame>> frame_stream_message(
    std::string_view buffer, std::size_t max_bytes = kMaxMessageBytes);

}  // namespace ccteams::sip
