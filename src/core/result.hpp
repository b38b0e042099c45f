#pragma once
// The one error type of ccteams (STYLE.md §4): expected failures are values, bugs are asserts.
// Exactly one function (adapters/http/error_mapping.cpp) turns an Errc into an HTTP status.

#include <cassert>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace ccteams {

enum class Errc {
  invalid_input,      // 400: the caller sent something we cannot accept
  unauthenticated,    // 401: no or bad credentials
  forbidden,          // 403: authenticated, but the role does not allow it
  not_found,          // 404: absent, or belongs to another organisation
  conflict,           // 409: the current state forbids it
  payload_too_large,  // 413: body over the limit
  // 415: a body in a format the endpoint does not take (e.g. not application/json)
  unsupported_media_type,
  rate_limited,       // 429: slow down (see Error::retry_after_seconds)
  unavailable,        // 503: a dependency is down or we are shutting down
  internal,           // 500: a bug or an unexpected library failure
};

// The machine-readable code used in API error bodies, e.g. "invalid_input".
std::string_view errc_name(Errc code);

struct Error {
  Errc code = Errc::internal;
  std::string message;          // a sentence a human can act on; never contains secrets
  int retry_after_seconds = 0;  // > 0 only for rate_limited / unavailable
};

inline Error make_error(Errc code, std::string message, int retry_after_seconds = 0) {
  return Error{code, std::move(message), retry_after_seconds};
}

// Result<T, E> holds a T or an E (core Error unless a caller needs a typed error it branches
// on: Graph's GraphError, the rich-notification checks' refusals). The one result template of
// ccteams: a minimal stand-in for std::expected (C++23), whose interface it follows so that the
// switch is a rename: has_value, value, error, operator*. to_result() passes a typed error on
// as core Error (E provides `Error to_error() const`).
template <class T, class E = Error>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cvref_t<T>, E>, "Result<E, E> is ambiguous");

 public:
  using value_type = T;
  using error_type = E;
  Result(const T& value) : v_(std::in_place_index<0>, value) {}         // NOLINT: implicit
  Result(T&& value) : v_(std::in_place_index<0>, std::move(value)) {}   // NOLINT: implicit
  Result(E error) : v_(std::in_place_index<1>, std::move(error)) {}     // NOLINT: implicit
  template <class U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
             !std::is_same_v<std::remove_cvref_t<U>, E> &&
             !std::is_same_v<std::remove_cvref_t<U>, Result>)
  Result(U&& value) : v_(std::in_place_index<0>, T(std::forward<U>(value))) {}  // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const& { assert(!has_value()); return std::get<1>(v_); }
  E&& error() && { assert(!has_value()); return std::get<1>(std::move(v_)); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

  // The value, or the typed error as core Error (its detail beyond code and message is lost).
  Result<T> to_result() &&
    requires(!std::is_same_v<E, Error>)
  {
    if (has_value()) return std::move(*this).value();
    return error().to_error();
  }

 private:
  std::variant<T, E> v_;
};

template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  using value_type = void;
  using error_type = E;
  Result() = default;
  Result(E error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit
  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const { assert(ok_); }
  const E& error() const& { assert(!ok_); return error_; }
  E&& error() && { assert(!ok_); return std::move(error_); }

  Result<void> to_result() const
    requires(!std::is_same_v<E, Error>)
  {
    if (ok_) return {};
    return error_.to_error();
  }

 private:
  E error_{};
  bool ok_ = true;
};

inline Result<void> ok() { return {}; }

}  // namespace ccteams
