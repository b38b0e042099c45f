#pragma once
// Path-aware JSON field readers for the Graph decoders. Every error names WHERE (a JSON path
// such as "value[3].availability") and WHY ("expected a string"), so an operator can tell why a
// payload was refused. Absent and null are the same for optional fields (Graph sends null for
// unset values). Unknown fields are ignored by construction: readers only look up what they need.
// Errors are Errc::invalid_input. Pure functions; thread-safe.

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams::graph {

// Propagates an Error from a Result-returning expression, else binds its value to `var`.
#define CCTEAMS_GRAPH_TRY(var, expr)                           \
  auto var##_result = (expr);                                  \
  if (!var##_result) return std::move(var##_result).error();   \
  auto var = std::move(*var##_result)

// "a.b", "value[3]"; the root path is "".
std::string json_path(std::string_view parent, std::string_view key);
std::string json_path(std::string_view parent, std::size_t index);

// Parses a whole document. Errors name the byte offset where parsing stopped.
Result<boost::json::value> parse_document(std::string_view text);

// `path: why` as an invalid_input Error; path "" reads as "(root)".
Error json_error(std::string_view path, std::string_view why);

Result<const boost::json::object*> as_object(const boost::json::value& v, std::string_view path);

Result<std::string> required_string(const boost::json::object& o, std::string_view key,
                                    std::string_view path);
Result<std::optional<std::string>> optional_string(const boost::json::object& o,
                                                   std::string_view key, std::string_view path);
Result<std::optional<bool>> optional_bool(const boost::json::object& o, std::string_view key,
                                          std::string_view path);
Result<std::optional<std::int64_t>> optional_int(const boost::json::object& o,
                                                 std::string_view key, std::string_view path);
Result<std::optional<Timestamp>> optional_time(const boost::json::object& o,
                                               std::string_view key, std::string_view path);
// null or absent -> empty vector; every element must be a string.
Result<std::vector<std::string>> string_array(const boost::json::object& o, std::string_view key,
                                              std::string_view path);
// The array at key; absent or null is an error ("expected an array").
Result<const boost::json::array*> required_array(const boost::json::object& o,
                                                 std::string_view key, std::string_view path);
// The object at key, or nullptr when absent or null.
Result<const boost::json::object*> optional_object(const boost::json::object& o,
                                                   std::string_view key, std::string_view path);

}  // namespace ccteams::graph
