// libFuzzer target: every Graph and Entra decoder the service uses, through graph_decode (the
// engine of `ccteams graph decode`), under ASan + UBSan (scripts/fuzz.sh). The first byte picks
// the kind (users, delta, presence, presences, notifications, lifecycle, subscription(s), token,
// token-error, error), the second an HTTP status (0: none); the rest is the payload. Whatever
// the input, decoding answers a result or a clear error, and a result is valid JSON.

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "adapters/graph/graph_decode.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const auto& kinds = ccteams::graph::graph_decode_kinds();
  const std::string_view kind = kinds[data[0] % kinds.size()];
  std::optional<int> status;
  if (data[1] != 0) status = 200 + data[1] % 400;
  const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);
  auto decoded = ccteams::graph::graph_decode(kind, text, status);
  if (decoded) {
    boost::system::error_code ec;
    (void)boost::json::parse(*decoded, ec);
    if (ec) std::abort();  // the decoder's own output must be JSON
  } else if (decoded.error().message.empty()) {
    std::abort();  // an error always says what was wrong
  }
  return 0;
}
