#pragma once
// Reading a strong id from a route parameter such as "/api/v1/queues/{id}".

#include <charconv>
#include <string>
#include <string_view>

#include "adapters/http/http_types.hpp"

namespace ccteams::http {

// not_found "no such <what>" unless the parameter is a positive integer: a malformed id cannot
// name anything of the caller's organisation, so it gets the same answer as an unknown one.
template <class Id>
Result<Id> path_id(const Request& req, std::string_view what, std::string_view param = "id") {
  const auto text = req.path_param(param);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v <= 0) {
    return make_error(Errc::not_found, "no such " + std::string(what));
  }
  return Id{v};
}

}  // namespace ccteams::http
