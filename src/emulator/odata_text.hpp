#pragma once
// Small text helpers shared by the OData parser files (internal to emulator/odata*.cpp).

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/graph_error.hpp"

namespace ccteams::emulator::odata_text {

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

inline bool ieq(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

inline bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && ieq(text.substr(0, prefix.size()), prefix);
}

// The schema's spelling of a property name (Graph matches names case-insensitively).
inline std::optional<std::string> known(const std::vector<std::string>& names, std::string_view name) {
  for (const auto& n : names) {
    if (ieq(n, name)) return n;
  }
  return std::nullopt;
}

inline GraphError bad_request(std::string message) {
  return graph_error(400, "Request_BadRequest", std::move(message));
}
inline GraphError unsupported(std::string message) {
  return graph_error(400, "Request_UnsupportedQuery", std::move(message));
}

}  // namespace ccteams::emulator::odata_text
