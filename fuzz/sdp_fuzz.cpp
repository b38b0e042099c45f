// libFuzzer target: the SDP parser and offer/answer on arbitrary bytes, under ASan + UBSan
// (scripts/fuzz.sh). A description that parses formats to text that parses back the same; an
// offer that is answered gives an answer that parses and that accept_answer reads.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/sip/offer_answer.hpp"
#include "core/sip/sdp.hpp"

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ccteams::sip;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto sdp = parse_sdp(text);
  if (!sdp) return 0;
  auto again = parse_sdp(format_sdp(*sdp));
  check(again.has_value() && *again == *sdp);
  const MediaConfig local{.address = "127.0.0.1", .port = 20000};
  for (const auto wanted : {Direction::sendrecv, Direction::sendonly}) {
    auto answer = answer_offer(*sdp, local, SdpOrigin{"-", 1, 1, "IP4", "127.0.0.1"}, wanted);
    if (!answer) continue;
    auto parsed = parse_sdp(format_sdp(answer->sdp));
    check(parsed.has_value() && parsed->media.size() == sdp->media.size());
  }
  (void)accept_answer(make_offer(local, SdpOrigin{"-", 1, 1, "IP4", "127.0.0.1"}), *sdp);
  return 0;
}
