#pragma once
// The engine of `ccteams graph decode --as KIND FILE`: reads a Graph or Entra payload through
// the same decoders the service uses (graph_json.hpp) and returns, as JSON text, everything that
// was understood: every id, state, link, code and time. It answers an operator's "why did this
// notification not apply?" without a debugger.
//
// Secrets are never echoed: access, refresh and id tokens and validation tokens appear as
// "<redacted: N chars>". Times are normalised to "YYYY-MM-DDTHH:MM:SS.mmmZ".
// Pure function; thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace ccteams::graph {

// The accepted KIND names, in help order: users, delta, presence, presences, notifications,
// lifecycle, subscription, subscriptions, token, token-error, error.
const std::vector<std::string_view>& graph_decode_kinds();

// Decodes `text` as `kind`; `http_status`, when given, is used to classify token-error and
// error payloads (e.g. 429 -> throttled) the way the client would.
// Result: pretty JSON text ending in a newline, {"kind": KIND, ...}.
// Errors (invalid_input): an unknown kind (the message lists the valid ones), or the payload
// cannot be read: the message names the kind, the JSON path and the reason, e.g.
// "presences: value[3].availability: expected a string, got null".
Result<std::string> graph_decode(std::string_view kind, std::string_view text,
                                 std::optional<int> http_status = std::nullopt);

}  // namespace ccteams::graph
