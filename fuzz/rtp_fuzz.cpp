// libFuzzer target: RTP and RFC 4733 payload parsing on arbitrary bytes, under ASan + UBSan
// (scripts/fuzz.sh). A packet that parses rebuilds to the same bytes (padding aside).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "core/sip/g711.hpp"
#include "core/sip/rtp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ccteams::sip;
  const std::span<const std::uint8_t> bytes(data, size);
  auto packet = parse_rtp(bytes);
  if (!packet) return 0;
  const auto rebuilt = build_rtp(packet->header, packet->payload);
  auto again = parse_rtp(rebuilt);
  if (!again || !(again->header == packet->header) ||
      !std::equal(again->payload.begin(), again->payload.end(), packet->payload.begin(),
                  packet->payload.end())) {
    std::abort();
  }
  if (auto event = parse_telephone_event(packet->payload)) {
    if (!(build_telephone_event(*event)[0] == event->event)) std::abort();
  }
  std::vector<std::int16_t> pcm;
  decode_ulaw(packet->payload, pcm);
  decode_alaw(packet->payload, pcm);
  return 0;
}
