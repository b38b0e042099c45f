#pragma once
// Errors as Microsoft Graph and Entra report them. The project's Errc cannot carry Graph's
// own codes ("Request_UnsupportedQuery", "InvalidAuthenticationToken"...), and clients branch
// on exactly those codes, so the emulator keeps them verbatim in its own small error value.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace ccteams::emulator {

struct GraphError {
  int status = 400;
  std::string code;     // Graph error code, e.g. "Request_BadRequest"
  std::string message;  // Graph's message text (documented text where the docs give one)
  int retry_after_seconds = 0;  // > 0 adds Retry-After (429, 503)
};

inline GraphError graph_error(int status, std::string code, std::string message) {
  return GraphError{status, std::move(code), std::move(message), 0};
}

// A value or a GraphError; the same shape as ccteams::Result so it reads the same way. The
// emulator is Microsoft's side and shares no code with core/ (docs/architecture.md), so it keeps
// its own small template rather than core's Result<T, E>.
template <class T>
class [[nodiscard]] GraphResult {
 public:
  GraphResult(T value) : v_(std::in_place_index<0>, std::move(value)) {}            // NOLINT
  GraphResult(GraphError error) : v_(std::in_place_index<1>, std::move(error)) {}   // NOLINT
  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const GraphError& error() const { assert(!has_value()); return std::get<1>(v_); }

 private:
  std::variant<T, GraphError> v_;
};

struct Done {};  // GraphResult<Done> for operations with no value

}  // namespace ccteams::emulator
