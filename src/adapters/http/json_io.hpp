#pragma once
// JSON request and response bodies. Boost.JSON stays here, out of http_types.hpp.

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/http/http_types.hpp"
#include "core/result.hpp"

namespace ccteams::http {

// The body as a JSON object. Errors: unsupported_media_type when a body comes without
// Content-Type: application/json; invalid_input when it is not JSON or not an object.
Result<boost::json::object> parse_json_object(const Request& req);
Response json_response(int status, const boost::json::value& body);

// Field readers for request objects; each error names the field.
Result<std::string> required_string(const boost::json::object& o, std::string_view key);
Result<std::optional<std::string>> optional_string(const boost::json::object& o,
                                                   std::string_view key);
Result<std::optional<bool>> optional_bool(const boost::json::object& o, std::string_view key);
Result<std::optional<std::int64_t>> optional_int(const boost::json::object& o,
                                                 std::string_view key);

}  // namespace ccteams::http
