// libFuzzer target: the SIP parser, stream framing and every structured header parser, on
// arbitrary bytes, under ASan + UBSan (scripts/fuzz.sh). Invariants checked besides "no UB":
// a message that parses serialises to text that parses back to the same message, framing
// agrees with parsing on where a stream message ends, and the head alone (what a transport
// reads of a stream it cannot frame) parses whenever the whole message does.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/sip/digest.hpp"
#include "core/sip/sip_headers.hpp"
#include "core/sip/sip_parser.hpp"

namespace {

using namespace ccteams::sip;

void check(bool ok) {
  if (!ok) std::abort();
}

void read_headers(const SipMessage& m) {
  for (const auto& h : m.headers) {
    if (h.name == "Via") {
      if (auto via = parse_via(h.value)) {
        check(parse_via(format_via(*via)).has_value());
        (void)udp_response_target(*via);
        stamp_received(*via, "192.0.2.1", 5060);
      }
    } else if (h.name == "From" || h.name == "To" || h.name == "Contact" || h.name == "Route" ||
               h.name == "Record-Route") {
      if (auto a = parse_name_addr(h.value)) {
        (void)parse_sip_uri(a->uri);
      }
    } else if (h.name == "CSeq") {
      (void)parse_cseq(h.value);
    } else if (h.name == "Authorization" || h.name == "Proxy-Authorization") {
      if (auto c = parse_credentials(h.value)) (void)verify_digest(*c, "00", "INVITE");
    } else if (h.name == "WWW-Authenticate" || h.name == "Proxy-Authenticate") {
      (void)parse_challenge(h.value);
    }
  }
  if (m.is_request) (void)parse_sip_uri(m.request_uri);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const bool stream : {false, true}) {
    auto m = parse_sip_structure(text, {.stream = stream});
    if (!m) continue;
    auto head = parse_sip_head(text);
    check(head.has_value() && head->headers == m->headers);
    (void)validate_sip_message(*m);
    read_headers(*m);
    const std::string wire = serialize(*m);
    auto again = parse_sip_structure(wire, {.stream = true});
    check(again.has_value());
    // serialize() writes Content-Length from the body, and a default reason phrase.
    m->remove_header("Content-Length");
    again->remove_header("Content-Length");
    if (!m->is_request && m->reason.empty()) again->reason.clear();
    check(*again == *m);
  }
  auto frame = frame_stream_message(text);
  if (!frame) {
    // What the TCP transport does with a stream it cannot frame: read the head to answer.
    if (auto head = parse_sip_head(text)) (void)validate_sip_message(*head);
  }
  if (frame && *frame) {
    const auto [skip, length] = **frame;
    check(skip + length <= text.size());
    check(parse_sip_structure(text.substr(skip, length), {.stream = true}).has_value());
  }
  return 0;
}
