#include "adapters/graph/json_reader.hpp"

#include <boost/json.hpp>

namespace ccteams::graph {

namespace json = boost::json;

namespace {

std::string_view kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "a value";
}

Error type_error(std::string_view path, std::string_view expected, const json::value& got) {
  return json_error(path, "expected " + std::string(expected) + ", got " +
                              std::string(kind_name(got)));
}

// nullptr when absent or null: Graph uses both for "no value".
const json::value* present(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return (v == nullptr || v->is_null()) ? nullptr : v;
}

}  // namespace

std::string json_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

std::string json_path(std::string_view parent, std::size_t index) {
  std::string out(parent);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

Error json_error(std::string_view path, std::string_view why) {
  std::string text = path.empty() ? std::string("(root)") : std::string(path);
  text += ": ";
  text += why;
  return make_error(Errc::invalid_input, std::move(text));
}

Result<json::value> parse_document(std::string_view text) {
  json::stream_parser parser;
  json::error_code ec;
  // write() (unlike json::parse) reports how far it got, which the error message names.
  const std::size_t used = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    return make_error(Errc::invalid_input, "not valid JSON at byte " + std::to_string(used) +
                                               ": " + ec.message());
  }
  return parser.release();
}

Result<const json::object*> as_object(const json::value& v, std::string_view path) {
  if (!v.is_object()) return type_error(path, "an object", v);
  return &v.as_object();
}

Result<std::string> required_string(const json::object& o, std::string_view key,
                                    std::string_view path) {
  const auto* v = o.if_contains(key);
  const auto where = json_path(path, key);
  if (v == nullptr) return json_error(where, "missing");
  if (!v->is_string()) return type_error(where, "a string", *v);
  return std::string(v->as_string());
}

Result<std::optional<std::string>> optional_string(const json::object& o, std::string_view key,
                                                   std::string_view path) {
  const auto* v = present(o, key);
  if (v == nullptr) return std::optional<std::string>{};
  if (!v->is_string()) return type_error(json_path(path, key), "a string", *v);
  return std::optional<std::string>{std::string(v->as_string())};
}

Result<std::optional<bool>> optional_bool(const json::object& o, std::string_view key,
                                          std::string_view path) {
  const auto* v = present(o, key);
  if (v == nullptr) return std::optional<bool>{};
  if (!v->is_bool()) return type_error(json_path(path, key), "true or false", *v);
  return std::optional<bool>{v->as_bool()};
}

Result<std::optional<std::int64_t>> optional_int(const json::object& o, std::string_view key,
                                                 std::string_view path) {
  const auto* v = present(o, key);
  if (v == nullptr) return std::optional<std::int64_t>{};
  if (v->is_int64()) return std::optional<std::int64_t>{v->as_int64()};
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return std::optional<std::int64_t>{static_cast<std::int64_t>(v->as_uint64())};
  }
  // Some token endpoints (v1 and older proxies) send numbers as strings: "3599".
  if (v->is_string()) {
    const auto s = v->as_string();
    std::int64_t n = 0;
    bool digits = !s.empty() && s.size() <= 18;
    for (char c : s) {
      if (c < '0' || c > '9') {
        digits = false;
        break;
      }
      n = n * 10 + (c - '0');
    }
    if (digits) return std::optional<std::int64_t>{n};
  }
  return type_error(json_path(path, key), "an integer", *v);
}

Result<std::optional<Timestamp>> optional_time(const json::object& o, std::string_view key,
                                               std::string_view path) {
  const auto* v = present(o, key);
  if (v == nullptr) return std::optional<Timestamp>{};
  const auto where = json_path(path, key);
  if (!v->is_string()) return type_error(where, "an ISO-8601 date-time string", *v);
  auto t = parse_iso8601(v->as_string());
  if (!t) {
    return json_error(where, "not an ISO-8601 date-time: \"" + std::string(v->as_string()) + "\"");
  }
  return std::optional<Timestamp>{*t};
}

Result<std::vector<std::string>> string_array(const json::object& o, std::string_view key,
                                              std::string_view path) {
  std::vector<std::string> out;
  const auto* v = present(o, key);
  if (v == nullptr) return out;
  const auto where = json_path(path, key);
  if (!v->is_array()) return type_error(where, "an array", *v);
  const auto& a = v->as_array();
  out.reserve(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string()) return type_error(json_path(where, i), "a string", a[i]);
    out.emplace_back(a[i].as_string());
  }
  return out;
}

Result<const json::array*> required_array(const json::object& o, std::string_view key,
                                          std::string_view path) {
  const auto* v = o.if_contains(key);
  const auto where = json_path(path, key);
  if (v == nullptr) return json_error(where, "missing");
  if (!v->is_array()) return type_error(where, "an array", *v);
  return &v->as_array();
}

Result<const json::object*> optional_object(const json::object& o, std::string_view key,
                                            std::string_view path) {
  const auto* v = present(o, key);
  if (v == nullptr) return static_cast<const json::object*>(nullptr);
  if (!v->is_object()) return type_error(json_path(path, key), "an object", *v);
  return &v->as_object();
}

}  // namespace ccteams::graph
