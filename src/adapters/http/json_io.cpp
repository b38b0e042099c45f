#include "adapters/http/json_io.hpp"

#include <boost/json.hpp>

namespace ccteams::http {

namespace json = boost::json;

Result<json::object> parse_json_object(const Request& req) {
  if (auto r = require_json_body(req); !r) return std::move(r).error();
  json::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec) {
    return make_error(Errc::invalid_input, "request body is not valid JSON: " + ec.message());
  }
  if (!v.is_object()) return make_error(Errc::invalid_input, "request body must be a JSON object");
  return std::move(v.as_object());
}

Response json_response(int status, const json::value& body) {
  return text_response(status, "application/json", json::serialize(body));
}

Result<std::string> required_string(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    return make_error(Errc::invalid_input, "field '" + std::string(key) + "' is required");
  }
  if (!v->is_string()) {
    return make_error(Errc::invalid_input, "field '" + std::string(key) + "' must be a string");
  }
  return std::string(v->as_string());
}

Result<std::optional<std::string>> optional_string(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) {
    return make_error(Errc::invalid_input, "field '" + std::string(key) + "' must be a string");
  }
  return std::optional<std::string>{std::string(v->as_string())};
}

Result<std::optional<bool>> optional_bool(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<bool>{};
  if (!v->is_bool()) {
    return make_error(Errc::invalid_input, "field '" + std::string(key) + "' must be true or false");
  }
  return std::optional<bool>{v->as_bool()};
}

Result<std::optional<std::int64_t>> optional_int(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::int64_t>{};
  if (v->is_int64()) return std::optional<std::int64_t>{v->as_int64()};
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return std::optional<std::int64_t>{static_cast<std::int64_t>(v->as_uint64())};
  }
  return make_error(Errc::invalid_input, "field '" + std::string(key) + "' must be an integer");
}

}  // namespace ccteams::http
