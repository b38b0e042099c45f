// Machine-readable codes for the English sentences the connector, its audit log, sync accounts
// and presence sync show an admin (docs/api.md "Message codes"). The sentences are stored as
// text (a connector's last error, an audit entry's detail, a sync account's failure reason), so
// the code is recognised from the words when the JSON is written: one table here, beside no
// other copy. The console renders a known code in its own language and falls back to the
// English for an unknown one (web/js/server-text.js); nothing is lost when a sentence changes
// wording and stops matching, it is only shown in English.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccteams::http {

struct MessageCode {
  std::string code;                                         // e.g. "connector.not_admin"
  std::vector<std::pair<std::string, std::string>> params;  // the sentence's variable parts
  std::vector<std::optional<MessageCode>> parts;  // sentences inside it (audit details), in order
};

// The code of an English sentence; nullopt when it is not one we know (or longer than any we
// write, 2,048 bytes).
std::optional<MessageCode> message_code(std::string_view english);

// {"code", "params", "parts"?} or null (docs/api.md's MessageCode).
boost::json::value message_code_json(std::string_view english);
boost::json::value message_code_json(const std::optional<MessageCode>& code);

}  // namespace ccteams::http
