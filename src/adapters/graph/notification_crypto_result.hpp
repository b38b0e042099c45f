#pragma once
// The result type of the rich-notification checks (decryption, validation tokens). Those
// callers branch on WHICH step failed (fall back to a read, re-fetch the JWKS, count a
// forgery), so the error is a typed value E with a `step`/`reason` enum rather than core
// Error; to_result() gives the core Error for passing further up, as GraphResult does.
// E must provide `Error to_error() const`.

#include <cassert>
#include <utility>
#include <variant>

#include "core/result.hpp"

namespace ccteams::graph {

template <class T, class E>
class [[nodiscard]] CheckResult {
 public:
  CheckResult(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  CheckResult(E e) : v_(std::in_place_index<1>, std::move(e)) {}          // NOLINT: implicit
  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const E& error() const& { assert(!has_value()); return std::get<1>(v_); }
  E&& error() && { assert(!has_value()); return std::get<1>(std::move(v_)); }
  Result<T> to_result() && {
    if (has_value()) return std::move(*this).value();
    return error().to_error();
  }

 private:
  std::variant<T, E> v_;
};

}  // namespace ccteams::graph
