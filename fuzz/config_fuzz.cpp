// libFuzzer target: the configuration reader (`ccteams.toml`) on arbitrary text, under ASan +
// UBSan (scripts/fuzz.sh). Whatever the file says, reading it gives a configuration or an error
// that names what is wrong; it never crashes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cli/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = ccteams::cli::parse_config(text, "fuzz.toml");
  if (!config && config.error().message.empty()) std::abort();
  return 0;
}
